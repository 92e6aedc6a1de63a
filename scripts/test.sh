#!/usr/bin/env bash
# Runs the whole numis test suite: formatting, lints, and every test
# (unit tests, integration tests against the real server, the Grav corpus).
# Installs whatever the tests need that is not already on the machine, so a
# fresh clone needs nothing else. CI (`.ci/run`) calls exactly this script.
#
# The shared test material (../shared beside the repository) is read in
# place; NUMIS_SHARED_DIR points elsewhere. Outside CI a missing corpus is a
# visible skip; with CI=true it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
