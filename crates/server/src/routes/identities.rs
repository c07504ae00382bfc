//! `/v1/tenants/{t}/realms/{r}/identities`: the people passkeys are bound to.

use super::IdentityView;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdentityAdmin, RealmAdmin};
use crate::openapi::{AdminErrors, IdentityParams, RealmParams, TooLarge};
use crate::paging::{list_body, page_token, parse_page};
use crate::state::AppState;
use crate::store::{Identity, IdentityStatus, StoreError};
use crate::util::{new_id, now_micros, random_bytes};
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use passbind_protocol::{ErrorBody, ErrorCode};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities", get(list).post(create))
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}", get(get_one).patch(update))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get_one, update))]
pub struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityCreate)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    identity: IdentityInput,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityInput)]
#[serde(deny_unknown_fields)]
struct IdentityInput {
    display_name: String,
    traits: Traits,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityTraitsInput)]
#[serde(deny_unknown_fields)]
struct Traits {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::traits_type)]
    type_: String,
    username: String,
    #[serde(default)]
    primary_email_address: Option<String>,
}

fn check_text(field: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid_argument(field, "must not be empty"));
    }
    if value.len() > max || value.chars().any(char::is_control) {
        return Err(ApiError::invalid_argument(field, format!("must be at most {max} bytes of printable text")));
    }
    Ok(())
}

/// An address the mailer will take: lettre's own `Address` rules (so an
/// EMAIL job never fails on an address this accepted), on a dotted domain.
fn check_email(email: &str) -> ApiResult<()> {
    // A non-ASCII domain never passes (the workspace's ASCII-only IDNA adapter refuses it), but
    // with a capital letter it reaches that adapter's debug assertion: a panic in debug builds
    // (found by fuzz/, see passbind_protocol::parse_url). Refused before lettre reads it.
    let ascii_domain = email.rsplit_once('@').is_some_and(|(_, domain)| domain.is_ascii());
    let ok = email.len() <= 320 && ascii_domain && email.parse::<lettre::Address>().is_ok_and(|a| a.domain().contains('.'));
    if !ok {
        return Err(ApiError::invalid_argument("identity.traits.primary_email_address", "not an email address"));
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities",
    operation_id = "createIdentity",
    summary = "Create an identity (usernames are unique per realm, case-insensitive)",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams),
    request_body = CreateRequest,
    responses((status = 200, description = "The identity", body = IdentityView), AdminErrors,
        (status = 409, description = "already_exists: the username is taken in the realm", body = ErrorBody), TooLarge)
)]
async fn create(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    ApiJson(req): ApiJson<CreateRequest>,
) -> ApiResult<Json<IdentityView>> {
    let input = req.identity;
    if input.traits.type_ != "traits_v0" {
        return Err(ApiError::invalid_argument("identity.traits.type", "must be traits_v0"));
    }
    check_text("identity.display_name", &input.display_name, 256)?;
    check_text("identity.traits.username", &input.traits.username, 256)?;
    let email = input.traits.primary_email_address.filter(|e| !e.is_empty());
    if let Some(email) = &email {
        check_email(email)?;
    }
    let now = now_micros();
    let identity = Identity {
        id: new_id().into(),
        tenant_id: realm.tenant_id,
        realm_id: realm.id,
        display_name: input.display_name,
        username: input.traits.username,
        email_address: email,
        status: IdentityStatus::Active,
        user_handle: random_bytes::<32>().to_vec(),
        create_time: now,
        update_time: now,
    };
    match state.identities.insert_identity(&identity).await {
        Ok(()) => Ok(Json(IdentityView::from(&identity))),
        Err(StoreError::Conflict) => {
            Err(ApiError::new(ErrorCode::AlreadyExists, "an identity with this username already exists in the realm")
                .with_detail(Some("identity.traits.username"), "already taken"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Longest `q` (characters).
const MAX_SEARCH_CHARS: usize = 100;

/// `?q=` out of the query (trimmed; empty: no search); the rest goes to
/// `parse_page`, which refuses unknown parameters as every list does.
fn parse_search(query: Option<&str>) -> ApiResult<(Option<String>, String)> {
    let mut search = None;
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if k == "q" {
            let q = v.trim();
            if q.chars().count() > MAX_SEARCH_CHARS || q.chars().any(char::is_control) {
                return Err(ApiError::invalid_argument("q", format!("must be at most {MAX_SEARCH_CHARS} characters of printable text")));
            }
            search = Some(q.to_owned()).filter(|q| !q.is_empty());
        } else {
            rest.append_pair(&k, &v);
        }
    }
    Ok((search, rest.finish()))
}

/// `?page_size=&page_token=&q=` of the identities list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation only: `parse_search` and `parse_page` read the query
pub struct IdentityQuery {
    /// Items per page (default 50; 0 means the default; more than 1000 is taken as 1000)
    #[param(minimum = 0)]
    page_size: Option<i64>,
    /// `next_page_token` of the previous page (of the same search)
    page_token: Option<String>,
    /// Only identities whose username, email address or display name contains this text, ignoring case
    /// (trimmed; `%` and `_` are literal; at most 100 characters)
    #[param(max_length = 100)]
    q: Option<String>,
}

/// `GET …/identities?page_size=&page_token=&q=` → `{identities, total_size, next_page_token?}`,
/// ordered by creation; `total_size` counts what the search finds. The page
/// token is opaque (base64url of the last key).
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities",
    operation_id = "listIdentities",
    summary = "List identities, paginated, optionally searched by username, email address or display name",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams, IdentityQuery),
    responses((status = 200, description = "A page of identities", body = crate::openapi::IdentityList), AdminErrors)
)]
async fn list(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    let (search, rest) = parse_search(query.as_deref())?;
    let page = parse_page(Some(&rest))?;
    let (tenant_id, realm_id, search) = (&realm.tenant_id, &realm.id, search.as_deref());
    let mut identities = state.identities.list_identities_page(tenant_id, realm_id, search, page.size + 1, page.after).await?;
    let total = state.identities.count_identities(tenant_id, realm_id, search).await?;
    let next = if identities.len() as i64 > page.size {
        identities.truncate(page.size as usize);
        identities.last().map(|i| page_token(i.create_time, &i.id))
    } else {
        None
    };
    let mut body = list_body("identities", identities.iter().map(IdentityView::from).collect());
    body["total_size"] = total.into();
    if let Some(next) = next {
        body["next_page_token"] = next.into();
    }
    Ok(Json(body))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}",
    operation_id = "getIdentity",
    summary = "Get an identity",
    tag = "admin",
    security(("bearer" = [])),
    params(IdentityParams),
    responses((status = 200, description = "The identity", body = IdentityView), AdminErrors)
)]
async fn get_one(IdentityAdmin { identity, .. }: IdentityAdmin) -> Json<IdentityView> {
    Json(IdentityView::from(&identity))
}

