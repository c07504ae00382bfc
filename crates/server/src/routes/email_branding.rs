//! `/v1/tenants/{t}/realms/{r}/email-branding`: the realm's email branding
//! (issue 11, part 2; rules in `crate::branding`), and a preview of the
//! enrollment email in it, for the console (JSON, or the HTML part itself
//! as a document the console shows in a sandboxed `<iframe>`).

use crate::branding::{BrandingField, EmailBranding, RawBranding, StoredBranding};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, RealmAdmin};
use crate::mail::{self, Letter};
use crate::openapi::{AdminErrors, RealmParams, TooLarge};
use crate::state::AppState;
use crate::util::{format_time, now_micros};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

const BRANDING: &str = "/v1/tenants/{tenant_id}/realms/{realm_id}/email-branding";

pub fn router() -> Router<AppState> {
    Router::new().route(BRANDING, get(get_branding).put(put_branding)).route(&format!("{BRANDING}/preview"), get(preview))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_branding, put_branding, preview))]
pub struct Api;

/// The CSP of the HTML preview: nothing runs, nothing loads but inline
/// styles and https (or data:) images, and only the service's own pages
/// (the console) may frame it.
pub const PREVIEW_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'";

/// A realm's email branding; each field null when unset (the default applies).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = EmailBranding)]
pub struct EmailBrandingView {
    /// The From display name (the address is the service's `--mail-from`); default: the name in `--mail-from`
    sender_name: Option<String>,
    /// The subject; default "Create your passkey for {realm display name}"
    subject: Option<String>,
    /// An https URL of the logo shown at the top
    logo_url: Option<String>,
    /// `#rrggbb` (lower-case) of buttons and links
    primary_color: Option<String>,
    /// An https URL where people get help
    support_url: Option<String>,
    /// Plain text at the bottom (line breaks kept)
    footer_text: Option<String>,
    /// When the branding was last saved; null when never
    #[schema(format = DateTime)]
    update_time: Option<String>,
}

impl EmailBrandingView {
    fn new(stored: Option<&StoredBranding>) -> Self {
        let raw = stored.map(|s| s.branding.to_raw()).unwrap_or_default();
        EmailBrandingView {
            sender_name: raw.sender_name,
            subject: raw.subject,
            logo_url: raw.logo_url,
            primary_color: raw.primary_color,
            support_url: raw.support_url,
            footer_text: raw.footer_text,
            update_time: stored.map(|s| format_time(s.update_time)),
        }
    }
}

/// `PUT` body: all six fields; null, absent or "" unsets one.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = EmailBrandingInput)]
#[serde(deny_unknown_fields)]
struct BrandingInput {
    /// At most 64 characters, one line, without `<`, `>` or `"`
    #[serde(default)]
    sender_name: Option<String>,
    /// At most 120 characters, one line
    #[serde(default)]
    subject: Option<String>,
    /// Absolute https URL (http only on loopback), no credentials, at most 2048 characters
    #[serde(default)]
    logo_url: Option<String>,
    /// `#rrggbb`
    #[serde(default)]
    primary_color: Option<String>,
    /// Absolute https URL (http only on loopback), no credentials, at most 2048 characters
    #[serde(default)]
    support_url: Option<String>,
    /// At most 500 characters of plain text; line breaks allowed, other control characters not
    #[serde(default)]
    footer_text: Option<String>,
}

impl BrandingInput {
    /// The six fields as `EmailBranding::parse` takes them.
    fn into_raw(self) -> RawBranding {
        let BrandingInput { sender_name, subject, logo_url, primary_color, support_url, footer_text } = self;
        RawBranding { sender_name, subject, logo_url, primary_color, support_url, footer_text }
    }
}

/// The enrollment email as a person would get it (sample person, sample link).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = EmailBrandingPreview)]
struct PreviewView {
    /// The From header (display name and address)
    from: String,
    subject: String,
    /// The text/plain part
    text: String,
    /// The text/html part
    html: String,
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/email-branding",
    operation_id = "getEmailBranding",
    summary = "Get the realm's email branding (null fields: the default applies)",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams),
    responses((status = 200, description = "The branding", body = EmailBrandingView), AdminErrors)
)]
async fn get_branding(State(state): State<AppState>, RealmAdmin(realm): RealmAdmin) -> ApiResult<Json<EmailBrandingView>> {
    let stored = state.branding.get_email_branding(&realm.tenant_id, &realm.id).await?;
    Ok(Json(EmailBrandingView::new(stored.as_ref())))
}

