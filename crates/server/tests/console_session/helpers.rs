//! Requests with cookies and extra headers (the harness's `send` knows
//! Bearer tokens only), every answer checked against the OpenAPI document.

use crate::common::{Resp, TestServer};
use passbind_server::store::{Realm, Tenant};
use passbind_server::util::now_micros;
use reqwest::Method;
use serde_json::{json, Value};

/// Sends `method path` to the server at `base` with `headers` and a JSON body.
pub async fn call_at(s: &TestServer, base: &str, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Resp {
    let mut req = s.http.request(method, format!("{base}{path}"));
    for (name, value) in headers {
        req = req.header(name, value);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(serde_json::to_vec(&b).unwrap());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("a JSON body") };
    Resp { status, headers, body }
}

/// As [`call_at`], on the test server's public URL.
pub async fn call(s: &TestServer, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Resp {
    call_at(s, &s.server.public_url, method, path, headers, body).await
}

/// The `Set-Cookie` header of an answer.
pub fn set_cookie(r: &Resp) -> String {
    r.headers.get("set-cookie").expect("a Set-Cookie header").to_str().unwrap().to_owned()
}

/// `name=value` of a `Set-Cookie` header: what the browser sends back.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Signs in with `token` (with the CSRF header); the answer and the cookie to send back.
pub async fn sign_in(s: &TestServer, token: &str) -> (Resp, String) {
    let r = call(s, Method::POST, "/v1/console/session", &[("x-passbind-csrf", "1")], Some(json!({ "api_token": token }))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = cookie_pair(&set_cookie(&r));
    (r, cookie)
}

/// A read through the session.
pub async fn get_as(s: &TestServer, cookie: &str, path: &str) -> Resp {
    call(s, Method::GET, path, &[("cookie", cookie)], None).await
}

/// A change through the session, as the console makes it (CSRF header, own origin).
pub async fn change_as(s: &TestServer, cookie: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
    let origin = s.server.state.public_origin.clone();
    call(s, method, path, &[("cookie", cookie), ("x-passbind-csrf", "1"), ("origin", &origin)], body).await
}

/// Another tenant with one realm, stored directly: (tenant ID, realm ID).
pub async fn other_tenant(s: &TestServer) -> (String, String) {
    let state = &s.server.state;
    let (tenant, realm, now) = (passbind_server::util::new_id(), passbind_server::util::new_id(), now_micros());
    state.tenants.create_tenant(&Tenant { id: tenant.clone().into(), display_name: "Other".into(), create_time: now }).await.unwrap();
    second_realm_of(s, &tenant, &realm).await;
    (tenant, realm)
}

/// A realm `realm` in `tenant`, stored directly.
pub async fn second_realm_of(s: &TestServer, tenant: &str, realm: &str) {
    let r = Realm { id: realm.into(), tenant_id: tenant.into(), display_name: format!("Realm {realm}"), create_time: now_micros() };
    s.server.state.tenants.create_realm(&r).await.unwrap();
}

/// Creates a token through the API with the dev token: (its view with the secret).
pub async fn create_token(s: &TestServer, description: &str, realm_id: Option<&str>) -> Value {
    let body = json!({ "description": description, "realm_id": realm_id });
    let r = s.admin(Method::POST, &format!("/v1/tenants/{}/api-tokens", s.dev.tenant_id), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}
