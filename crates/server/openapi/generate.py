#!/usr/bin/env python3
"""Writes ../openapi.json (served at GET /openapi.json). Edit here, run
`python3 crates/server/openapi/generate.py`, commit both; tests/openapi.rs
checks the document against the router (every route documented and every
documented operation routed)."""
import json, os

R = "/v1/tenants/{tenant_id}/realms/{realm_id}"
I = R + "/identities/{identity_id}"
J = I + "/credential-binding-jobs/{job_id}"

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def body(name, required=True):
    return {"required": required, "content": {"application/json": {"schema": ref(name)}}}
def ok(name, desc="OK"):
    return {"description": desc, "content": {"application/json": {"schema": ref(name)}}}
ERR = {"description": "Error", "content": {"application/json": {"schema": ref("Error")}}}
def errors(*codes):
    return {str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes}
def p(name, where="path", desc=None, schema=None):
    d = {"name": name, "in": where, "required": where == "path", "schema": schema or {"type": "string"}}
    if desc: d["description"] = desc
    return d

ADMIN = [{"bearer": []}]
def admin_op(op_id, summary, params, responses, req=None, tag="admin"):
    o = {"operationId": op_id, "summary": summary, "tags": [tag], "security": ADMIN, "parameters": params,
         "responses": {**responses, **errors(400, 401, 404)}}
    if req: o["requestBody"] = req
    return o
def browser_op(op_id, summary, params, responses, req=None):
    o = {"operationId": op_id, "summary": summary, "tags": ["browser"], "security": [], "parameters": params,
         "responses": {**responses, **errors(400, 403, 409, 410, 413, 422, 429)}}
    if req: o["requestBody"] = req
    return o
def preflight(op_id):
    return {"operationId": op_id, "summary": "CORS preflight (answers only the config's trusted origins)", "tags": ["browser"],
            "security": [], "parameters": [], "responses": {"204": {"description": "Preflight answer"}}}

TR = [p("tenant_id"), p("realm_id")]
TRI = TR + [p("identity_id")]
TRIJ = TRI + [p("job_id")]
PAGE = [p("page_size", "query", "Items per page (default 50, at most 1000)", {"type": "integer", "minimum": 0}),
        p("page_token", "query", "next_page_token of the previous page")]

