//! The suites' HTTP client: reqwest, with every response checked against the
//! OpenAPI document (`schema::check`) before the test sees it. The request
//! builder offers what the suites use; the response is reqwest's own, rebuilt
//! from the bytes that were checked.

use super::schema;
use axum::http;
use reqwest::Method;

#[derive(Clone)]
pub struct CheckedHttp(reqwest::Client);

impl CheckedHttp {
    /// Redirects are not followed: the suites look at the 302 of a link.
    pub fn new() -> Self {
        CheckedHttp(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap())
    }

    pub fn request(&self, method: Method, url: impl reqwest::IntoUrl) -> CheckedRequest {
        CheckedRequest(self.0.request(method, url))
    }

    pub fn get(&self, url: impl reqwest::IntoUrl) -> CheckedRequest {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: impl reqwest::IntoUrl) -> CheckedRequest {
        self.request(Method::POST, url)
    }
}

pub struct CheckedRequest(reqwest::RequestBuilder);

impl CheckedRequest {
    pub fn header(self, name: &str, value: impl AsRef<str>) -> Self {
        CheckedRequest(self.0.header(name, value.as_ref()))
    }

    pub fn bearer_auth(self, token: impl std::fmt::Display) -> Self {
        CheckedRequest(self.0.bearer_auth(token))
    }

    pub fn json<T: serde::Serialize + ?Sized>(self, body: &T) -> Self {
        CheckedRequest(self.0.json(body))
    }

    pub fn body(self, body: impl Into<reqwest::Body>) -> Self {
        CheckedRequest(self.0.body(body))
    }

    /// Sends, reads the whole body, checks the answer against the document.
    pub async fn send(self) -> reqwest::Result<reqwest::Response> {
        let (client, request) = self.0.build_split();
        let request = request?;
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let response = client.execute(request).await?;
        let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
        let bytes = response.bytes().await?;
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        schema::check(method.as_str(), &path, status.as_u16(), content_type, &bytes);
        let mut rebuilt = http::Response::new(bytes);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}
