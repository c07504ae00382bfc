//! The SDK's own `AbortController`, linked to the caller's `AbortSignal`.
//!
//! gloo-net reaches `unreachable!` (a trap under `panic = "abort"`, which
//! would leave the module unusable) when fetch rejects with a value that is
//! not an `Error` — and `controller.abort("some reason")` on the caller's
//! side makes fetch reject with exactly that string. So neither fetch nor
//! `navigator.credentials.create` ever sees the caller's signal: they get
//! this controller's, whose reason is always the default `AbortError`
//! DOMException. The caller's own reason still becomes the `.cause` of the
//! `ABORTED` error (see [`LinkedAbort::error_or`]).

use crate::error::BindError;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, AddEventListenerOptions};

/// One `bindPasskey` call's abort state. Dropping it unhooks the listener
/// from the caller's signal, which may outlive many calls.
pub struct LinkedAbort {
    caller: Option<AbortSignal>,
    controller: Option<AbortController>,
    listener: Option<Closure<dyn FnMut()>>,
}

impl LinkedAbort {
    pub fn new(caller: Option<AbortSignal>) -> Self {
        let controller = AbortController::new().ok();
        let mut linked = LinkedAbort { caller, controller, listener: None };
        if let (Some(caller), Some(controller)) = (&linked.caller, &linked.controller) {
            if caller.aborted() {
                controller.abort();
            } else {
                let own = controller.clone();
                let listener = Closure::<dyn FnMut()>::new(move || own.abort());
                let once = AddEventListenerOptions::new();
                once.set_once(true);
                let _ = caller.add_event_listener_with_callback_and_add_event_listener_options(
                    "abort",
                    listener.as_ref().unchecked_ref(),
                    &once,
                );
                linked.listener = Some(listener);
            }
        }
        linked
    }

    /// The signal handed to fetch and to `navigator.credentials.create`.
    pub fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }

    /// `ABORTED` (cause: the caller's reason) once the caller's signal fired.
    pub fn check(&self) -> Result<(), BindError> {
        match &self.caller {
            Some(s) if s.aborted() => Err(BindError::Aborted(s.reason())),
            _ => Ok(()),
        }
    }

    /// `error`, unless the caller aborted: then the failure was the abort.
    pub fn error_or(&self, error: BindError) -> BindError {
        self.check().err().unwrap_or(error)
    }
}

impl Drop for LinkedAbort {
    fn drop(&mut self) {
        if let (Some(caller), Some(listener)) = (&self.caller, &self.listener) {
            let _ = caller.remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        }
    }
}
