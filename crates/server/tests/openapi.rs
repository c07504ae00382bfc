//! `/openapi.json` is kept true: every documented operation is routed, and
//! every route the server has (found in the router's source, then probed
//! with every method and every `:verb`) is documented.

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Route templates and `:verb`s as written in the router's source.
fn routes_in_source() -> (BTreeSet<String>, BTreeSet<String>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // routes/*.rs and the modules of routes/*/ (one level deep).
    let mut files = vec![dir.join("app.rs")];
    for entry in std::fs::read_dir(dir.join("routes")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files.push(path);
        }
    }
    let (mut templates, mut verbs) = (BTreeSet::new(), BTreeSet::new());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // `const NAME: &str = "/v1/…";` used as `{NAME}` in format!.
        let consts: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix("const ").or_else(|| l.strip_prefix("pub const "))?;
                let (name, value) = rest.split_once(": &str = \"")?;
                Some((name.to_owned(), value.trim_end_matches("\";").to_owned()))
            })
            .collect();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + 7..];
            let arg = rest.trim_start();
            let literal = if let Some(a) = arg.strip_prefix('"') {
                a.split('"').next().unwrap().to_owned()
            } else if let Some(a) = arg.strip_prefix("&format!(\"") {
                let mut t = a.split('"').next().unwrap().replace("{{", "\u{1}").replace("}}", "\u{2}");
                for (name, value) in &consts {
                    t = t.replace(&format!("{{{name}}}"), value);
                }
                t.replace('\u{1}', "{").replace('\u{2}', "}")
            } else if let Some((_, value)) = consts.iter().find(|(name, _)| arg.starts_with(&format!("{name},"))) {
                value.clone()
            } else {
                panic!("{}: a route whose path this test cannot read: {}", file.display(), &arg[..60.min(arg.len())]);
            };
            templates.insert(literal);
        }
        // `:verb` dispatch: `v == "verb"` and `Some((id, "verb"))`.
        for pat in ["v == \"", "Some((id, \""] {
            for piece in text.split(pat).skip(1) {
                verbs.insert(piece.split('"').next().unwrap().to_owned());
            }
        }
    }
    (templates, verbs)
}

/// `{anything}` → `{}` so templates compare regardless of parameter names.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Is this a response of a real route (rather than 405 or the "no such …" fallbacks)?
fn routed(status: u16, body: &Value) -> bool {
    let message = body["message"].as_str().unwrap_or_default();
    status != 405 && !(status == 404 && (message == "no such resource" || message.starts_with("no such method")))
}

