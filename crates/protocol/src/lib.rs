//! The contract between the passbind SDK (in the browser) and the binding
//! service: the binding-link grammar, the JSON wire types of the two browser
//! endpoints, and the one list of error codes. No I/O lives here.

pub mod base64url;
mod error;
mod link;
mod url_parse;
pub mod wire;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use link::{is_url_safe_id, job_path, BindingLink, LinkError};
pub use url_parse::parse_url;
