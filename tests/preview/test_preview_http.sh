#!/usr/bin/env bash
# Checks the preview routes with curl, without a browser. The embedded
# files must match the sources byte for byte, and every reply must carry
# the security headers. Wrong methods and paths must get JSON errors, and
# `serve` must print on stderr how to open a preview.
#
# Environment (set by CTest): STAYHOOKS_SERVER, STAYHOOKS_TEST_SUPPORT,
# PREVIEW_SOURCE_DIR (src/server/preview).
set -uo pipefail

failures=0

check() {
    local description=$1
    shift
    if "$@"; then
        echo "ok: $description"
    else
        echo "FAIL: $description" >&2
        failures=$((failures + 1))
    fi
}

for name in STAYHOOKS_SERVER STAYHOOKS_TEST_SUPPORT PREVIEW_SOURCE_DIR; do
    if [ -z "${!name:-}" ]; then
        echo "FAIL: $name is not set; run this test through ctest" >&2
        exit 1
    fi
done
command -v curl >/dev/null 2>&1 || { echo "FAIL: curl not found" >&2; exit 1; }
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# shellcheck source=../support/server.sh
. "$STAYHOOKS_TEST_SUPPORT/server.sh"
start_server || { echo "FAIL: stayhooks-server did not start" >&2; exit 1; }
work=$STAYHOOKS_TEST_DIR
base=$STAYHERE_BASE_URL

# fetch METHOD PATH NAME: saves the status, headers and body as NAME.*.
fetch() {
    local method=$1 path=$2 name=$3
    local -a method_args=(-X "$method")
    [ "$method" = HEAD ] && method_args=(--head)
    curl --silent --max-time 10 "${method_args[@]}" -D "$work/$name.headers" \
        -o "$work/$name.body" -w '%{http_code}' "$base$path" >"$work/$name.status"
}

status_is() {
    [ "$(cat "$work/$1.status")" = "$2" ]
}

# header_is NAME HEADER VALUE: the header is present with exactly VALUE.
header_is() {
    grep -qixF -- "$2: $3"$'\r' "$work/$1.headers"
}

has_security_headers() {
    header_is "$1" Content-Security-Policy \
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src http: https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" &&
        header_is "$1" X-Content-Type-Options nosniff &&
        header_is "$1" Referrer-Policy no-referrer
}

same_bytes() {
    cmp -s "$work/$1.body" "$2"
}

fetch GET '/preview/team%20alpha%2F1' page
check "page returns 200" status_is page 200
check "page is HTML" header_is page Content-Type "text/html; charset=utf-8"
check "page has the security headers" has_security_headers page
check "page is index.html byte for byte" same_bytes page "$PREVIEW_SOURCE_DIR/index.html"

fetch GET /preview/assets/app.js script
check "script returns 200" status_is script 200
check "script is JavaScript" header_is script Content-Type "text/javascript; charset=utf-8"
check "script has the security headers" has_security_headers script
check "script is app.js byte for byte" same_bytes script "$PREVIEW_SOURCE_DIR/app.js"

fetch GET /preview/assets/app.css style
check "style sheet returns 200" status_is style 200
check "style sheet is CSS" header_is style Content-Type "text/css; charset=utf-8"
check "style sheet has the security headers" has_security_headers style
check "style sheet is app.css byte for byte" same_bytes style "$PREVIEW_SOURCE_DIR/app.css"

fetch HEAD /preview/room-1 head
check "HEAD returns 200" status_is head 200
check "HEAD gives the page's length" header_is head Content-Length "$(wc -c <"$PREVIEW_SOURCE_DIR/index.html")"

fetch POST /preview/assets/app.js post
check "POST returns 405" status_is post 405
check "405 lists GET and HEAD" header_is post Allow "GET, HEAD"
check "405 body is a JSON error" grep -qF '{"error":"method not allowed; use GET, HEAD"}' "$work/post.body"

for path in /preview /preview/ /preview/a/b /preview/assets/missing.js /preview/bad%zzescape; do
    fetch GET "$path" missing
    check "$path returns 404" status_is missing 404
    check "$path 404 body is a JSON error" grep -qF '{"error":"no such endpoint"}' "$work/missing.body"
done

# The request log names the route pattern, never the room.
check "log shows the page route" grep -q 'GET /preview/{room} 200' "$STAYHOOKS_TEST_LOG"
check "log shows the asset route" grep -q 'GET /preview/assets/app.js 200' "$STAYHOOKS_TEST_LOG"
check "log does not name the room" bash -c "! grep -q alpha '$STAYHOOKS_TEST_LOG'"
check "serve prints how to open a preview" grep -qF \
    "preview: $base/preview/ROOM#token=TOKEN (mint a token with stayhooks-server token USER" \
    "$STAYHOOKS_TEST_LOG"

stop_server
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "PASS: preview routes"
