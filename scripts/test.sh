#!/usr/bin/env bash
# Runs the whole numis test suite: formatting, lints, and every test
# (unit tests, integration tests against the real server on SQLite and
# again on PostgreSQL, the Grav corpus,
# real third-party WMS clients, OWSLib and GDAL, in tests/clients, and the
# map viewer in a real browser, web/e2e).
# Installs whatever the tests need that is not already on the machine, so a
# fresh clone needs nothing else. CI (`.ci/run`) calls exactly this script.
#
# The shared test material (../shared beside the repository) is read in
# place; NUMIS_TEST_SHARED_DIR points elsewhere. Outside CI a missing corpus is a
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

log=$(mktemp)
clients_log=$(mktemp)
e2e_log=$(mktemp)
trap 'rm -f "$log" "$clients_log" "$e2e_log"' EXIT

# GDAL first: the Rust tests compare the format readers with ogrinfo too.
echo "== installing the test tools (tests/clients/setup.sh: GDAL, Python clients)"
set +e
tests/clients/setup.sh 2>&1 | tee "$clients_log"
setup_status=${PIPESTATUS[0]}

echo "== cargo test"
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The store's own tests run on SQLite and PostgreSQL in the run above;
# the API integration tests run once more with every server on
# PostgreSQL (a schema of its own in the database `test` at
# 127.0.0.1:5432, dropped afterwards; NUMIS_TEST_POSTGRES_URL points
# elsewhere).
echo "== cargo test: the integration tests on PostgreSQL"
NUMIS_TEST_STORE=postgres cargo test --locked -p numis --test it 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== real clients: OWSLib and GDAL against the WMS and the drawings API (tests/clients)"
if [ "$setup_status" -eq 0 ]; then
    tests/clients/run.sh 2>&1 | tee "$clients_log"
    clients_status=${PIPESTATUS[0]}
else
    clients_status=$setup_status
fi

echo "== end-to-end browser tests (web/e2e)"
scripts/e2e.sh 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}
set -e
[ "$clients_status" -eq 0 ] || status=1
[ "$e2e_status" -eq 0 ] || status=1

# One closing line for the whole suite: cargo prints one per test binary,
# pytest one for the client tests ("38 passed, 1 xfailed in 9.1s"; errors
# count as failures), scripts/e2e.sh one for the browser tests ("26 passed,
# 0 failed in 95s"). If the client or browser tests failed without counting
# a failure (the server did not start, an install failed), that is one failure.
awk -v clients_status="$clients_status" -v e2e_status="$e2e_status" '
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
    FILENAME == ARGV[3] && /^[0-9]+ passed, [0-9]+ failed in [0-9]+s$/ {
        ep = $1; ef = $3
    }
    END {
        if (clients_status != 0 && cf == 0) cf = 1
        if (e2e_status != 0 && ef == 0) ef = 1
        printf "%d passed, %d failed\n", p + cp + ep, f + cf + ef
    }' "$log" "$clients_log" "$e2e_log"
exit "$status"
