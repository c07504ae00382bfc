//! The two request bodies as JSON text, written by hand: serde with
//! serde-wasm-bindgen cost the SDK about 3 KB gzipped for two small objects
//! (bench/RESULTS.md). The unit test below checks the text against serde's
//! serialization of the protocol's wire types, so the two cannot drift.

use passbind_protocol::wire::{AttestationResponse, BindCredentialRequest, InvokeAuthenticatorRequest, RegistrationResponse};

/// A request body the SDK can send.
pub trait ToJson {
    fn write_json(&self, out: &mut Json);
    fn to_json(&self) -> String {
        let mut out = Json(String::with_capacity(1024));
        self.write_json(&mut out);
        out.0
    }
}

/// An append-only JSON writer; objects are written member by member.
pub struct Json(pub String);

impl Json {
    fn open(&mut self) {
        self.0.push('{');
    }
    fn close(&mut self) {
        if self.0.ends_with(',') {
            self.0.pop();
        }
        self.0.push_str("},");
    }
    fn key(&mut self, key: &str) {
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }
    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        self.quoted(value);
        self.0.push(',');
    }
    fn opt_string(&mut self, key: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.string(key, v);
        }
    }
    fn quoted(&mut self, value: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        for c in value.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                '\n' => self.0.push_str("\\n"),
                '\r' => self.0.push_str("\\r"),
                '\t' => self.0.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    self.0.push_str("\\u00");
                    self.0.push(HEX[(c as usize) >> 4] as char);
                    self.0.push(HEX[(c as usize) & 15] as char);
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }
    /// Strips the trailing `,` left after the outermost value.
    fn finish(&mut self) {
        if self.0.ends_with(',') {
            self.0.pop();
        }
    }
}

impl ToJson for InvokeAuthenticatorRequest {
    fn write_json(&self, out: &mut Json) {
        out.open();
        out.string("token", &self.token);
        out.close();
        out.finish();
    }
}

impl ToJson for BindCredentialRequest {
    fn write_json(&self, out: &mut Json) {
        out.open();
        out.string("token", &self.token);
        out.string("ceremony_id", &self.ceremony_id);
        out.key("credential");
        write_registration(out, &self.credential);
        out.close();
        out.finish();
    }
}

fn write_registration(out: &mut Json, r: &RegistrationResponse) {
    out.open();
    out.string("id", &r.id);
    out.string("rawId", &r.raw_id);
    out.string("type", &r.type_);
    out.key("response");
    write_attestation(out, &r.response);
    out.opt_string("authenticatorAttachment", &r.authenticator_attachment);
    out.key("clientExtensionResults");
    out.open();
    if let Some(props) = &r.client_extension_results.cred_props {
        out.key("credProps");
        out.open();
        if let Some(rk) = props.rk {
            out.key("rk");
            out.0.push_str(if rk { "true," } else { "false," });
        }
        out.close();
    }
    out.close();
    out.close();
}

fn write_attestation(out: &mut Json, a: &AttestationResponse) {
    out.open();
    out.string("clientDataJSON", &a.client_data_json);
    out.string("attestationObject", &a.attestation_object);
    out.opt_string("authenticatorData", &a.authenticator_data);
    out.key("transports");
    out.0.push('[');
    for (i, t) in a.transports.iter().enumerate() {
        if i > 0 {
            out.0.push(',');
        }
        out.quoted(t);
    }
    out.0.push_str("],");
    if let Some(alg) = a.public_key_algorithm {
        out.key("publicKeyAlgorithm");
        if alg < 0 {
            out.0.push('-');
        }
        passbind_protocol::push_decimal(&mut out.0, alg.unsigned_abs());
        out.0.push(',');
    }
    out.opt_string("publicKey", &a.public_key);
    out.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use passbind_protocol::wire::{ClientExtensionResults, CredProps};

    fn registration(full: bool) -> RegistrationResponse {
        RegistrationResponse {
            id: "aWQ".into(),
            raw_id: "aWQ".into(),
            type_: "public-key".into(),
            response: AttestationResponse {
                client_data_json: "e30".into(),
                attestation_object: "o2Nm".into(),
                authenticator_data: full.then(|| "YXV0aA".into()),
                transports: if full { vec!["internal".into(), "hybrid".into()] } else { vec![] },
                public_key_algorithm: full.then_some(-257),
                public_key: full.then(|| "cGs".into()),
            },
            authenticator_attachment: full.then(|| "platform".into()),
            client_extension_results: ClientExtensionResults { cred_props: full.then_some(CredProps { rk: Some(true) }) },
        }
    }

    #[test]
    fn same_json_as_serde_of_the_wire_types() {
        let token = "tok \"quoted\" \\ \n\t\u{1} é";
        let invoke = InvokeAuthenticatorRequest { token: token.into() };
        let text = invoke.to_json();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), serde_json::to_value(&invoke).unwrap());
        for full in [true, false] {
            for rk in [Some(false), None] {
                let mut credential = registration(full);
                if full {
                    credential.client_extension_results.cred_props = Some(CredProps { rk });
                }
                let bind = BindCredentialRequest { token: token.into(), ceremony_id: "cer_1".into(), credential };
                let text = bind.to_json();
                let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
                assert_eq!(value, serde_json::to_value(&bind).unwrap(), "{text}");
            }
        }
    }
}
