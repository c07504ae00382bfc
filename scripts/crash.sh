#!/usr/bin/env bash
# The long form of the crash-durability test (issue 13, part 2): the real
# passbind-server under full bindings from 64 clients, killed with SIGKILL 20
# times per database (a SQLite file, then PostgreSQL), restarted each time on
# the same database; then every acknowledged binding, the tables' consistency,
# the audit log and every webhook delivery are checked. Prints its figures.
# `npm test` runs the short form (5 kills per database, 32 clients).
# Overrides: PASSBIND_CRASH_KILLS, PASSBIND_CRASH_CLIENTS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export PASSBIND_CRASH_LONG=1
export PASSBIND_CRASH_KILLS="${PASSBIND_CRASH_KILLS:-20}"
export PASSBIND_CRASH_CLIENTS="${PASSBIND_CRASH_CLIENTS:-64}"
# One database at a time: the kills' moments depend on the load, not on the other run.
cargo test -p passbind-server --test crash -- --test-threads=1
