//! The audit log (issue 11, part 3): every job and credential state change
//! is an event, written with the change itself, readable (newest first,
//! paged, filtered) at `GET …/realms/{r}/events`, on both databases.

mod common;

use common::*;
use passbind_protocol::BindingLink;
use reqwest::Method;
use serde_json::Value;

/// The events the dev token sees with `query` (checked against the schema by `CheckedHttp`).
async fn events(s: &TestServer, query: &str) -> Value {
    let r = s.admin(Method::GET, &format!("{}/events?{query}", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

fn list(body: &Value) -> Vec<Value> {
    body["events"].as_array().unwrap().clone()
}

/// (state_before, state_after, actor type) of each event, as listed.
fn changes(events: &[Value]) -> Vec<(Value, String, String)> {
    events
        .iter()
        .map(|e| {
            (e["state_before"].clone(), e["state_after"].as_str().unwrap().to_owned(), e["actor"]["type"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// The dev token's ID: the actor of the dev token's admin calls.
async fn dev_token_id(s: &TestServer) -> String {
    let hash = passbind_server::util::hash_secret(&s.dev.api_token);
    s.server.state.api_tokens.api_token_by_hash(&hash).await.unwrap().unwrap().id.to_string()
}

/// Opens the link, makes a passkey and binds it; returns the bound passkey.
async fn bind(s: &TestServer, link: &BindingLink) -> Value {
    let invoke = s.invoke_ok(link).await;
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["passkey"].clone()
}

async fn a_return_bind_records_each_change_and_its_actor(db: Db) {
    let s = TestServer::start_on(db).await;
    let token_id = dev_token_id(&s).await;
    let (identity, link) = s.identity_with_link("erin").await;
    let passkey = bind(&s, &link).await;

    let job_events = list(&events(&s, &format!("job_id={}", link.job_id)).await);
    let null = Value::Null;
    assert_eq!(
        changes(&job_events),
        vec![
            ("LINK_OPENED".into(), "COMPLETE".into(), "LINK".into()),
            ("LINK_SENT".into(), "LINK_OPENED".into(), "LINK".into()),
            (null.clone(), "LINK_SENT".into(), "API_TOKEN".into()),
        ],
        "newest first"
    );
    assert!(job_events.iter().all(|e| e["type"] == "CredentialBindingJobChange" && e["identity_id"] == identity["id"]));
    assert_eq!(job_events[2]["actor"]["id"], token_id.as_str());
    assert!(job_events[0]["actor"].get("id").is_none(), "the link's holder has no ID");

    let credential_id = passkey["id"].as_str().unwrap();
    let credential_events = list(&events(&s, &format!("credential_id={credential_id}")).await);
    assert_eq!(changes(&credential_events), vec![(null.clone(), "ACTIVE".into(), "LINK".into())]);
    assert_eq!(credential_events[0]["type"], "CredentialChange");

    // Revoking the passkey: by the API token; twice records it once.
    let path = format!("{}/identities/{}/credentials/{credential_id}:revoke", s.realm_path(), identity["id"].as_str().unwrap());
    for _ in 0..2 {
        assert_eq!(s.admin(Method::POST, &path, None).await.status, 200);
    }
    let credential_events = list(&events(&s, &format!("credential_id={credential_id}")).await);
    assert_eq!(changes(&credential_events)[0], ("ACTIVE".into(), "REVOKED".into(), "API_TOKEN".into()));
    assert_eq!(credential_events.len(), 2);
    assert_eq!(credential_events[0]["actor"]["id"], token_id.as_str());

    // No token, link or secret in any event.
    let all = events(&s, "").await.to_string();
    assert!(!all.contains(&link.token) && !all.contains(&s.dev.api_token) && !all.contains("token="), "{all}");
}

async fn revoking_a_job_records_it_by_the_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let token_id = dev_token_id(&s).await;
    let (_, link) = s.identity_with_link("frank").await;
    assert_eq!(s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await.status, 200);
    let job_events = list(&events(&s, &format!("job_id={}", link.job_id)).await);
    assert_eq!(changes(&job_events)[0], ("LINK_SENT".into(), "REVOKED".into(), "API_TOKEN".into()));
    assert_eq!(job_events[0]["actor"]["id"], token_id.as_str());
    assert_eq!(job_events.len(), 2);
}

async fn a_refused_bind_records_nothing(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("gina").await;
    let invoke = s.invoke_ok(&link).await;
    let before = events(&s, "").await;
    // Same RP ID (localhost) but another port: another origin.
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), "http://localhost:1", &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (403, "SECURITY"), "{}", r.body);
    assert_eq!(events(&s, "").await, before, "a refused binding leaves no event");
}

async fn filters_and_paging(db: Db) {
    let s = TestServer::start_on(db).await;
    let (one, link_one) = s.identity_with_link("hank").await;
    let (two, _) = s.identity_with_link("iris").await;
    bind(&s, &link_one).await;
    // hank: LINK_SENT, LINK_OPENED, COMPLETE, ACTIVE; iris: LINK_SENT.
    let all = events(&s, "").await;
    assert_eq!(all["total_size"], 5);
    let by_one = events(&s, &format!("identity_id={}", one["id"].as_str().unwrap())).await;
    assert_eq!(by_one["total_size"], 4);
    let by_two = list(&events(&s, &format!("identity_id={}", two["id"].as_str().unwrap())).await);
    assert_eq!(changes(&by_two), vec![(Value::Null, "LINK_SENT".into(), "API_TOKEN".into())]);
    let credentials = events(&s, "type=CredentialChange").await;
    assert_eq!(credentials["total_size"], 1);
    let jobs = events(&s, &format!("type=CredentialBindingJobChange&identity_id={}", one["id"].as_str().unwrap())).await;
    assert_eq!(jobs["total_size"], 3);

    // Pages of 2: every event once, newest first, the total on every page.
    let (mut seen, mut token) = (Vec::new(), String::new());
    loop {
        let page = events(&s, &format!("page_size=2&page_token={token}")).await;
        assert_eq!(page["total_size"], 5);
        seen.extend(list(&page));
        match page["next_page_token"].as_str() {
            Some(t) => token = t.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, list(&all));
    let times: Vec<&str> = seen.iter().map(|e| e["create_time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");

    // The document names the filters as the query spells them.
    let doc: Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let params = &doc["paths"]["/v1/tenants/{tenant_id}/realms/{realm_id}/events"]["get"]["parameters"];
    let names: Vec<&str> = params.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for name in ["page_size", "page_token", "identity_id", "type", "job_id", "credential_id"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    for bad in ["colour=red", "type=Nope", "page_token=%%%", "page_size=x"] {
        let r = s.admin(Method::GET, &format!("{}/events?{bad}", s.realm_path()), None).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{bad}: {}", r.body);
    }
}

async fn another_tenants_token_sees_not_found(db: Db) {
    let s = TestServer::start_on(db).await;
    s.identity_with_link("jack").await;
    use passbind_server::store::{ApiToken, Realm, Tenant};
    use passbind_server::util::{hash_secret, now_micros};
    let (state, now) = (&s.server.state, now_micros());
    state.tenants.create_tenant(&Tenant { id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now }).await.unwrap();
    let realm =
        Realm { id: "00000000000000bb".into(), tenant_id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now };
    state.tenants.create_realm(&realm).await.unwrap();
    let token = ApiToken::new(hash_secret("other-token"), "00000000000000aa".into(), None, None, now);
    state.api_tokens.insert_api_token(&token).await.unwrap();

    let r = s.send(Method::GET, &s.url(&format!("{}/events", s.realm_path())), Some("other-token"), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    // Its own realm's log is empty: nothing of the dev tenant's.
    let r = s.send(Method::GET, &s.url("/v1/tenants/00000000000000aa/realms/00000000000000bb/events"), Some("other-token"), None).await;
    assert_eq!((r.status, r.body["total_size"].as_u64()), (200, Some(0)));
    let r = s.send(Method::GET, &s.url(&format!("{}/events", s.realm_path())), None, None).await;
    assert_eq!(r.status, 401);
}

/// Runs `statement` on the server's database; its error, if any.
async fn try_sql(s: &TestServer, statement: &str) -> Option<String> {
    if let Some(path) = s.database_url.strip_prefix("sqlite://") {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        conn.execute_batch(statement).err().map(|e| e.to_string())
    } else {
        let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
        let result = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(&pool).await;
        pool.close().await;
        result.err().map(|e| e.to_string())
    }
}

async fn the_log_is_append_only(db: Db) {
    let s = TestServer::start_on(db).await;
    s.identity_with_link("kate").await;
    for statement in ["UPDATE events SET state_after = 'COMPLETE'", "DELETE FROM events"] {
        let error = try_sql(&s, statement).await.unwrap_or_else(|| panic!("{statement} was allowed"));
        assert!(error.contains("append-only"), "{error}");
    }
    assert_eq!(events(&s, "").await["total_size"], 1);
}

crate::on_both_databases!(
    the_log_is_append_only,
    a_return_bind_records_each_change_and_its_actor,
    revoking_a_job_records_it_by_the_token,
    a_refused_bind_records_nothing,
    filters_and_paging,
    another_tenants_token_sees_not_found
);
