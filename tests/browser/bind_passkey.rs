//! The whole bindPasskey, with fetch standing in for the service.

use crate::helpers::*;
use js_sys::{Array, Function, Object, Reflect};
use passbind_protocol::base64url;
use passbind_protocol::wire;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

/// Replaces `fetch` for `https://api.passbind.test` only; returns the restore
/// function. The fake service answers like the real one and records requests.
fn fake_service() -> Function {
    js(r#"
        const original = globalThis.fetch;
        const requests = globalThis.__passbindRequests = [];
        const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
        globalThis.fetch = async (input, init) => {
            const request = new Request(input, init);
            const url = request.url;
            if (!url.startsWith("https://api.passbind.test/")) return original(input, init);
            const body = await request.json();
            requests.push({ url, method: request.method, contentType: request.headers.get("content-type"), body });
            if (body.token === "expired") return json(410, { code: "LINK_EXPIRED", message: "the binding link has expired", details: [] });
            if (body.token === "refused" && url.endsWith(":bindCredential")) return json(422, { code: "ATTESTATION_REJECTED", message: "no", details: [] });
            if (body.token === "slow") return new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
            if (body.token === "flaky" && url.endsWith(":bindCredential") && requests.filter((r) => r.body.token === "flaky").length === 2)
                throw new TypeError("Failed to fetch");
            if (url.endsWith(":invokeAuthenticator")) return json(200, {
                ceremony_id: "cer_1", expire_time: "2030-01-01T00:00:00Z",
                public_key: {
                    rp: { id: "localhost", name: "passbind" },
                    user: { id: "dXNlci0x", name: "ada", displayName: "Ada" },
                    challenge: "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0",
                    pubKeyCredParams: [{ type: "public-key", alg: -8 }, { type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
                    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
                    attestation: "none", extensions: { credProps: true },
                },
            });
            return json(200, {
                passkey: {
                    id: "cred_1", credential_id: body.credential.id, created: "2025-01-01T00:00:00Z", state: "ACTIVE",
                    tenant: { id: "t1", display_name: "Tenant" }, realm: { id: "r1", display_name: "Realm" },
                    identity: { id: "i1", username: "ada", display_name: "Ada", email_address: null },
                    authenticator: { aaguid: "01020304-0506-0708-0102-030405060708", attachment: body.credential.authenticatorAttachment,
                                     transports: body.credential.response.transports, backup_eligible: false, backed_up: false },
                },
                post_binding_redirect_uri: "https://app.example.com/done",
            });
        };
        return () => { globalThis.fetch = original; };
    "#)
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn bind_passkey_runs_the_whole_flow() {
    let restore = fake_service();
    let link =
        "https://api.passbind.test/prefix/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=tok-1";
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &timeout_signal()).unwrap();
    let result = passbind::bind_passkey(link.into(), Some(options.unchecked_into())).await;
    let expired = passbind::bind_passkey(link.replace("tok-1", "expired").into(), None).await;
    restore.call0(&JsValue::NULL).unwrap();

    let result = result.unwrap();
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    assert_eq!(requests.length(), 3);
    let invoke = requests.get(0);
    assert_eq!(
        get(&invoke, "url").as_string().unwrap(),
        "https://api.passbind.test/prefix/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator"
    );
    assert_eq!(get(&invoke, "method").as_string().unwrap(), "POST");
    assert_eq!(get(&invoke, "contentType").as_string().unwrap(), "application/json");
    assert_eq!(get(&invoke, "body.token").as_string().unwrap(), "tok-1");
    let bind = requests.get(1);
    assert!(get(&bind, "url").as_string().unwrap().ends_with("/j1:bindCredential"));
    assert_eq!(get(&bind, "body.token").as_string().unwrap(), "tok-1");
    assert_eq!(get(&bind, "body.ceremony_id").as_string().unwrap(), "cer_1");
    let client_data = base64url::decode(&get(&bind, "body.credential.response.clientDataJSON").as_string().unwrap()).unwrap();
    let client_data: serde_json::Value = serde_json::from_slice(&client_data).unwrap();
    assert_eq!(client_data["challenge"], "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0");
    assert_eq!(client_data["type"], "webauthn.create");

    // camelCase, nulls kept.
    assert_eq!(get(&result, "passkey.credentialId"), get(&bind, "body.credential.id"));
    assert_eq!(get(&result, "passkey.tenant.displayName").as_string().unwrap(), "Tenant");
    assert_eq!(get(&result, "passkey.identity.displayName").as_string().unwrap(), "Ada");
    assert!(get(&result, "passkey.identity.emailAddress").is_null());
    assert_eq!(get(&result, "passkey.authenticator.attachment").as_string().unwrap(), "platform");
    assert_eq!(get(&result, "passkey.authenticator.backupEligible").as_bool(), Some(false));
    assert_eq!(get(&result, "postBindingRedirectUri").as_string().unwrap(), "https://app.example.com/done");

    // What the SDK sent is the protocol's request type.
    let sent = String::from(js_sys::JSON::stringify(&get(&bind, "body")).unwrap());
    let sent: wire::BindCredentialRequest = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent.credential.id, sent.credential.raw_id);
    assert_eq!(sent.credential.response.transports, ["internal"]);

    let error = expired.unwrap_err();
    assert_error(&error, "LINK_EXPIRED");
    assert_eq!(get(&error, "cause.code").as_string().unwrap(), "LINK_EXPIRED");
}

#[wasm_bindgen_test]
async fn bind_passkey_retries_a_lost_bind_once_and_honours_a_late_abort() {
    let restore = fake_service();
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=flaky";
    let flaky = passbind::bind_passkey(link.into(), None).await;
    let options = Object::new();
    let reason = js("return new Error('gone');");
    let signal = js("const c = new AbortController(); setTimeout(() => c.abort(globalThis.__reason), 50); return c.signal;");
    Reflect::set(&js_sys::global(), &"__reason".into(), &reason).unwrap();
    Reflect::set(&options, &"signal".into(), &signal).unwrap();
    let slow = passbind::bind_passkey(link.replace("flaky", "slow").into(), Some(options.unchecked_into())).await;
    restore.call0(&JsValue::NULL).unwrap();

    assert_eq!(get(&flaky.unwrap(), "postBindingRedirectUri").as_string().unwrap(), "https://app.example.com/done");
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    let binds = requests.iter().filter(|r| get(r, "url").as_string().unwrap().ends_with(":bindCredential")).count();
    assert_eq!(binds, 2);

    let error = assert_error(&slow.unwrap_err(), "ABORTED");
    assert!(Object::is(&get(&error, "cause"), &reason));
}

/// Replaces `navigator.credentials.create` with one that first runs `before`
/// (a JS function body with `controller` in scope), then the real one.
fn wrap_create(before: &str) -> Function {
    js(&format!(
        r#"
        const container = navigator.credentials;
        const original = container.create;
        container.create = function (options) {{ {before}; return original.call(container, options); }};
        return () => {{ container.create = original; }};
        "#
    ))
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_string_abort_reason_is_the_cause_and_the_module_keeps_working() {
    let restore = fake_service();
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=";
    // Aborted with a string while fetch is in flight (the value gloo-net must never see)…
    let during_fetch = js("const c = new AbortController(); setTimeout(() => c.abort('user navigated away'), 50); return c.signal;");
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &during_fetch).unwrap();
    let fetch_aborted = passbind::bind_passkey(format!("{link}slow").into(), Some(options.unchecked_into())).await;

    // …and with a string during the ceremony itself.
    let controller = js("return globalThis.__controller = new AbortController();");
    let unwrap = wrap_create("globalThis.__controller.abort('closed the dialog')");
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &get(&controller, "signal")).unwrap();
    let create_aborted = passbind::bind_passkey(format!("{link}tok-2").into(), Some(options.unchecked_into())).await;
    unwrap.call0(&JsValue::NULL).unwrap();

    // The same module instance binds afterwards.
    let bound = passbind::bind_passkey(format!("{link}tok-3").into(), None).await;
    restore.call0(&JsValue::NULL).unwrap();

    let error = assert_error(&fetch_aborted.unwrap_err(), "ABORTED");
    assert_eq!(get(&error, "cause").as_string().as_deref(), Some("user navigated away"));
    let error = assert_error(&create_aborted.unwrap_err(), "ABORTED");
    assert_eq!(get(&error, "cause").as_string().as_deref(), Some("closed the dialog"));
    assert_eq!(get(&bound.unwrap(), "passkey.state").as_string().as_deref(), Some("ACTIVE"));
}

#[wasm_bindgen_test]
async fn a_refused_credential_is_signalled_unknown_to_the_browser() {
    let restore = fake_service();
    // A spy in place of the browser's method (the call, not its effect, is ours).
    let calls = js(r#"
        const calls = [];
        globalThis.__original = PublicKeyCredential.signalUnknownCredential;
        PublicKeyCredential.signalUnknownCredential = (options) => { calls.push(options); return Promise.reject(new Error("ignored")); };
        return calls;
    "#);
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=";
    let refused = passbind::bind_passkey(format!("{link}refused").into(), None).await;
    let expired = passbind::bind_passkey(format!("{link}expired").into(), None).await;
    js("PublicKeyCredential.signalUnknownCredential = globalThis.__original; return null;");
    restore.call0(&JsValue::NULL).unwrap();

    assert_error(&refused.unwrap_err(), "ATTESTATION_REJECTED");
    assert_error(&expired.unwrap_err(), "LINK_EXPIRED");
    let calls: Array = calls.unchecked_into();
    assert_eq!(calls.length(), 1, "only the credential the service refused is signalled");
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    let sent = requests.iter().find(|r| get(r, "url").as_string().unwrap().ends_with(":bindCredential")).unwrap();
    assert_eq!(get(&calls.get(0), "rpId").as_string().as_deref(), Some("localhost"));
    assert_eq!(get(&calls.get(0), "credentialId"), get(&sent, "body.credential.id"));
}
