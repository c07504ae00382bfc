#!/usr/bin/env bash
# API fuzzing from the OpenAPI document (issue 13, part 4): schemathesis (PyPI, pinned in
# scripts/setup.sh) runs every operation of /openapi.json against a debug passbind-server
# --dev on a loopback port, once with the dev admin token and once with no token.
# Checks: no 5xx (not_a_server_error), every answer in its documented schema
# (response_schema_conformance) with a documented status (status_code_conformance), and no
# request past the per-request timeout. Exits non-zero on any failure.
#
# Usage: scripts/schemathesis.sh [--long]
#   default: a bounded run for npm test (SCHEMATHESIS_MAX_EXAMPLES per operation, default 20)
#   --long:  `npm run schemathesis:long`, 300 cases per operation (SCHEMATHESIS_MAX_EXAMPLES)
# Prints the operations and cases of each run. PASSBIND_SERVER_BIN picks another binary;
# SCHEMATHESIS_CHECKS other checks (e.g. `all`, which adds the strict negative/positive data,
# Allow-header and unsupported-method checks); SCHEMATHESIS_KEEP=1 keeps the run's files.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
root=$PWD

examples=${SCHEMATHESIS_MAX_EXAMPLES:-20}
if [ "${1:-}" = "--long" ]; then examples=${SCHEMATHESIS_MAX_EXAMPLES:-300}; fi

bash scripts/setup.sh schemathesis
st="$root/.venv/bin/schemathesis"
bin=${PASSBIND_SERVER_BIN:-$root/target/debug/passbind-server}
[ -n "${PASSBIND_SERVER_BIN:-}" ] || cargo build -q -p passbind-server

dir=$(mktemp -d "${TMPDIR:-/tmp}/passbind-schemathesis-XXXXXX")
server_pid=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "${SCHEMATHESIS_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
  exit "$status"
}
trap cleanup EXIT

# The server: --dev, a fresh SQLite file, the outbox for EMAIL jobs, a loopback port.
RUST_LOG=${RUST_LOG:-warn} "$bin" --dev --listen 127.0.0.1:0 --database-url "sqlite://$dir/passbind.db" \
  --outbox-dir "$dir/outbox" --www-dir www --sdk-dir pkg >"$dir/stdout" 2>"$dir/server.log" &
server_pid=$!
for _ in $(seq 300); do
  grep -q "listening on" "$dir/stdout" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/^passbind-server listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$dir/stdout")
[ -n "$port" ] || { echo "the server did not start" >&2; cat "$dir/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

# Fixtures, so the generated requests reach the handlers instead of 404 on random IDs:
# the dev tenant and realm, an identity with a RETURN job and a passkey (bound through
# :invokeAuthenticator and :bindCredential with a `none` attestation made here), and a
# spare API token, authenticator config and webhook that the DELETE operations may remove.
eval "$("$root/.venv/bin/python" - "$base" <<'PY'
import base64, hashlib, json, shlex, sys, urllib.parse, urllib.request
import cbor2
base = sys.argv[1]
dev = json.load(urllib.request.urlopen(base + "/dev/bootstrap"))
t, r, token = dev["tenant_id"], dev["realm_id"], dev["api_token"]
# The page a browser would bind from: the service's public origin (its hosted /bind page).
origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(dev["api_base"]))
def call(method, path, body, auth=True):
    headers = {"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if auth else {})}
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(), headers=headers)
    try:
        return json.load(urllib.request.urlopen(req))
    except urllib.error.HTTPError as e:
        sys.exit(f"fixture: {method} {path}: {e.code} {e.read().decode()}")
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def bind_passkey(link):
    """A passkey for the job of `link`, as a browser with a `none`-attesting authenticator binds it."""
    url = urllib.parse.urlsplit(link)
    link_token = urllib.parse.parse_qs(url.query)["token"][0]
    path = url.path.removesuffix(":invokeAuthenticator")
    options = call("POST", path + ":invokeAuthenticator", {"token": link_token}, auth=False)
    client_data = json.dumps({"type": "webauthn.create", "challenge": options["public_key"]["challenge"],
                              "origin": origin, "crossOrigin": False}).encode()
    # The credential key: P-256's base point (any point on the curve does; nothing is signed).
    x = bytes.fromhex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")
    y = bytes.fromhex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
    cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})
    credential_id = hashlib.sha256(link_token.encode()).digest()
    auth_data = (hashlib.sha256(options["public_key"]["rp"]["id"].encode()).digest() + bytes([0x45])
                 + bytes(4) + bytes(16) + len(credential_id).to_bytes(2, "big") + credential_id + cose_key)
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
    credential = {"id": b64u(credential_id), "rawId": b64u(credential_id), "type": "public-key",
                  "response": {"clientDataJSON": b64u(client_data), "attestationObject": b64u(attestation),
                               "transports": ["internal"]},
                  "clientExtensionResults": {}}
    answer = call("POST", path + ":bindCredential",
                  {"token": link_token, "ceremony_id": options["ceremony_id"], "credential": credential}, auth=False)
    return answer["passkey"]["id"]
