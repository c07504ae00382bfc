#!/usr/bin/env bash
# The lint step (.ci/run runs it before npm test; also `npm run lint`):
# rustfmt (rustfmt.toml), clippy with warnings as errors on every crate and
# target, and the SDK also as the wasm32 code it ships as.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh sdk

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p passbind --target wasm32-unknown-unknown --lib --tests -- -D warnings
