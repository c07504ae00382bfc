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
# The admin console's address (the server's own "listening on" line follows).
listen="${PASSBIND_LISTEN:-localhost:8080}" public="${PASSBIND_PUBLIC_URL:-}" prev=
for a in "$@"; do
  case "$prev|$a" in
    --listen\|*) listen=$a ;; *\|--listen=*) listen=${a#*=} ;; --public-url\|*) public=$a ;; *\|--public-url=*) public=${a#*=} ;;
  esac
  prev=$a
done
url="${public:-http://$listen}"
echo "passbind: demo at ${url%/}/ · admin console at ${url%/}/console/ (--dev: \"Use the dev token\" to sign in)"
exec target/debug/passbind-server --dev "$@"
