#!/usr/bin/env bash
# Checks tests/support/server.sh, which the shell tests rely on: the server
# starts on a free loopback port, rooms and tokens work, and stop_server
# stops the process and removes the temp dir.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

: "${STAYHOOKS_SERVER:?set STAYHOOKS_SERVER to the stayhooks-server binary}"
: "${STAYHOOKS_TEST_SUPPORT:?set STAYHOOKS_TEST_SUPPORT to the tests/support folder}"
. "$STAYHOOKS_TEST_SUPPORT/server.sh"

start_server --webhook-limit 3 || fail "start_server failed"
case "$STAYHERE_BASE_URL" in
    http://127.0.0.1:[1-9]*) ;;
    *) fail "unexpected STAYHERE_BASE_URL '$STAYHERE_BASE_URL'" ;;
esac
[ -f "$STAYHOOKS_TEST_DB" ] || fail "no database at $STAYHOOKS_TEST_DB"

add_room "r 1" alice --member bob || fail "add_room failed"
token=$(mint_token alice 60) || fail "mint_token failed"
[ -n "$token" ] || fail "mint_token printed nothing"

# curl reads the header from stdin so the token stays out of argv.
reply=$(printf 'Authorization: Bearer %s\n' "$token" |
    curl -sS --max-time 10 -H @- "$STAYHERE_BASE_URL/api/webhooks/r%201") || fail "curl failed"
[ "$reply" = '{"roomId":"r 1","limit":3,"webhooks":[]}' ] || fail "list replied '$reply'"

member=$(mint_token bob) || fail "mint_token without TTL failed"
status=$(printf 'Authorization: Bearer %s\n' "$member" |
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H @- "$STAYHERE_BASE_URL/api/webhooks/r%201")
[ "$status" = 403 ] || fail "member listing got $status, expected 403"

pid=$STAYHOOKS_SERVER_PID
dir=$STAYHOOKS_TEST_DIR
stop_server
kill -0 "$pid" 2>/dev/null && fail "server $pid still running after stop_server"
[ -d "$dir" ] && fail "temp dir $dir left behind"
echo "server.sh: all checks passed"
