//! The console session cookie as the document's second security scheme:
//! every operation a Bearer token may call accepts the session as well
//! (`admin_auth.rs`), so it is added here to each of them rather than
//! repeated in every `#[utoipa::path]`.

use crate::session::{PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi;

/// The scheme's name in `components.securitySchemes`.
pub const SCHEME: &str = "console_session";

/// Declares the scheme and lists it next to `bearer` on each operation.
pub fn add(doc: &mut OpenApi) {
    let description = format!(
        "The admin console's session (POST /v1/console/session): cookie {SECURE_COOKIE_NAME} behind https, {PLAIN_COOKIE_NAME} on a \
         loopback http URL. Same scope as the API token it was made from. Changes (methods other than GET, HEAD, OPTIONS) also need \
         the header X-Passbind-CSRF: 1 and, when Origin is sent, the service's own origin."
    );
    let scheme = SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(SECURE_COOKIE_NAME.to_owned(), description)));
    doc.components.get_or_insert_with(Default::default).add_security_scheme(SCHEME, scheme);
    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    let session = SecurityRequirement::new(SCHEME, Vec::<String>::new());
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for security in operations.into_iter().flatten().filter_map(|op| op.security.as_mut()) {
            if security.contains(&bearer) && !security.contains(&session) {
                security.push(session.clone());
            }
        }
    }
}
