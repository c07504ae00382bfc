//! One small router per resource; `binding` holds the two browser endpoints,
//! `views` the resources' JSON shapes. Shared here: the URL rules.

pub mod api_tokens;
pub mod authenticator_configs;
pub mod authenticator_policy;
pub mod binding;
pub mod console_session;
pub mod credential_binding_jobs;
pub mod credentials;
pub mod dev;
pub mod email_branding;
pub mod events;
pub mod identities;
pub mod realms;
pub mod webhooks;

mod views;

pub use views::*;

/// `https` URLs, or `http` on a loopback host (local development).
pub fn is_secure_or_loopback(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// `scheme://host[:port]` of a URL (default ports omitted), as browsers write origins.
pub fn origin_of(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}
