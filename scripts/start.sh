#!/usr/bin/env bash
# npm start: install what is missing, build the SDK, run the service with the
# demo on an embedded SQLite database (data/passbind.db). Extra arguments go
# to passbind-server (see `passbind-server --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh sdk node
bash scripts/build-sdk.sh
cargo build -p passbind-server
exec target/debug/passbind-server --dev "$@"