async fn the_openapi_document_matches_the_router(db: Db) {
    let s = TestServer::start_on(db).await;
    let doc: Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    // What the server serves is what utoipa generates from the handlers.
    assert_eq!(doc, serde_json::from_str::<Value>(passbind_server::openapi::document_json()).unwrap());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    // Every $ref resolves; every operation has responses and a unique operationId.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", piece.split('"').next().unwrap());
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
    }
    let mut ids = BTreeSet::new();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()), "duplicate operationId in {method} {path}");
            documented.insert((method.to_ascii_uppercase(), shape(path)));
        }
    }

    // Real ids for every parameter, so handlers answer as they would for real.
    let identity = s.create_identity("openapi").await;
    let identity_id = identity["id"].as_str().unwrap().to_owned();
    // A bound credential (on a first job) and an open job to probe with.
    let (_, first) = s.create_job(&identity_id, &s.dev.authenticator_config_id, None).await;
    let invoke = s.invoke_ok(&first).await;
    let cred =
        create_credential(&mut software_authenticator(), &s.server.public_url, &serde_json::to_value(&invoke.public_key).unwrap()).await;
    let bound = s.bind(&first, &invoke.ceremony_id, &cred).await;
    let credential_id = bound.body["passkey"]["id"].as_str().unwrap().to_owned();
    let (_, link) = s.create_job(&identity_id, &s.dev.authenticator_config_id, None).await;
    let fill = |template: &str| {
        let mut parts = Vec::new();
        let values = [s.dev.tenant_id.clone(), s.dev.realm_id.clone(), identity_id.clone(), link.job_id.clone()];
        let mut n = 0;
        for segment in shape(template).split('/') {
            let mut seg = segment.to_owned();
            if seg.starts_with("{}") {
                let value = if template.contains("authenticator-configs/{") {
                    if n < 2 {
                        values[n].clone()
                    } else {
                        s.dev.authenticator_config_id.clone()
                    }
                } else if n == 3 && template.contains("/credentials/{") {
                    credential_id.clone()
                } else {
                    values.get(n).cloned().unwrap_or_else(|| "0000000000000000".into())
                };
                seg = seg.replacen("{}", &value, 1);
                n += 1;
            }
            parts.push(seg);
        }
        parts.join("/")
    };
    let probe = |method: &str, path: String| {
        let s = &s;
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        async move {
            let body = matches!(method, Method::POST | Method::PATCH | Method::PUT).then(|| b"{}".to_vec());
            let mut req = s.http.request(method, s.url(&path)).bearer_auth(&s.dev.api_token);
            if let Some(b) = body {
                req = req.header("content-type", "application/json").body(b);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let body = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null);
            (status, body)
        }
    };

    // 1. Every documented operation is routed.
    for (method, path) in &documented {
        let (status, body) = probe(method, fill(path)).await;
        assert!(routed(status, &body), "documented but not routed: {method} {path} → {status} {body}");
    }

    // 2. Every route (template × method × verb) that answers is documented.
    let (templates, verbs) = routes_in_source();
    assert!(templates.len() >= 8, "{templates:?}");
    assert!(verbs.contains("revoke") && verbs.contains("bindCredential"), "{verbs:?}");
    let mut found = BTreeSet::new();
    for template in &templates {
        let mut candidates = vec![template.clone()];
        if template.ends_with('}') {
            candidates.extend(verbs.iter().map(|v| format!("{template}:{v}")));
        }
        for candidate in candidates {
            if candidate.contains('*') {
                continue; // the JSON 404 fallback, not an endpoint
            }
            for method in METHODS {
                let (status, body) = probe(method, fill(&candidate)).await;
                // A segment route answers for `{id}:verb` only when the verb is real.
                let documented_here = documented.contains(&(method.to_owned(), shape(&candidate)));
                // `{id}:verb` on a plain `{id}` route is just an unknown id (404).
                let verb = candidate != *template;
                if routed(status, &body) && !(verb && status == 404) {
                    found.insert((method, shape(&candidate)));
                    assert!(documented_here, "routed but not documented: {method} {candidate} → {status} {body}");
                }
            }
        }
    }
    // Dev-only and meta paths are probed too (they are routes in app.rs/dev.rs).
    assert!(found.contains(&("GET", "/openapi.json".to_owned())), "{found:?}");
    assert!(found.len() + 1 >= documented.len(), "documented {documented:?}\nfound {found:?}");
}

crate::on_both_databases!(the_openapi_document_matches_the_router);

/// schemathesis (negative_data_rejection): `page_size=2147483648` was taken (and
/// clamped to 1000) while the document said int32; the document now says what
/// `paging.rs` reads, an int64 of at least 0.
#[tokio::test]
async fn every_page_size_the_service_takes_is_documented() {
    let s = TestServer::start().await;
    let doc: Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let op = &doc["paths"]["/v1/tenants/{tenant_id}/realms/{realm_id}/identities"]["get"];
    let param = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "page_size").expect("page_size is documented");
    // JSON Schema checkers do not read OpenAPI's formats: int32 (at most 2^31 - 1) is checked by name.
    assert!(param["schema"].get("format").is_none_or(|f| f == "int64"), "{}", param["schema"]);
    let schema = jsonschema::draft202012::options().should_validate_formats(true).build(&param["schema"]).unwrap();
    for size in [0i64, 1000, 2_147_483_648, i64::MAX] {
        assert!(schema.is_valid(&serde_json::json!(size)), "page_size={size} is taken by the service: {}", param["schema"]);
        let r = s.admin(Method::GET, &format!("{}/identities?page_size={size}", s.realm_path()), None).await;
        assert_eq!(r.status, 200, "page_size={size}: {}", r.body);
    }
    assert!(!schema.is_valid(&serde_json::json!(-1)), "a negative page_size is refused (400) and not documented");
}
