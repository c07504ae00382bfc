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
# the dev tenant and realm, an identity with a RETURN job, and a spare API token,
# authenticator config and webhook that the DELETE operations may remove.
eval "$("$root/.venv/bin/python" - "$base" <<'PY'
import json, shlex, sys, urllib.request
base = sys.argv[1]
dev = json.load(urllib.request.urlopen(base + "/dev/bootstrap"))
t, r, token = dev["tenant_id"], dev["realm_id"], dev["api_token"]
def call(method, path, body):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
realm = f"/v1/tenants/{t}/realms/{r}"
identity = call("POST", realm + "/identities", {"identity": {"display_name": "Fuzz", "traits": {
    "type": "traits_v0", "username": "fuzz", "primary_email_address": "fuzz@example.com"}}})
job = call("POST", f"{realm}/identities/{identity['id']}/credential-binding-jobs",
           {"job": {"delivery_method": "RETURN", "authenticator_config_id": dev["authenticator_config_id"]}})
spare_token = call("POST", f"/v1/tenants/{t}/api-tokens", {"description": "deleted by schemathesis"})
config = call("POST", realm + "/authenticator-configs", {"authenticator_config": {"config": {"type": "hosted_web"}}})
hook = call("POST", f"/v1/tenants/{t}/webhooks", {"url": "http://127.0.0.1:9/hook"})
values = {
    "PB_TOKEN": token, "PB_TENANT": t, "PB_REALM": r, "PB_IDENTITY": identity["id"],
    "PB_JOB": job["credential_binding_job"]["id"], "PB_API_TOKEN_ID": spare_token["id"],
    "PB_CONFIG": config["id"], "PB_WEBHOOK": hook["id"],
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
