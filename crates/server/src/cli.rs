//! `passbind-server token create|revoke|list` and `tenant create`: the
//! operator's side of admin API tokens. Tokens are 256-bit random secrets,
//! printed once and stored only as SHA-256 hashes.

use crate::admin_auth::issue_api_token;
use crate::store::{self, ApiTokenStore, Realm, StoreError, Tenant, TenantStore};
use crate::util::{hash_secret, new_id, now_micros};
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Clone, Debug)]
pub enum Command {
    /// Admin API tokens (scoped to one tenant, optionally one realm).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Tenants: create one with its first realm.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
}

#[derive(Subcommand, Clone, Debug)]
pub enum TokenAction {
    /// Create a token; prints {"id", "token", "tenant_id", "realm_id"} once (the token is not stored).
    Create {
        #[arg(long)]
        tenant_id: String,
        /// Limit the token to this realm of the tenant.
        #[arg(long)]
        realm_id: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Revoke a token by its id (or by the token itself).
    Revoke {
        /// Tokens are base64url and may start with `-`: never a flag here.
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
    /// List a tenant's tokens (ids and scopes, never secrets).
    List {
        #[arg(long)]
        tenant_id: String,
    },
}

#[derive(Subcommand, Clone, Debug)]
pub enum TenantAction {
    /// Create a tenant and a realm; prints {"tenant_id", "realm_id"}.
    Create {
        #[arg(long)]
        display_name: String,
        #[arg(long, default_value = "Default realm")]
        realm_display_name: String,
    },
}

fn db(e: StoreError) -> String {
    format!("database: {e}")
}

/// Runs a subcommand on the database; returns what to print on stdout.
pub async fn run(database_url: &str, command: Command) -> Result<String, String> {
    let store = store::open(database_url).await?;
    match command {
        Command::Token { action } => token(&*store.tenants, &*store.api_tokens, action).await,
        Command::Tenant { action: TenantAction::Create { display_name, realm_display_name } } => {
            for (flag, v) in [("--display-name", &display_name), ("--realm-display-name", &realm_display_name)] {
                if v.trim().is_empty() || v.len() > 256 {
                    return Err(format!("{flag} must be 1 to 256 bytes"));
                }
            }
            let now = now_micros();
            let tenant = Tenant { id: new_id().into(), display_name, create_time: now };
            let realm = Realm { id: new_id().into(), tenant_id: tenant.id.clone(), display_name: realm_display_name, create_time: now };
            store.tenants.create_tenant(&tenant).await.map_err(db)?;
            store.tenants.create_realm(&realm).await.map_err(db)?;
            Ok(json!({"tenant_id": tenant.id, "realm_id": realm.id}).to_string())
        }
    }
}

async fn token(tenants: &dyn TenantStore, tokens: &dyn ApiTokenStore, action: TokenAction) -> Result<String, String> {
    match action {
        TokenAction::Create { tenant_id, realm_id, description } => {
            if tenants.get_tenant(&tenant_id).await.map_err(db)?.is_none() {
                return Err(format!("no tenant {tenant_id:?} (passbind-server tenant create --display-name …)"));
            }
            if let Some(realm) = &realm_id {
                if tenants.get_realm(&tenant_id, realm).await.map_err(db)?.is_none() {
                    return Err(format!("tenant {tenant_id:?} has no realm {realm:?}"));
                }
            }
            let (token, secret) =
                issue_api_token(tokens, tenant_id.into(), realm_id.map(Into::into), description, now_micros()).await.map_err(db)?;
            Ok(json!({"id": token.id, "token": secret, "tenant_id": token.tenant_id, "realm_id": token.realm_id}).to_string())
        }
        TokenAction::Revoke { id } => {
            let now = now_micros();
            if tokens.revoke_api_token(&id, now).await.map_err(db)? {
                return Ok(json!({"id": id, "revoked": true}).to_string());
            }
            // Given the token itself rather than its id.
            if let Some(t) = tokens.api_token_by_hash(&hash_secret(&id)).await.map_err(db)? {
                if tokens.revoke_api_token(&t.id, now).await.map_err(db)? {
                    return Ok(json!({"id": t.id, "revoked": true}).to_string());
                }
            }
            Err("no such unrevoked token".into())
        }
        TokenAction::List { tenant_id } => {
            let tokens = tokens.list_api_tokens(&tenant_id).await.map_err(db)?;
            let list: Vec<_> = tokens
                .iter()
                .map(|t| {
                    json!({
                        "id": t.id, "tenant_id": t.tenant_id, "realm_id": t.realm_id, "description": t.description,
                        "create_time": crate::util::format_time(t.create_time),
                        "revoke_time": t.revoke_time.map(crate::util::format_time),
                    })
                })
                .collect();
            Ok(json!({ "tokens": list }).to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Command, TokenAction};
    use clap::Parser;

    /// The subcommands as `passbind-server` (main.rs) parses them.
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[test]
    fn a_token_that_starts_with_a_hyphen_is_revoked_not_read_as_a_flag() {
        let cli = Cli::try_parse_from(["passbind-server", "token", "revoke", "-Xy_token"]).unwrap();
        match cli.command {
            Command::Token { action: TokenAction::Revoke { id } } => assert_eq!(id, "-Xy_token"),
            other => panic!("{other:?}"),
        }
    }
}
