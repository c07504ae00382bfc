//! Reading JS values by name, never by class: answers come from `JSON.parse`
//! and credentials may come from extensions, so shape is all we rely on.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// `target[key]` when `target` is an object and the value is neither
/// `undefined` nor `null`.
pub fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    if !target.is_object() {
        return None;
    }
    Reflect::get(target, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// A string property; empty when absent or not a string.
pub fn read_string(target: &JsValue, key: &str) -> String {
    get(target, key).and_then(|v| v.as_string()).unwrap_or_default()
}

pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}