#[utoipa::path(
    put,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/email-branding",
    operation_id = "putEmailBranding",
    summary = "Replace the realm's email branding (all six fields; null or absent unsets one)",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams),
    request_body = BrandingInput,
    responses((status = 200, description = "The branding as saved", body = EmailBrandingView), AdminErrors, TooLarge)
)]
async fn put_branding(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    ApiJson(input): ApiJson<BrandingInput>,
) -> ApiResult<Json<EmailBrandingView>> {
    let branding = EmailBranding::parse(&input.into_raw())?;
    let now = now_micros();
    state.branding.put_email_branding(&realm.tenant_id, &realm.id, &branding, now).await?;
    Ok(Json(EmailBrandingView::new(Some(&StoredBranding { branding, update_time: now }))))
}

/// `?format=` and the overrides of a preview.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation only: `preview` reads the query
struct PreviewQuery {
    /// `json` (default): {from, subject, text, html}; `html`: the HTML part itself, as a document
    format: Option<String>,
    /// Overrides the stored value for this preview ("" = unset); same rules as PUT
    sender_name: Option<String>,
    subject: Option<String>,
    logo_url: Option<String>,
    primary_color: Option<String>,
    support_url: Option<String>,
    footer_text: Option<String>,
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/email-branding/preview",
    operation_id = "previewEmailBranding",
    summary = "Preview the enrollment email in the realm's branding (with any field overridden), for a sample person and link",
    description = "format=html answers the HTML part as a document with its own Content-Security-Policy \
        (default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'), for a sandboxed iframe. \
        The link is a sample: it carries no real token.",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams, PreviewQuery),
    responses((status = 200, description = "The preview", content((PreviewView = "application/json"), (String = "text/html"))), AdminErrors)
)]
async fn preview(State(state): State<AppState>, RealmAdmin(realm): RealmAdmin, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let stored = state.branding.get_email_branding(&realm.tenant_id, &realm.id).await?;
    let mut raw = stored.map(|s| s.branding.to_raw()).unwrap_or_default();
    let mut html = false;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match (&*k, BrandingField::from_name(&k)) {
            ("format", _) => {
                html = match &*v {
                    "json" | "" => false,
                    "html" => true,
                    _ => return Err(ApiError::invalid_argument("format", "must be json or html")),
                }
            }
            (_, Some(field)) => *raw.slot(field) = Some(v.into_owned()),
            (other, None) => return Err(ApiError::invalid_argument(other, "not a parameter of the preview")),
        }
    }
    let branding = EmailBranding::parse(&raw)?;
    // A sample: clearly no real job and no token.
    let link = format!(
        "{}/v1/tenants/{}/realms/{}/identities/sample-identity/credential-binding-jobs/sample-job:invokeAuthenticator?token=preview-not-a-real-token",
        state.public_url, realm.tenant_id, realm.id
    );
    let letter = Letter {
        greeting: "Ada Lovelace",
        username: "ada.lovelace",
        realm_name: &realm.display_name,
        link: &link,
        expire_time: now_micros() + state.job_lifetime,
    };
    let content = mail::content(&state.mail_from, &branding, &letter);
    if !html {
        let view = PreviewView { from: content.from.to_string(), subject: content.subject, text: content.text, html: content.html };
        return Ok(Json(view).into_response());
    }
    let mut response = content.html.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PREVIEW_CSP));
    Ok(response)
}

/// The PUT body through the handler's parse and checks (fuzz/, issue 13):
/// the branding it would store, if any.
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) -> Option<EmailBranding> {
    let input = crate::error::parse_json::<BrandingInput>(body, passbind_protocol::ErrorCode::InvalidArgument).ok()?;
    EmailBranding::parse(&input.into_raw()).ok()
}