realm = f"/v1/tenants/{t}/realms/{r}"
identity = call("POST", realm + "/identities", {"identity": {"display_name": "Fuzz", "traits": {
    "type": "traits_v0", "username": "fuzz", "primary_email_address": "fuzz@example.com"}}})
job = call("POST", f"{realm}/identities/{identity['id']}/credential-binding-jobs",
           {"job": {"delivery_method": "RETURN", "authenticator_config_id": dev["authenticator_config_id"]}})
bound = call("POST", f"{realm}/identities/{identity['id']}/credential-binding-jobs",
             {"job": {"delivery_method": "RETURN", "authenticator_config_id": dev["authenticator_config_id"]}})
passkey = bind_passkey(bound["credential_binding_link"])
spare_token = call("POST", f"/v1/tenants/{t}/api-tokens", {"description": "deleted by schemathesis"})
config = call("POST", realm + "/authenticator-configs", {"authenticator_config": {"config": {"type": "hosted_web"}}})
hook = call("POST", f"/v1/tenants/{t}/webhooks", {"url": "http://127.0.0.1:9/hook"})
values = {
    "PB_TOKEN": token, "PB_TENANT": t, "PB_REALM": r, "PB_IDENTITY": identity["id"],
    "PB_JOB": job["credential_binding_job"]["id"], "PB_API_TOKEN_ID": spare_token["id"],
    "PB_CONFIG": config["id"], "PB_WEBHOOK": hook["id"], "PB_CREDENTIAL": passkey,
}
for k, v in values.items():
    print(f"export {k}={shlex.quote(v)}")
PY
)"

checks=${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance}
# One run; prints its operations and cases (from schemathesis's summary) and keeps its exit status.
run() {
  local name=$1; shift
  local out="$dir/$name.txt" status=0
  echo "== schemathesis ($name): $examples cases per operation at most"
  "$st" --config-file scripts/schemathesis.toml run "$base/openapi.json" --url "$base" --checks "$checks" \
    --max-examples "$examples" --request-timeout 10 --workers 1 --no-color "$@" >"$out" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    sed -n '/FAILURES\|Failed\|ERRORS/,$p' "$out" | head -200
  fi
  local ops cases
  ops=$(sed -n 's/^ *Tested: \([0-9]*\).*/\1/p' "$out" | head -1)
  cases=$(sed -n 's/^ *\([0-9]* generated.*\)/\1/p' "$out" | head -1)
  echo "schemathesis ($name): ${ops:-?} operations tested, test cases: ${cases:-?}"
  return "$status"
}

status=0
run "admin token" -H "Authorization: Bearer $PB_TOKEN" || status=1
run "no token" || status=1
if ! kill -0 "$server_pid" 2>/dev/null; then echo "the server died during the run" >&2; status=1; fi
if grep -q "panicked" "$dir/server.log"; then grep -m5 -A3 "panicked" "$dir/server.log" >&2; status=1; fi
exit "$status"
