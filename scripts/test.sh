#!/usr/bin/env bash
# Runs the whole numis test suite: formatting, lints, and every test
# (unit tests, integration tests against the real server, the Grav corpus,
# and real third-party WMS clients, OWSLib and GDAL, in tests/clients).
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

# The clippy build ran the viewer's build script (npm ci, esbuild); esbuild
# does not check types, so TypeScript does it here.
echo "== tsc (web/)"
(cd web && npx --no-install tsc --noEmit -p .)

echo "== cargo test"
log=$(mktemp)
clients_log=$(mktemp)
trap 'rm -f "$log" "$clients_log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

echo "== real WMS clients (tests/clients)"
{ tests/clients/setup.sh && tests/clients/run.sh; } 2>&1 | tee "$clients_log"
clients_status=${PIPESTATUS[0]}
set -e
[ "$clients_status" -eq 0 ] || status=1

# One closing line for the whole suite: cargo prints one per test binary,
# pytest one for the client tests ("38 passed, 1 xfailed in 9.1s"; errors
# count as failures). If the client tests failed without pytest counting a
# failure (the server did not start, an install failed), that is one failure.
awk -v clients_status="$clients_status" '
    FILENAME == ARGV[1] && /^test result:/ {
        for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i }
    }
    FILENAME == ARGV[2] && /^(=+ )?[0-9]+ [a-z]+(, [0-9]+ [a-z]+)* in [0-9.]+s/ {
        cp = cf = 0
        for (i = 1; i <= NF; i++) {
            if ($(i+1) ~ /^passed/) cp += $i
            if ($(i+1) ~ /^(failed|errors?)/) cf += $i
        }
    }
    END {
        if (clients_status != 0 && cf == 0) cf = 1
        printf "%d passed, %d failed\n", p + cp, f + cf
    }' "$log" "$clients_log"
exit "$status"
