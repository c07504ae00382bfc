//! The hosted `/bind` page in the realm's branding: `www/bind.html` as it
//! is, plus (when the link's `tenant_id` and `realm_id` name a realm with
//! branding) its logo, a stylesheet with its colour, its support link and
//! footer, all written into the page on the server and escaped. No inline
//! style or script: the colour comes from a same-origin stylesheet,
//! `/bind/branding.css?tenant_id=…&realm_id=…`, so the page's CSP stays as
//! strict as it is; only a logo's own origin is added to its `img-src`.
//!
//! The page's address carries the link's token: only `tenant_id` and
//! `realm_id` are read from it, and nothing of it is logged or echoed.

use super::{html_escape, html_lines, EmailBranding};
use crate::mail::DEFAULT_COLOR;
use crate::middleware::PAGE_CSP;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;

/// `/bind` and its branding stylesheet; `bind_html` is `www/bind.html`,
/// read on each request (as the static files are).
pub fn router(bind_html: PathBuf) -> Router<AppState> {
    Router::new()
        .route("/bind", get(move |state: State<AppState>, query: RawQuery| bind_page(state, query, bind_html.clone())))
        .route("/bind/branding.css", get(branding_css))
}

/// The realm a page's query names: `(tenant_id, realm_id)` when both are
/// there and look like IDs (anything else cannot name a realm: no lookup).
fn realm_of(query: Option<&str>) -> Option<(String, String)> {
    let (mut tenant, mut realm) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "tenant_id" => tenant = Some(v.into_owned()),
            "realm_id" => realm = Some(v.into_owned()),
            _ => {}
        }
    }
    let is_id = |s: &String| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Some((tenant.filter(is_id)?, realm.filter(is_id)?))
}

/// The branding of the realm the query names, if it has any. A failed
/// lookup is logged (without the query) and the page stays plain.
async fn branding_of(state: &AppState, query: Option<&str>) -> Option<(String, String, EmailBranding)> {
    let (tenant_id, realm_id) = realm_of(query)?;
    match state.branding.get_email_branding(&tenant_id, &realm_id).await {
        Ok(Some(stored)) if !stored.branding.is_default() => Some((tenant_id, realm_id, stored.branding)),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the /bind page's branding could not be read: served plain");
            None
        }
    }
}

/// The colours the stylesheet sets: the brand colour, the text on it, and
/// the variant that reads on the white page (links, heading).
fn css(branding: &EmailBranding) -> String {
    let Some(color) = &branding.primary_color else { return "/* no branding colour */\n".to_owned() };
    let on = color.text_on();
    let link = if on == "#ffffff" { color.as_str() } else { DEFAULT_COLOR };
    format!(":root {{ --brand: {}; --brand-text: {on}; --brand-link: {link}; }}\n", color.as_str())
}

/// `www/bind.html` with the branding written in (see the module comment).
fn branded_html(page: &str, tenant_id: &str, realm_id: &str, realm_name: &str, branding: &EmailBranding) -> String {
    let mut page = page.to_owned();
    if branding.primary_color.is_some() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("tenant_id", tenant_id)
            .append_pair("realm_id", realm_id)
            .finish();
        // Relative, like bind.css: works under a path prefix too.
        let link = format!("  <link rel=\"stylesheet\" href=\"bind/branding.css?{}\">\n</head>", html_escape(&query));
        page = page.replacen("</head>", &link, 1);
    }
    if let Some(logo) = &branding.logo_url {
        let alt = branding.sender_name.as_ref().map_or(realm_name, |n| n.as_str());
        let img = format!("<img class=\"brand-logo\" src=\"{}\" alt=\"{}\">\n    <h1>", html_escape(logo.as_str()), html_escape(alt));
        page = page.replacen("<h1>", &img, 1);
    }
    let mut footer = String::new();
    if let Some(support) = &branding.support_url {
        footer.push_str(&format!(
            "      <p><a class=\"brand-support\" href=\"{}\">Need help? Contact support</a></p>\n",
            html_escape(support.as_str())
        ));
    }
    if let Some(text) = &branding.footer_text {
        footer.push_str(&format!("      <p class=\"brand-footer-text\">{}</p>\n", html_lines(text.as_str())));
    }
    if !footer.is_empty() {
        page = page.replacen("</main>", &format!("  <footer class=\"brand-footer\">\n{footer}    </footer>\n  </main>"), 1);
    }
    page
}

