#!/usr/bin/env bash
# npm run bench: every benchmark, then one table of the numbers against their
# targets. None of this is a test: a missed target is reported, never fatal.
#   1. SDK size            bench/sdk-size.sh
#   2. bind in the browser bench/browser-bind.mjs   (BENCH_BINDS, default 200)
#   3. service throughput  crates/loadgen           (BENCH_SECONDS per level, default 10;
#                                                     BENCH_DATABASE_URL for PostgreSQL)
# Each writes bench/out/<name>.json; bench/lib/table.mjs prints the table.
#   4. verification        crates/webauthn/benches/verify.rs (median verify_statement per
#                                                     attestation format, verify_chain per vector)
# Run one part: bash bench/run.sh size|browser|service|verify
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p bench/out
parts=("$@"); [ ${#parts[@]} -eq 0 ] && parts=(size browser service verify)

# The verification benchmark needs only cargo.
[ "${parts[*]}" = verify ] || bash scripts/setup.sh sdk browser node >&2 || echo "[bench] setup incomplete; trying anyway" >&2

for part in "${parts[@]}"; do
  case "$part" in
    size)
      echo; bash bench/sdk-size.sh || echo "[bench] SDK size failed" >&2 ;;
    browser)
      echo; echo "== bind in the browser"
      { bash scripts/build-sdk.sh 2>/dev/null && cargo build -q --release -p passbind-server &&
        node bench/browser-bind.mjs; } || echo "[bench] browser bind failed" >&2 ;;
    service)
      echo; echo "== service throughput"
      { cargo build -q --release -p passbind-server -p passbind-loadgen &&
        target/release/passbind-loadgen --server target/release/passbind-server \
          --seconds "${BENCH_SECONDS:-10}" ${BENCH_DATABASE_URL:+--database-url "$BENCH_DATABASE_URL"} \
          --json bench/out/service.json; } || echo "[bench] service throughput failed" >&2 ;;
    verify)
      echo; BENCH_OUT="$PWD/bench/out/verify.json" cargo bench -q -p passbind-webauthn --bench verify ||
        echo "[bench] verification failed" >&2 ;;
    *) echo "unknown part $part (size, browser, service, verify)" >&2 ;;
  esac
done
echo
node bench/lib/table.mjs
exit 0
