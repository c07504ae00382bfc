//! Lists in the admin API: `?page_size=&page_token=` in, `{"<name>": [...],
//! "total_size", "next_page_token"?}` out, ordered by (create_time, id).

use crate::error::{ApiError, ApiResult};
use serde::Serialize;

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 1000;

pub struct Page {
    pub size: i64,
    pub after: Option<(i64, String)>,
}

pub fn page_token(create_time: i64, id: &str) -> String {
    passbind_protocol::base64url::encode(format!("{create_time}:{id}").as_bytes())
}

pub fn parse_page(query: Option<&str>) -> ApiResult<Page> {
    let mut page = Page { size: DEFAULT_PAGE_SIZE, after: None };
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "page_size" => {
                let n: i64 = v.parse().map_err(|_| ApiError::invalid_argument("page_size", "must be an integer"))?;
                if n < 0 {
                    return Err(ApiError::invalid_argument("page_size", "must not be negative"));
                }
                page.size = if n == 0 { DEFAULT_PAGE_SIZE } else { n.min(MAX_PAGE_SIZE) };
            }
            "page_token" if v.is_empty() => {}
            "page_token" => {
                let bad = || ApiError::invalid_argument("page_token", "not a page token from this list");
                let raw = passbind_protocol::base64url::decode(&v).ok_or_else(bad)?;
                let text = String::from_utf8(raw).map_err(|_| bad())?;
                let (t, id) = text.split_once(':').ok_or_else(bad)?;
                page.after = Some((t.parse().map_err(|_| bad())?, id.to_owned()));
            }
            other => return Err(ApiError::invalid_argument(other, "unknown query parameter")),
        }
    }
    Ok(page)
}

/// A list answer for items already ordered by (create_time, id):
/// `{"<name>": [...], "total_size", "next_page_token"?}`, one page of it.
pub fn paged_body<I, T: Serialize>(
    name: &str,
    items: &[I],
    key: impl Fn(&I) -> (i64, String),
    view: impl Fn(&I) -> T,
    page: &Page,
) -> serde_json::Value {
    let total = items.len();
    let rest: Vec<&I> = items.iter().filter(|i| page.after.as_ref().is_none_or(|after| key(i) > *after)).collect();
    let shown: Vec<T> = rest.iter().take(page.size as usize).map(|i| view(i)).collect();
    let mut body = list_body(name, shown);
    body["total_size"] = total.into();
    if rest.len() as i64 > page.size {
        let (t, id) = key(rest[page.size as usize - 1]);
        body["next_page_token"] = page_token(t, &id).into();
    }
    body
}

/// Lists as the admin API answers them: `{"<name>": [...], "total_size": n}`.
pub fn list_body<T: Serialize>(name: &str, items: Vec<T>) -> serde_json::Value {
    let total = items.len();
    let mut map = serde_json::Map::new();
    map.insert(name.to_owned(), serde_json::to_value(items).unwrap_or_default());
    map.insert("total_size".to_owned(), total.into());
    serde_json::Value::Object(map)
}