/// `PATCH` body: only the fields present change. The username is the
/// identity's key in the realm and stays.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityUpdate)]
#[serde(deny_unknown_fields)]
struct UpdateRequest {
    identity: IdentityPatch,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityPatch)]
#[serde(deny_unknown_fields)]
struct IdentityPatch {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::openapi::identity_status)]
    status: Option<String>,
    #[serde(default)]
    traits: Option<TraitsPatch>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentityTraitsPatch)]
#[serde(deny_unknown_fields)]
struct TraitsPatch {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    primary_email_address: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}",
    operation_id = "updateIdentity",
    summary = "Update display name, email address or status (the username cannot change)",
    tag = "admin",
    security(("bearer" = [])),
    params(IdentityParams),
    request_body = UpdateRequest,
    responses((status = 200, description = "The identity", body = IdentityView), AdminErrors, TooLarge)
)]
async fn update(
    State(state): State<AppState>,
    IdentityAdmin { mut identity, .. }: IdentityAdmin,
    ApiJson(req): ApiJson<UpdateRequest>,
) -> ApiResult<Json<IdentityView>> {
    let patch = req.identity;
    if let Some(name) = patch.display_name {
        check_text("identity.display_name", &name, 256)?;
        identity.display_name = name;
    }
    if let Some(status) = patch.status {
        identity.status = status.parse().map_err(|_| ApiError::invalid_argument("identity.status", "must be active or suspended"))?;
    }
    if let Some(traits) = patch.traits {
        if traits.username.is_some_and(|u| u != identity.username) {
            return Err(ApiError::invalid_argument("identity.traits.username", "cannot be changed"));
        }
        if let Some(email) = traits.primary_email_address {
            if email.is_empty() {
                identity.email_address = None;
            } else {
                check_email(&email)?;
                identity.email_address = Some(email);
            }
        }
    }
    identity.update_time = now_micros();
    state.identities.update_identity(&identity).await?;
    Ok(Json(IdentityView::from(&identity)))
}

/// Whether the create handler's checks take these names (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_names_accepted(display_name: &str, username: &str) -> bool {
    check_text("identity.display_name", display_name, 256).is_ok() && check_text("identity.traits.username", username, 256).is_ok()
}

/// The create and update bodies through the handlers' parse and checks, and
/// the list's `?q=` with its paging (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    use crate::error::parse_json;
    if let Ok(CreateRequest { identity }) = parse_json(body, ErrorCode::InvalidArgument) {
        let _ = check_text("identity.display_name", &identity.display_name, 256);
        let _ = check_text("identity.traits.username", &identity.traits.username, 256);
        if let Some(email) = identity.traits.primary_email_address.filter(|e| !e.is_empty()) {
            let _ = check_email(&email);
        }
    }
    if let Ok(UpdateRequest { identity }) = parse_json(body, ErrorCode::InvalidArgument) {
        if let Some(name) = identity.display_name {
            let _ = check_text("identity.display_name", &name, 256);
        }
        let _ = identity.status.map(|s| s.parse::<IdentityStatus>());
        if let Some(email) = identity.traits.and_then(|t| t.primary_email_address).filter(|e| !e.is_empty()) {
            let _ = check_email(&email);
        }
    }
    if let Ok(query) = std::str::from_utf8(body) {
        if let Ok((_, rest)) = parse_search(Some(query)) {
            let _ = parse_page(Some(&rest));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn email_addresses_are_what_the_mailer_takes() {
        for good in ["ada@example.com", "a.b+tag@mail.example.org", "x_y-z@sub.example.co.uk"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "nope",
            "a@localhost",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "a@example.com\n",
            "a@exa mple.com",
            "a\u{0}@example.com",
            "ada@D\u{17b}.example.com",
            "amdeaaxp.el.aor_c@o^^^^,^^^^^^XN--^^^C\u{4da}nti/c",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
    }
}