/// `GET /bind`: the page, branded when the link names a realm with branding.
async fn bind_page(State(state): State<AppState>, RawQuery(query): RawQuery, bind_html: PathBuf) -> Response {
    let Ok(page) = tokio::fs::read_to_string(&bind_html).await else {
        tracing::error!(file = %bind_html.display(), "the /bind page cannot be read");
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut csp = None;
    let page = match branding_of(&state, query.as_deref()).await {
        Some((tenant_id, realm_id, branding)) => {
            let realm_name = match (&branding.logo_url, &branding.sender_name) {
                (Some(_), None) => state.tenants.get_realm(&tenant_id, &realm_id).await.ok().flatten().map(|r| r.display_name),
                _ => None,
            };
            // The page's CSP, with the logo's origin (only) allowed as an image source.
            csp = branding
                .logo_url
                .as_ref()
                .map(|logo| PAGE_CSP.replacen("img-src 'self' data:", &format!("img-src 'self' data: {}", logo.origin()), 1));
            branded_html(&page, &tenant_id, &realm_id, realm_name.as_deref().unwrap_or("Logo"), &branding)
        }
        None => page,
    };
    let mut response = page.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The address holds a one-time token: nothing of this answer is kept.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `GET /bind/branding.css?tenant_id=…&realm_id=…`: the realm's colour as
/// CSS custom properties (empty when it has none).
async fn branding_css(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let body = match branding_of(&state, query.as_deref()).await {
        Some((_, _, branding)) => css(&branding),
        None => "/* no branding */\n".to_owned(),
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    // A changed colour shows on the next page load.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The stylesheet and the page `/bind` writes for `branding`, and the realm
/// a page's query names (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_page(branding: &EmailBranding, query: &str) -> (String, String) {
    let _ = realm_of(Some(query));
    (css(branding), branded_html("<head></head><main><h1>Bind</h1></main>", "t1", "r1", "Realm <One>", branding))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branding::RawBranding;

    const PAGE: &str = "<head>\n<link rel=\"stylesheet\" href=\"bind.css\">\n</head>\n<main>\n<h1>Create</h1>\n</main>\n";

    #[test]
    fn only_tenant_and_realm_ids_are_read_from_the_query() {
        assert_eq!(realm_of(Some("token=s&tenant_id=t1&realm_id=r_2-x")), Some(("t1".into(), "r_2-x".into())));
        assert_eq!(realm_of(Some("tenant_id=t1")), None);
        assert_eq!(realm_of(Some("tenant_id=t1&realm_id=%3Cx%3E")), None);
        assert_eq!(realm_of(None), None);
    }

    #[test]
    fn the_branding_is_written_in_escaped() {
        let branding = EmailBranding::parse(&RawBranding {
            logo_url: Some("https://cdn.example.com/l.png?a=1&b=2".into()),
            primary_color: Some("#112233".into()),
            support_url: Some("https://help.example.com/".into()),
            footer_text: Some("<script>alert(1)</script> & \"x\"\nline".into()),
            ..RawBranding::default()
        })
        .unwrap();
        let html = branded_html(PAGE, "t", "r", "Acme <Staff>", &branding);
        assert!(html.contains("<link rel=\"stylesheet\" href=\"bind/branding.css?tenant_id=t&amp;realm_id=r\">\n</head>"), "{html}");
        assert!(
            html.contains("<img class=\"brand-logo\" src=\"https://cdn.example.com/l.png?a=1&amp;b=2\" alt=\"Acme &lt;Staff&gt;\">"),
            "{html}"
        );
        assert!(html.contains("href=\"https://help.example.com/\""), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;<br>\nline"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert_eq!(css(&branding), ":root { --brand: #112233; --brand-text: #ffffff; --brand-link: #112233; }\n");
    }
}
