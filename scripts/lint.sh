#!/usr/bin/env bash
# The lint step (.ci/run runs it before npm test; also `npm run lint`):
# rustfmt (rustfmt.toml), clippy with warnings as errors on every crate and
# target, the SDK also as the wasm32 code it ships as, and no source file
# (Rust, JavaScript, shell, Python) over 400 lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh sdk

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p passbind --target wasm32-unknown-unknown --lib --tests -- -D warnings
# No source file over 400 lines (tracked or new, not ignored).
long=$(git ls-files -co --exclude-standard '*.rs' '*.js' '*.mjs' '*.sh' '*.py' | while IFS= read -r f; do [ -f "$f" ] && wc -l "$f"; done |
  awk '$1 > 400 { print "  " $2 " (" $1 " lines)" }')
if [ -n "$long" ]; then
  echo "Source files over 400 lines:" >&2
  echo "$long" >&2
  exit 1
fi
