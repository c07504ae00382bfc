//! `?q=` on the identities list: a case-insensitive substring of the
//! username, email address or display name, with paging and `total_size`
//! counting what it finds.

use crate::common::{Db, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

async fn create(s: &TestServer, username: &str, display_name: &str, email: Option<&str>) {
    let mut traits = json!({"type": "traits_v0", "username": username});
    if let Some(e) = email {
        traits["primary_email_address"] = json!(e);
    }
    let r = s
        .admin(
            Method::POST,
            &format!("{}/identities", s.realm_path()),
            Some(json!({"identity": {"display_name": display_name, "traits": traits}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The usernames `q` finds (one page of up to 1000), and `total_size`.
async fn search(s: &TestServer, q: &str) -> (Vec<String>, u64) {
    let query: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("q", q).finish();
    let r = s.admin(Method::GET, &format!("{}/identities?{query}&page_size=1000", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{q:?}: {}", r.body);
    let names = r.body["identities"].as_array().unwrap().iter().map(|i| i["traits"]["username"].as_str().unwrap().to_owned()).collect();
    (names, r.body["total_size"].as_u64().unwrap())
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

pub async fn identities_are_searched_by_username_email_or_display_name(db: Db) {
    let s = TestServer::start_on(db).await;
    create(&s, "ada", "Ada Lovelace", Some("ada@example.com")).await;
    create(&s, "grace", "Grace Hopper", Some("hopper@navy.example")).await;
    create(&s, "50%_off", "Percent Person", None).await;
    create(&s, "50xxoff", "Wildcard Lookalike", Some("fifty@example.com")).await;
    create(&s, "back\\slash", "Backslash", None).await;

    assert_eq!(search(&s, "ada").await, (names(&["ada"]), 1), "username");
    assert_eq!(search(&s, "NAVY").await, (names(&["grace"]), 1), "email, case-insensitive");
    assert_eq!(search(&s, "lOVELACE").await, (names(&["ada"]), 1), "display name, case-insensitive");
    assert_eq!(search(&s, "example").await.1, 3);
    assert_eq!(search(&s, "%").await, (names(&["50%_off"]), 1), "% is literal");
    assert_eq!(search(&s, "0%_o").await, (names(&["50%_off"]), 1), "_ is literal");
    assert_eq!(search(&s, "_").await, (names(&["50%_off"]), 1));
    assert_eq!(search(&s, "\\").await, (names(&["back\\slash"]), 1), "\\ is literal");
    assert_eq!(search(&s, "  hopper  ").await, (names(&["grace"]), 1), "trimmed");
    assert_eq!(search(&s, "nobody").await, (vec![], 0));
    assert_eq!(search(&s, "").await.1, 5, "empty: no search");

    for bad in ["x".repeat(101), "a\u{7}b".to_owned()] {
        let query: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("q", &bad).finish();
        let r = s.admin(Method::GET, &format!("{}/identities?{query}", s.realm_path()), None).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{}", r.body);
        assert_eq!(r.error().details[0].field.as_deref(), Some("q"));
    }
    assert_eq!(search(&s, &"x".repeat(100)).await.1, 0, "100 characters are allowed");
    let r = s.admin(Method::GET, &format!("{}/identities?colour=red", s.realm_path()), None).await;
    assert_eq!(r.status, 400, "other parameters are still refused");

    // The document names the parameter.
    let doc: Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let params = &doc["paths"]["/v1/tenants/{tenant_id}/realms/{realm_id}/identities"]["get"]["parameters"];
    assert!(params.as_array().unwrap().iter().any(|p| p["name"] == "q"), "{params}");
}

pub async fn search_pages_and_counts_the_filtered_set(db: Db) {
    let s = TestServer::start_on(db).await;
    for i in 0..7 {
        create(&s, &format!("team-{i}"), &format!("Team member {i}"), None).await;
        create(&s, &format!("solo-{i}"), "Someone else", None).await;
    }
    let (mut seen, mut token) = (Vec::new(), String::new());
    loop {
        let path = format!("{}/identities?q=TEAM&page_size=3&page_token={token}", s.realm_path());
        let page = s.admin(Method::GET, &path, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body["total_size"], 7, "the filtered set, on every page");
        let items = page.body["identities"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["traits"]["username"].as_str().unwrap().to_owned()));
        match page.body["next_page_token"].as_str() {
            Some(t) => token = t.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("team-{i}")).collect::<Vec<_>>(), "each once, by creation");
}
