//! The policy in the config API: validated, stored, shown.

use crate::common::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

pub(crate) async fn the_policy_is_validated_and_shown_in_the_config_view(db: Db) {
    let s = TestServer::start_on(db).await;
    let field = |r: &Resp| r.error().details[0].field.clone().unwrap_or_default();

    let r = create_config(&s, json!({"aaguid_allow": [GPM], "aaguid_deny": [HELLO]}), None).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{}", r.body);
    assert_eq!(field(&r), "authenticator_config.config.policy");

    let r = create_config(&s, json!({"aaguid_deny": [GPM, "not-a-uuid"]}), None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(field(&r), "authenticator_config.config.policy.aaguid_deny[1]");

    let many: Vec<String> = (0..1001).map(|i| format!("00000000-0000-4000-8000-{i:012}")).collect();
    let r = create_config(&s, json!({"aaguid_allow": many}), None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(field(&r), "authenticator_config.config.policy.aaguid_allow");

    let r = create_config(&s, json!({"certified_only": "yes"}), None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = create_config(&s, json!({"unknown_rule": true}), None).await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Attestation required cannot work with conveyance `none` (the browser strips the statement) …
    let r = create_config(&s, json!({"attestation_required": true}), Some("none")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(field(&r), "authenticator_config.config.attestation");
    // … and asks for `direct` when the config names no conveyance.
    let r = create_config(&s, json!({"attestation_required": true, "aaguid_allow": [GPM.to_uppercase(), GPM]}), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["config"]["attestation"], "direct");
    let want = json!({"attestation_required": true, "aaguid_allow": [GPM], "aaguid_deny": [], "certified_only": false});
    assert_eq!(r.body["config"]["policy"], want);
    let got = s.admin(Method::GET, &format!("{}/authenticator-configs/{}", s.realm_path(), r.body["id"].as_str().unwrap()), None).await;
    assert_eq!(got.body["config"]["policy"], want);

    // A config that asks nothing shows no policy, as before.
    let r = create_config(&s, json!({}), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["config"].get("policy").is_none(), "{}", r.body);
}
