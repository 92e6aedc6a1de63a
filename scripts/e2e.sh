#!/usr/bin/env bash
# Runs the end-to-end browser tests of the map viewer (web/e2e): installs
# what they need when it is missing (Debian's chromium, playwright-core with
# `npm ci` in web/e2e), builds numis if needed, serves the demo site on a free
# port with an empty temporary data directory, runs `node --test web/e2e/`
# with NUMIS_URL=http://127.0.0.1:PORT and stops the server with SIGTERM.
#
# Ends with one line "N passed, M failed in T s" that scripts/test.sh sums.
# Exits non-zero when a test failed. A browser that cannot be installed
# (no root, no sudo) is a visible skip, except with CI=true, where it fails.
#
# Extra arguments go to `node --test`, e.g.
#   scripts/e2e.sh --test-name-pattern=search
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=/usr/bin/chromium
started=$SECONDS
tmp=$(mktemp -d)
server=""
stop_server() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        # Graceful shutdown finishes requests in flight; don't wait forever.
        for _ in $(seq 50); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command with its output kept back, and shown only if it fails.
quietly() {
    if ! "$@" >"$tmp/install.log" 2>&1; then
        echo "scripts/e2e.sh: failed: $*" >&2
        cat "$tmp/install.log" >&2
        return 1
    fi
}

# Counts as one failure in the closing line (what scripts/test.sh sums).
fail() {
    echo "scripts/e2e.sh: $*" >&2
    echo "0 passed, 1 failed in $((SECONDS - started))s"
    exit 1
}

skip() {
    if [ "${CI:-}" = true ]; then
        fail "$* (CI=true: this is a failure)"
    fi
    echo "SKIPPED: end-to-end tests: $*" >&2
    exit 0
}

# -- Node 20 or newer (its test runner and fetch)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip "node and npm are not installed"
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    skip "node $(node --version) is older than 20"
fi

# -- Chromium from Debian
if [ ! -x "$chromium" ]; then
    echo "== installing chromium (apt-get)"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
            skip "$chromium is missing (as root: apt-get install chromium)"
        sudo=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Another apt run on the machine holds the lock for a while; wait for it.
    apt=("${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=300)
    quietly "${apt[@]}" update || fail "apt-get update failed"
    quietly "${apt[@]}" install -y --no-install-recommends chromium || fail "installing chromium failed"
fi

# -- playwright-core, exactly as locked; again only when the lock changed
e2e=web/e2e
stamp=$e2e/node_modules/.installed-package-lock.json
if ! cmp -s "$e2e/package-lock.json" "$stamp" || [ ! -f "$e2e/node_modules/playwright-core/package.json" ]; then
    echo "== npm ci (web/e2e)"
    quietly npm ci --prefix "$e2e" --no-audit --no-fund || fail "npm ci in web/e2e failed"
    cp "$e2e/package-lock.json" "$stamp"
fi

# -- numis: the debug build with the test suite's dependency features, so
# that after `cargo test` this costs nothing (see tests/clients/run.sh).
echo "== cargo build (numis, for the end-to-end tests)"
cargo build --locked --workspace --tests --quiet || fail "cargo build failed"
numis="${CARGO_TARGET_DIR:-target}/debug/numis"

# Only the flags decide: no configuration file or NUMIS_* variable of the
# caller's shell changes the server under test. RUST_LOG=info keeps the
# "listening on" line that tells the port.
while IFS='=' read -r name _; do
    case $name in NUMIS_*) unset "$name" ;; esac
done < <(env)
RUST_LOG=info "$numis" serve --bind 127.0.0.1:0 --data-dir "$tmp/data" --site-dir site \
    >"$tmp/server.log" 2>&1 &
server=$!

url=""
deadline=$((SECONDS + 120))
while :; do
    [ -z "$url" ] && url=$(sed -n 's|.*numis listening on \(http://[0-9.:]*\).*|\1|p' "$tmp/server.log" | head -n 1)
    if [ -n "$url" ] && node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/healthz"; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        cat "$tmp/server.log" >&2
        fail "the server exited or was not healthy within 120 s; its log is above"
    fi
    sleep 0.2
done

echo "== node --test web/e2e against $url"
set +e
# Files run one after another (each starts its own browser); the hostile
# parameter test runs three pages at a time itself.
NUMIS_URL="$url" NUMIS_BIN="$numis" NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
    timeout --kill-after=10 900 \
    node --test --test-concurrency=1 --test-timeout=420000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tmp/tap" \
    "$@" "$e2e/"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "-- server log (last 40 lines)" >&2
    tail -n 40 "$tmp/server.log" >&2
fi
stop_server

# TAP's closing comments: "# pass 12", "# fail 1", "# cancelled 0".
count() {
    local n
    n=$(sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$tmp/tap" 2>/dev/null | tail -n 1)
    echo "${n:-0}"
}
passed=$(count pass)
failed=$(($(count fail) + $(count cancelled)))
# A run that failed without a failed test (timeout, crash) is one failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "$passed passed, $failed failed in $((SECONDS - started))s"
exit "$status"
