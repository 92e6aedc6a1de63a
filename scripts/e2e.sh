#!/usr/bin/env bash
# Runs the end-to-end browser tests of the map viewer (web/e2e): installs
# what they need when it is missing (Debian's chromium, playwright-core with
# `npm ci` in web/e2e), builds numis if needed, serves the demo site on a free
# port with an empty temporary data directory, runs `node --test web/e2e/`
# with NUMIS_URL=http://127.0.0.1:PORT and stops the server with SIGTERM.
# A third party's WMS (MapServer, scripts/third-party-wms.sh) runs on another
# loopback port for the external-map tests (NUMIS_TEST_WMS_URL), and a port
# is kept for their file server (NUMIS_TEST_FILE_PORT); numis is allowed to
# reach loopback on exactly these two ports, for this run only.
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
# The third party's own folder: nginx's workers must reach its socket, which
# they cannot below the private "$tmp" (third-party-wms.sh opens its folder).
wms_work=$(mktemp -d)
wms_started=""
stop_wms() {
    if [ -n "$wms_started" ]; then
        scripts/third-party-wms.sh stop "$wms_work" 2>/dev/null || true
    fi
    wms_started=""
}
trap 'stop_server; stop_wms; rm -rf "$tmp" "$wms_work"' EXIT
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

# -- the third party: MapServer behind nginx on a free loopback port, and a
# free port for the tests' own file server. Without MapServer (no root to
# install it) the external-map tests skip visibly, or fail with CI=true.
free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
wms_port=$(free_port)
file_port=$(free_port)
wms_url=""
if wms_url=$(scripts/third-party-wms.sh start "$wms_port" "$wms_work" 2>"$tmp/wms.log"); then
    wms_started=1
else
    wms_url=""
    echo "scripts/e2e.sh: the third-party WMS did not start; the external-map tests will say so" >&2
    cat "$tmp/wms.log" >&2
fi

# Only the flags and the settings named here decide: no configuration file
# or NUMIS_* variable of the caller's shell changes the server under test.
# The loopback allowance is the test suite's own (never for production):
# it lets numis fetch from the third party and the file server above.
# RUST_LOG=info keeps the "listening on" line that tells the port.
while IFS='=' read -r name _; do
    case $name in NUMIS_*) unset "$name" ;; esac
done < <(env)
NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS=true NUMIS_EXTERNAL__EXTRA_PORTS="[$wms_port,$file_port]" \
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
NUMIS_URL="$url" NUMIS_BIN="$numis" NUMIS_TEST_WMS_URL="$wms_url" NUMIS_TEST_FILE_PORT="$file_port" NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
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
stop_wms

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
