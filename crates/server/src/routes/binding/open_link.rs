//! The browser `GET` of an API-form link (from an enrollment email): a 302
//! to the page that runs the ceremony.

use super::*;

/// A browser `GET` of the API-form link (e.g. from an enrollment email):
/// 302 to the page that runs the ceremony (passbind's `/bind` for
/// hosted_web, the app's `invoke_url/bind` for embedded); the job becomes
/// `LINK_OPENED`. A link that cannot be used gets no redirect: a readable
/// HTML page for browsers (`Accept: text/html`), the JSON error otherwise.
pub async fn open_link(state: &AppState, client: ClientAddr, p: &JobPath, headers: &HeaderMap, query: Option<&str>) -> Response {
    let html = crate::pages::wants_html(headers);
    let refuse = |e: ApiError| if html && e.code().is_binding_code() { crate::pages::link_problem(e.code()) } else { e.into_response() };
    let token = query
        .into_iter()
        .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()))
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let ctx = match authorize_token_limited(state, client, ctx, &token).await {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let now = now_micros();
    if let Err(e) = check_open(&ctx, now) {
        return refuse(e);
    }
    if ctx.job.state == JobState::LinkSent {
        if let Err(e) = state.binding.open_link(&ctx.job.id, now).await {
            return ApiError::from(e).into_response();
        }
    }
    let link = BindingLink {
        api_base: state.public_url.clone(),
        tenant_id: p.tenant_id.clone(),
        realm_id: p.realm_id.clone(),
        identity_id: p.identity_id.clone(),
        job_id: p.job_id.clone(),
        token,
    };
    let target = match (ctx.config.config_type, &ctx.config.invoke_url) {
        (ConfigType::Embedded, Some(invoke_url)) => link.redirect_url(invoke_url),
        _ => link.redirect_url(&state.public_url),
    };
    match HeaderValue::from_str(&target) {
        Ok(location) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, location),
                // The URL holds the token: keep it out of caches and Referer headers.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            ],
        )
            .into_response(),
        Err(_) => ApiError::internal("redirect URL is not a header value").into_response(),
    }
}
