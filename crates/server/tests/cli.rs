//! `passbind-server tenant create` and `token create|list|revoke`, run as
//! the real binary against the database a running server uses.

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;

fn cli(database_url: &str, args: &[&str]) -> (bool, Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_passbind-server"))
        .args(args)
        .args(["--database-url", database_url])
        .env_remove("PASSBIND_DATABASE_URL")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.success(), serde_json::from_str(&stdout).unwrap_or(Value::Null), stderr)
}

async fn tokens_are_created_scoped_listed_and_revoked_from_the_cli(db: Db) {
    let s = TestServer::start_on(db).await;
    let url = s.database_url.clone();
    let (ok, tenant, err) = cli(&url, &["tenant", "create", "--display-name", "Acme", "--realm-display-name", "Staff"]);
    assert!(ok, "{err}");
    let (t, r) = (tenant["tenant_id"].as_str().unwrap().to_owned(), tenant["realm_id"].as_str().unwrap().to_owned());

    let (ok, created, err) = cli(&url, &["token", "create", "--tenant-id", &t, "--description", "ci"]);
    assert!(ok, "{err}");
    let token = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(passbind_protocol::base64url::decode(&token).unwrap().len(), 32, "256 random bits");

    let identities = s.url(&format!("/v1/tenants/{t}/realms/{r}/identities"));
    let r1 = s.send(Method::GET, &identities, Some(&token), None).await;
    assert_eq!(r1.status, 200, "{}", r1.body);
    // Scoped to its tenant: the dev tenant's realm is not found.
    let dev = s.url(&format!("{}/identities", s.realm_path()));
    assert_eq!(s.send(Method::GET, &dev, Some(&token), None).await.code(), "not_found");

    // Only the hash is stored.
    let (ok, listed, _) = cli(&url, &["token", "list", "--tenant-id", &t]);
    assert!(ok);
    assert_eq!(listed["tokens"][0]["id"], id.as_str());
    assert!(!listed.to_string().contains(&token));
    let record = s.server.state.api_tokens.api_token_by_hash(&passbind_server::util::hash_secret(&token)).await.unwrap().unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.description.as_deref(), Some("ci"));

    // A realm-scoped token.
    let (ok, scoped, _) = cli(&url, &["token", "create", "--tenant-id", &t, "--realm-id", &r]);
    assert!(ok);
    assert_eq!(scoped["realm_id"], r.as_str());

    // Revoke by id: 401 from then on; revoking again fails.
    let (ok, _, err) = cli(&url, &["token", "revoke", &id]);
    assert!(ok, "{err}");
    let r2 = s.send(Method::GET, &identities, Some(&token), None).await;
    assert_eq!((r2.status, r2.code().as_str()), (401, "unauthenticated"));
    let (ok, _, err) = cli(&url, &["token", "revoke", &id]);
    assert!(!ok && err.contains("no such"), "{err}");
    // Revoke by the token itself.
    let (ok, _, err) = cli(&url, &["token", "revoke", scoped["token"].as_str().unwrap()]);
    assert!(ok, "{err}");

    // Errors: unknown tenant, a realm of another tenant.
    let (ok, _, err) = cli(&url, &["token", "create", "--tenant-id", "nope"]);
    assert!(!ok && err.contains("no tenant"), "{err}");
    let (ok, _, err) = cli(&url, &["token", "create", "--tenant-id", &t, "--realm-id", &s.dev.realm_id]);
    assert!(!ok && err.contains("no realm"), "{err}");
}

crate::on_both_databases!(tokens_are_created_scoped_listed_and_revoked_from_the_cli);
