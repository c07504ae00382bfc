//! Admin calls and the browser GET the email tests share.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) async fn create_email_job(s: &TestServer, identity_id: &str, config_id: &str, redirect: Option<&str>) -> Resp {
    let mut job = json!({"delivery_method": "EMAIL", "authenticator_config_id": config_id});
    if let Some(r) = redirect {
        job["post_binding_redirect_uri"] = json!(r);
    }
    s.admin(Method::POST, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), Some(json!({ "job": job })))
        .await
}

pub(crate) async fn jobs_of(s: &TestServer, identity_id: &str) -> Vec<Value> {
    let r = s.admin(Method::GET, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["credential_binding_jobs"].as_array().unwrap().clone()
}

pub(crate) fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

pub(crate) async fn get_link(s: &TestServer, url: &str, accept: &str) -> reqwest::Response {
    s.http.get(url).header("Accept", accept).send().await.unwrap()
}

pub(crate) const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
