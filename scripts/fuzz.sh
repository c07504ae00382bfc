#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that takes untrusted bytes (fuzz/,
# cargo-fuzz + libFuzzer on stable Rust, so `--sanitizer none`).
#   scripts/fuzz.sh short [SECONDS]   every target for SECONDS (default 5) each: `npm test`
#   scripts/fuzz.sh long  [RUNS]      every target until RUNS executions (default 10,000,000): `npm run fuzz`
# FUZZ_TARGETS="link cose_key" limits the targets. Prints executions and the
# rate per target. Seeds: fuzz/corpus/<target> (committed, from fuzz/seed.mjs);
# what libFuzzer adds goes to fuzz/target/corpus/<target> (not committed).
# A crash stops the run (exit 1) and leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mode=${1:-short}
case "$mode" in
  short) limit=(-max_total_time="${2:-5}") ;;
  long) limit=(-runs="${2:-10000000}") ;;
  *) echo "usage: scripts/fuzz.sh short [SECONDS] | long [RUNS]" >&2; exit 2 ;;
esac

node fuzz/seed.mjs
start=$(date +%s)
cargo fuzz build --sanitizer none
targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
printf '[fuzz] build: %ss\n' "$(($(date +%s) - start))"

summary=()
for t in $targets; do
  mkdir -p "fuzz/target/corpus/$t" "fuzz/artifacts/$t"
  log=$(mktemp)
  t0=$(date +%s)
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one that grows past 2 GB a leak.
  if ! cargo fuzz run --sanitizer none "$t" "fuzz/target/corpus/$t" "fuzz/corpus/$t" -- \
    "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -A4 "panicked" "$log" | head -n 20 || true
    tail -n 30 "$log"
    rm -f "$log"
    echo "[fuzz] $t: CRASH (input in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  runs=$(awk '/stat::number_of_executed_units/ {print $NF}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $NF}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
  rm -f "$log"
  line=$(printf '%-20s %12s executions  %8s/s  %4ss  coverage %s' "$t" "$runs" "$rate" "$(($(date +%s) - t0))" "${cov:-?}")
  echo "[fuzz] $line"
  summary+=("$line")
done
printf '\n[fuzz] %s run, %ss in all:\n' "$mode" "$(($(date +%s) - start))"
printf '  %s\n' "${summary[@]}"