paths = {
    "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This document", "tags": ["meta"], "security": [],
                               "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/dev/bootstrap": {"get": {"operationId": "devBootstrap", "summary": "Dev fixtures (only with --dev; 404 otherwise)", "tags": ["dev"], "security": [],
                                "responses": {"200": ok("DevBootstrap"), "404": {"description": "Not in dev mode"}}}},
    "/dev/outbox": {"get": {"operationId": "devOutbox", "summary": "Enrollment emails written to the outbox since start (only with --dev; 404 otherwise)", "tags": ["dev"], "security": [],
                             "responses": {"200": ok("DevOutbox"), "404": {"description": "Not in dev mode"}}}},
    R + "/authenticator-configs": {
        "post": admin_op("createAuthenticatorConfig", "Create an authenticator config", TR, {"200": ok("AuthenticatorConfig")}, body("AuthenticatorConfigCreate")),
        "get": admin_op("listAuthenticatorConfigs", "List authenticator configs, paginated", TR + PAGE, {"200": ok("AuthenticatorConfigList")}),
    },
    R + "/authenticator-configs/{authenticator_config_id}": {
        "get": admin_op("getAuthenticatorConfig", "Get an authenticator config", TR + [p("authenticator_config_id")], {"200": ok("AuthenticatorConfig")}),
        "delete": admin_op("deleteAuthenticatorConfig", "Delete an authenticator config (422 while jobs use it)", TR + [p("authenticator_config_id")],
                           {"200": {"description": "Deleted", "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}}}, **errors(422)}),
    },
    R + "/identities": {
        "post": admin_op("createIdentity", "Create an identity (usernames unique per realm, case-insensitive)", TR, {"200": ok("Identity"), **errors(409)}, body("IdentityCreate")),
        "get": admin_op("listIdentities", "List identities, paginated", TR + PAGE, {"200": ok("IdentityList")}),
    },
    I: {
        "get": admin_op("getIdentity", "Get an identity", TRI, {"200": ok("Identity")}),
        "patch": admin_op("updateIdentity", "Update display name, email or status", TRI, {"200": ok("Identity")}, body("IdentityPatch")),
    },
    I + "/credential-binding-jobs": {
        "post": admin_op("createCredentialBindingJob", "Create a credential-binding job", TRI, {"200": ok("CredentialBindingJobCreated"), **errors(422, 502, 503)}, body("CredentialBindingJobCreate")),
        "get": admin_op("listCredentialBindingJobs", "List an identity's credential-binding jobs, paginated", TRI + PAGE, {"200": ok("CredentialBindingJobList")}),
    },
    J: {"get": admin_op("getCredentialBindingJob", "Get a credential-binding job", TRIJ, {"200": ok("CredentialBindingJob")})},
    J + ":revoke": {"post": admin_op("revokeCredentialBindingJob", "Revoke a job (409 once COMPLETE; 422 once EXPIRED)", TRIJ,
                                     {"200": ok("CredentialBindingJob"), **errors(409, 422)})},
    J + ":invokeAuthenticator": {
        "post": browser_op("invokeAuthenticator", "Start a WebAuthn ceremony (the link's token authorizes)", TRIJ, {"200": ok("InvokeAuthenticatorResponse")}, body("InvokeAuthenticatorRequest")),
        "get": {"operationId": "openBindingLink", "summary": "A browser opening the API-form link: 302 to the page that binds", "tags": ["browser"], "security": [],
                "parameters": TRIJ + [p("token", "query", "The link's token")],
                "responses": {"302": {"description": "Redirect to {public_url}/bind (hosted_web) or {invoke_url}/bind (embedded)"}, **errors(400, 410, 429)}},
        "options": preflight("invokeAuthenticatorPreflight"),
    },
    J + ":bindCredential": {
        "post": browser_op("bindCredential", "Verify the new credential, store it, complete the job (idempotent retry)", TRIJ, {"200": ok("BindCredentialResponse")}, body("BindCredentialRequest")),
        "options": preflight("bindCredentialPreflight"),
    },
    I + "/credentials": {"get": admin_op("listCredentials", "List an identity's credentials, paginated", TRI + PAGE, {"200": ok("CredentialList")})},
    I + "/credentials/{credential_id}": {"get": admin_op("getCredential", "Get a credential", TRI + [p("credential_id")], {"200": ok("Credential")})},
    I + "/credentials/{credential_id}:revoke": {"post": admin_op("revokeCredential", "Revoke a credential (it stays listed as REVOKED)", TRI + [p("credential_id")], {"200": ok("Credential")})},
}

S = lambda **kw: {"type": "string", **kw}
TIME = S(format="date-time", example="2022-07-11T21:10:33.383828Z")
def obj(props, required=(), additional=False, **kw):
    d = {"type": "object", "properties": props, "additionalProperties": additional, **kw}
    if required: d["required"] = list(required)
    return d
config_body = obj({
    "type": S(enum=["hosted_web", "embedded"]),
    "invoke_url": S(format="uri", description="embedded only: the app's URL; the emailed link redirects to {invoke_url}/bind"),
    "trusted_origins": {"type": "array", "items": S(), "description": "embedded only: exact origins allowed to run the ceremony"},
    "rp_id": S(description="invoke_url's host or a parent domain of it (embedded); the service's host or a parent domain of it (hosted_web)"),
    "authenticator_attachment": S(enum=["platform", "cross-platform"]),
    "user_verification": S(enum=["required", "preferred", "discouraged"], description="default required (enforced)"),
    "attestation": S(enum=["none", "indirect", "direct", "enterprise"], description="default none"),
}, ["type"])
identity = obj({
    "id": S(), "realm_id": S(), "tenant_id": S(), "display_name": S(), "create_time": TIME, "update_time": TIME,
    "status": S(enum=["active", "suspended"]),
    "traits": obj({"type": S(enum=["traits_v0"]), "username": S(), "primary_email_address": S(format="email")}, ["type", "username"]),
}, ["id", "realm_id", "tenant_id", "display_name", "create_time", "update_time", "status", "traits"])
job = obj({
    "id": S(), "realm_id": S(), "tenant_id": S(), "identity_id": S(), "delivery_method": S(enum=["RETURN", "EMAIL"]),
    "state": S(enum=["LINK_SENT", "LINK_OPENED", "COMPLETE", "EXPIRED", "REVOKED", "FAILED_TO_SEND"]),
    "authenticator_config_id": S(), "post_binding_redirect_uri": S(format="uri"),
    "expire_time": TIME, "create_time": TIME, "update_time": TIME,
}, ["id", "realm_id", "tenant_id", "identity_id", "delivery_method", "state", "authenticator_config_id", "expire_time", "create_time", "update_time"], additional=True)
named = obj({"id": S(), "display_name": S()}, ["id", "display_name"])
passkey_props = {
    "id": S(), "credential_id": S(description="base64url WebAuthn credential ID"), "created": TIME,
    "state": S(enum=["ACTIVE", "REVOKED"]), "tenant": named, "realm": named,
    "identity": obj({"id": S(), "username": S(), "display_name": S(), "email_address": S()}, ["id", "username", "display_name"]),
    "authenticator": obj({"aaguid": S(format="uuid"), "attachment": S(), "transports": {"type": "array", "items": S()},
                          "backup_eligible": {"type": "boolean"}, "backed_up": {"type": "boolean"}}, ["aaguid", "transports", "backup_eligible", "backed_up"], additional=True),
}
passkey_req = ["id", "credential_id", "created", "state", "tenant", "realm", "identity", "authenticator"]
credential = obj({**passkey_props,
    "identity_id": S(), "create_time": TIME,
    "public_key_jwk": S(description="The public key as a JWK (RFC 7517), a JSON string"),
    "jwk_thumbprint": S(description="RFC 7638 SHA-256 thumbprint, base64url"),
    "alg": {"type": "integer", "description": "COSE algorithm: -8 EdDSA, -7 ES256, -257 RS256"},
    "aaguid": S(format="uuid"), "transports": {"type": "array", "items": S()},
    "backup_eligible": {"type": "boolean"}, "backed_up": {"type": "boolean"}, "attestation_format": S(),
}, passkey_req + ["identity_id", "create_time", "alg", "aaguid", "transports", "backup_eligible", "backed_up", "attestation_format"])
def listing(name, item):
    return obj({name: {"type": "array", "items": ref(item)}, "total_size": {"type": "integer"}, "next_page_token": S()}, [name, "total_size"])

schemas = {
    "Error": obj({"code": S(description="e.g. not_found, invalid_argument, INVALID_LINK, JOB_COMPLETE, resource_exhausted"),
                  "message": S(), "details": {"type": "array", "items": obj({"field": S(), "description": S()}, ["description"])}},
                 ["code", "message", "details"]),
    "AuthenticatorConfigCreate": obj({"authenticator_config": obj({"config": ref("AuthenticatorConfigBody")}, ["config"])}, ["authenticator_config"]),
    "AuthenticatorConfigBody": config_body,
    "AuthenticatorConfig": obj({"id": S(format="uuid"), "realm_id": S(), "tenant_id": S(), "config": ref("AuthenticatorConfigBody")}, ["id", "realm_id", "tenant_id", "config"]),
    "AuthenticatorConfigList": listing("authenticator_configs", "AuthenticatorConfig"),
    "IdentityCreate": obj({"identity": obj({"display_name": S(), "traits": obj({"type": S(enum=["traits_v0"]), "username": S(), "primary_email_address": S(format="email")}, ["type", "username"])}, ["display_name", "traits"])}, ["identity"]),
    "IdentityPatch": obj({"identity": obj({"display_name": S(), "status": S(enum=["active", "suspended"]), "traits": obj({"username": S(description="cannot change"), "primary_email_address": S()})})}, ["identity"]),
    "Identity": identity,
    "IdentityList": obj({"identities": {"type": "array", "items": ref("Identity")}, "total_size": {"type": "integer"}, "next_page_token": S()}, ["identities", "total_size"]),
    "CredentialBindingJobCreate": obj({"job": obj({"delivery_method": S(enum=["RETURN", "EMAIL"]), "authenticator_config_id": S(), "post_binding_redirect_uri": S(format="uri")}, ["delivery_method", "authenticator_config_id"], additional=True)}, ["job"]),
    "CredentialBindingJob": job,
    "CredentialBindingJobCreated": obj({"credential_binding_job": ref("CredentialBindingJob"), "credential_binding_link": S(format="uri", description="RETURN only")}, ["credential_binding_job"]),
    "CredentialBindingJobList": listing("credential_binding_jobs", "CredentialBindingJob"),
    "Passkey": obj(passkey_props, passkey_req, additional=True),
    "Credential": credential,
    "CredentialList": listing("credentials", "Credential"),
    "InvokeAuthenticatorRequest": obj({"token": S()}, ["token"], additional=True),
    "InvokeAuthenticatorResponse": obj({"ceremony_id": S(), "public_key": {"type": "object", "description": "PublicKeyCredentialCreationOptionsJSON (WebAuthn L3)"}, "expire_time": TIME}, ["ceremony_id", "public_key", "expire_time"]),
    "BindCredentialRequest": obj({"token": S(), "ceremony_id": S(), "credential": {"type": "object", "description": "RegistrationResponseJSON (WebAuthn L3)"}}, ["token", "ceremony_id", "credential"], additional=True),
    "BindCredentialResponse": obj({"passkey": ref("Passkey"), "post_binding_redirect_uri": {"type": ["string", "null"]}}, ["passkey", "post_binding_redirect_uri"]),
    "DevOutbox": obj({"smtp": {"type": "boolean"}, "messages": {"type": "array", "items": obj({"file": S(), "to": S(), "subject": S(), "link": S(), "create_time": S()}, ["file", "to", "subject", "link", "create_time"])}}, ["smtp", "messages"]),
    "DevBootstrap": obj({"api_base": S(), "tenant_id": S(), "realm_id": S(), "authenticator_config_id": S(), "api_token": S()}, ["api_base", "tenant_id", "realm_id", "authenticator_config_id", "api_token"]),
}
responses = {f"E{c}": {"description": d, "content": {"application/json": {"schema": ref("Error")}}} for c, d in [
    (400, "Invalid argument or invalid link (the field is named in details)"), (401, "Missing, unknown or revoked API token"),
    (403, "SECURITY: origin or RP ID not allowed"), (404, "Not found (also: another tenant's or realm's resources)"),
    (409, "Conflict (already exists, JOB_COMPLETE, ALREADY_REGISTERED)"), (410, "LINK_EXPIRED or JOB_REVOKED"),
    (413, "Request body too large"), (422, "Failed precondition / attestation rejected / identity suspended / ceremony not allowed"),
    (429, "resource_exhausted: too many failed token attempts"),
    (502, "delivery_failed: the SMTP server refused the enrollment email (the job is FAILED_TO_SEND)"),
    (503, "unavailable: the SMTP server could not be reached (the job is FAILED_TO_SEND)")]}

doc = {
    "openapi": "3.1.0",
    "info": {"title": "passbind binding service", "version": "0.1.0",
             "description": "Admin API (Bearer API token, scoped to a tenant and optionally a realm) and the two browser endpoints of a binding link."},
    "servers": [{"url": "/"}],
    "paths": paths,
    "components": {"schemas": schemas, "responses": responses,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "passbind-server token create"}}},
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
