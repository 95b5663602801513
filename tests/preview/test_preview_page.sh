#!/usr/bin/env bash
# End-to-end test of the room preview page. It starts stayhooks-server on
# 127.0.0.1 port 0. With the stayhooks CLI it delivers a message, an embed,
# a poll, board images and a script-injection message. Then it runs
# preview_page.test.js in node, which opens the page in headless Chromium
# through playwright-core and checks the DOM.
#
# Environment (set by CTest): STAYHOOKS_SERVER, STAYHOOKS_CLI,
# STAYHOOKS_TEST_SUPPORT, PREVIEW_TEST_SCRIPT, PREVIEW_NODE_DIR (where
# playwright-core is installed), PREVIEW_ARTIFACT_DIR (gets preview.png).
# CHROMIUM may name another Chromium binary than /usr/bin/chromium.
set -uo pipefail

PLAYWRIGHT_CORE_VERSION=1.65.2

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for name in STAYHOOKS_SERVER STAYHOOKS_CLI STAYHOOKS_TEST_SUPPORT PREVIEW_TEST_SCRIPT \
    PREVIEW_NODE_DIR PREVIEW_ARTIFACT_DIR; do
    [ -n "${!name:-}" ] || fail "$name is not set; run this test through ctest"
done

# Missing tools fail the test: a browser test that skips itself would
# report a page it never opened as working.
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium_bin" ] ||
    fail "Chromium not found at $chromium_bin; install it with 'scripts/install-deps.sh chromium' or set CHROMIUM"
command -v node >/dev/null 2>&1 || fail "node not found; install Node.js (Debian package nodejs)"

if [ ! -f "$PREVIEW_NODE_DIR/node_modules/playwright-core/package.json" ]; then
    command -v npm >/dev/null 2>&1 ||
        fail "npm not found, and playwright-core is not installed in $PREVIEW_NODE_DIR"
    echo "installing playwright-core $PLAYWRIGHT_CORE_VERSION into $PREVIEW_NODE_DIR" >&2
    mkdir -p "$PREVIEW_NODE_DIR" || fail "cannot create $PREVIEW_NODE_DIR"
    npm install --prefix "$PREVIEW_NODE_DIR" --no-audit --no-fund --no-save \
        "playwright-core@$PLAYWRIGHT_CORE_VERSION" >&2 ||
        fail "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION failed; see the npm output above"
fi

# The test talks to its own server on 127.0.0.1 only.
unset STAYHERE_BASE_URL STAYHERE_TOKEN STAYHERE_ROOM STAYHERE_WEBHOOK STAYHERE_SECRET
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# shellcheck source=../support/server.sh
. "$STAYHOOKS_TEST_SUPPORT/server.sh"
umask 077
start_server || fail "stayhooks-server did not start"

# A room ID with a space and a slash checks that the page decodes its own
# path and encodes the room again for the read-back calls.
room="design review/7"
export STAYHERE_ROOM=$room
add_room "$room" preview-owner --member preview-reader || fail "room add failed"
mint_token preview-owner >"$STAYHOOKS_TEST_DIR/owner-token" || fail "minting the owner's token failed"
# The page is opened with a plain member's token: reading needs no admin.
mint_token preview-reader >"$STAYHOOKS_TEST_DIR/reader-token" || fail "minting the reader's token failed"

"$STAYHOOKS_CLI" --token-file "$STAYHOOKS_TEST_DIR/owner-token" create --label "Preview bot" --json \
    >"$STAYHOOKS_TEST_DIR/created.json" || fail "stayhooks create failed"
sed -n 's/.*"secret":"\([^"]*\)".*/\1/p' "$STAYHOOKS_TEST_DIR/created.json" >"$STAYHOOKS_TEST_DIR/secret"
webhook=$(sed -n 's/^{"webhook":{"id":"\([^"]*\)".*/\1/p' "$STAYHOOKS_TEST_DIR/created.json")
[ -s "$STAYHOOKS_TEST_DIR/secret" ] && [ -n "$webhook" ] || fail "the create reply had no webhook ID or secret"
export STAYHERE_WEBHOOK=$webhook

send() {
    "$STAYHOOKS_CLI" --secret-file "$STAYHOOKS_TEST_DIR/secret" "$@" >/dev/null ||
        fail "stayhooks $* failed"
}

# The deliveries below are what preview_page.test.js expects, in order.
send --alias "Build bot" send message $'Build 42 passed\nAll 118 tests green'
send --alias "Release bot" send embed --text "Release notes" --title "Release 1.2 shipped" \
    --url "https://example.test/releases/1.2" --description "Rollout complete" \
    --note "Latency < 180 ms" --note "Docs refreshed" --color "#22c55e" \
    --image "https://images.example.test/banner.svg" --footer "deployed by CI"
send send poll "Which feature ships next?" "Docs revamp" "AI assistant" "Canvas refresh" \
    --multiple --ends-in 30
send send image "https://images.example.test/cat.svg" --size 360x240 --at 420,260
send send image "https://images.example.test/dog.svg" --size 200x150 --at 40,30
send --alias '<img src=x onerror=alert(2)>' send message '<script>alert(1)</script>'

PREVIEW_BASE_URL=$STAYHERE_BASE_URL \
PREVIEW_ROOM=$room \
PREVIEW_TOKEN_FILE=$STAYHOOKS_TEST_DIR/reader-token \
PREVIEW_SECRET_FILE=$STAYHOOKS_TEST_DIR/secret \
PREVIEW_CLI=$STAYHOOKS_CLI \
PREVIEW_CHROMIUM=$chromium_bin \
PREVIEW_SCREENSHOT=$PREVIEW_ARTIFACT_DIR/preview.png \
NODE_PATH=$PREVIEW_NODE_DIR/node_modules \
    node "$PREVIEW_TEST_SCRIPT"
node_status=$?

# The token travels in the URL fragment and the Authorization header only,
# so the server's log must not contain it.
log_failures=0
for token_file in "$STAYHOOKS_TEST_DIR/reader-token" "$STAYHOOKS_TEST_DIR/owner-token"; do
    if grep -qF -- "$(cat "$token_file")" "$STAYHOOKS_TEST_LOG"; then
        echo "FAIL: the server log contains a bearer token" >&2
        log_failures=$((log_failures + 1))
    fi
done
if ! grep -q 'GET /preview/{room} 200' "$STAYHOOKS_TEST_LOG"; then
    echo "FAIL: the server log has no 'GET /preview/{room} 200' line" >&2
    log_failures=$((log_failures + 1))
fi
if ! grep -q 'GET /api/rooms/{room}/messages 200' "$STAYHOOKS_TEST_LOG"; then
    echo "FAIL: the server log shows no successful read-back from the page" >&2
    log_failures=$((log_failures + 1))
fi

stop_server
if [ "$node_status" -ne 0 ] || [ "$log_failures" -ne 0 ]; then
    exit 1
fi
echo "PASS: preview page"
