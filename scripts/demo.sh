#!/usr/bin/env bash
# demo.sh BUILD_DIR: shows stayhooks end to end against a throwaway local
# server. It starts stayhooks-server on a free port of 127.0.0.1 with a
# database in a temporary folder and creates a webhook with the CLI. Then it
# sends a message, an embed, a poll and a board image, prints what the room
# received and the address of the room's preview page, and stops the
# server. With STAYHOOKS_DEMO_KEEP=1 the server keeps running until Ctrl-C,
# so the page can be opened. Nothing is left running or on disk.
#
# The token and the webhook secret travel through files and environment
# variables only, never through command-line arguments.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: scripts/demo.sh BUILD_DIR" >&2
    exit 2
fi
build_dir=$1
server_bin=$build_dir/src/server/stayhooks-server
cli_bin=$build_dir/src/cli/stayhooks
for binary in "$server_bin" "$cli_bin"; do
    if [ ! -x "$binary" ]; then
        echo "demo: $binary not found. Build first with 'make build'." >&2
        exit 1
    fi
done

# Settings from the caller's shell must not point the demo at another server
# or leak a real secret into it.
unset STAYHERE_BASE_URL STAYHERE_TOKEN STAYHERE_ROOM STAYHERE_WEBHOOK STAYHERE_SECRET
# The demo talks to 127.0.0.1 only, so a proxy from the environment must not
# carry its requests.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/stayhooks-demo.XXXXXX")
server_pid=""

cleanup() {
    status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -s "$work_dir/server.log" ]; then
        echo "demo: failed. Last server log lines:" >&2
        tail -n 5 "$work_dir/server.log" >&2
    fi
    rm -rf "$work_dir"
    exit "$status"
}
trap cleanup EXIT
umask 077

db=$work_dir/stayhooks.db
room=demo-room
owner=demo-owner

step() {
    printf '\n== %s\n' "$*"
}

step "Starting stayhooks-server on a free port of 127.0.0.1"
"$server_bin" serve --listen 127.0.0.1:0 --db "$db" \
    >"$work_dir/server.out" 2>"$work_dir/server.log" &
server_pid=$!

# The first stdout line is "listening on http://HOST:PORT". Wait up to 10 s.
base_url=""
for _ in $(seq 1 100); do
    base_url=$(sed -n '1s/^listening on //p' "$work_dir/server.out")
    [ -n "$base_url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "demo: stayhooks-server exited before it was listening" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base_url" ]; then
    echo "demo: stayhooks-server printed no listening line within 10 s" >&2
    exit 1
fi
echo "listening on $base_url"
export STAYHERE_BASE_URL=$base_url
export STAYHERE_ROOM=$room

step "Adding room $room owned by $owner and minting the owner's token"
"$server_bin" room add "$room" --owner "$owner" --db "$db"
"$server_bin" token "$owner" --db "$db" >"$work_dir/token"
printf 'Authorization: Bearer %s\n' "$(cat "$work_dir/token")" >"$work_dir/auth-header"

step "stayhooks create --label 'Demo bot'"
"$cli_bin" --token-file "$work_dir/token" create --label "Demo bot" --json >"$work_dir/created.json"
sed -n 's/.*"secret":"\([^"]*\)".*/\1/p' "$work_dir/created.json" >"$work_dir/secret"
webhook=$(sed -n 's/^{"webhook":{"id":"\([^"]*\)".*/\1/p' "$work_dir/created.json")
if [ ! -s "$work_dir/secret" ] || [ -z "$webhook" ]; then
    echo "demo: the create reply had no webhook ID or secret" >&2
    exit 1
fi
export STAYHERE_WEBHOOK=$webhook
echo "created webhook $webhook (its secret is kept in a file, not shown)"

step "stayhooks list"
"$cli_bin" --token-file "$work_dir/token" list

step "stayhooks send message"
"$cli_bin" --secret-file "$work_dir/secret" --alias "Demo bot" \
    send message "Deployment started"

step "stayhooks send embed with notes"
"$cli_bin" --secret-file "$work_dir/secret" \
    send embed --title "Release 1.2 shipped" --description "Rollout complete" \
    --color "#22c55e" --note "Latency < 180 ms" --note "Docs refreshed" --text "Status: SUCCESS"

step "stayhooks send poll"
"$cli_bin" --secret-file "$work_dir/secret" \
    send poll "Which feature ships next?" "Docs revamp" "AI assistant" "Canvas refresh" --ends-in 30

step "stayhooks send image"
"$cli_bin" --secret-file "$work_dir/secret" \
    send image "https://images.example.test/cat.jpeg" --size 360x240 --at 420,260

# Read-back replies are compact JSON. One record per line keeps them short
# and readable without a JSON formatter.
# The demo fails when a record it sent is missing.
show_read_back() {
    local kind=$1 expected=$2

    step "What the room received: GET /api/rooms/$room/$kind"
    curl --silent --show-error --fail --max-time 10 --noproxy '*' -H "@$work_dir/auth-header" \
        "$base_url/api/rooms/$room/$kind" >"$work_dir/$kind.json"
    sed -e 's/\[{/[\n  {/' -e 's/},{/},\n  {/g' -e 's/}\]/}\n]/' "$work_dir/$kind.json"
    echo
    if ! grep -qF -- "$expected" "$work_dir/$kind.json"; then
        echo "demo: the room's $kind do not contain $expected" >&2
        exit 1
    fi
}
show_read_back messages '"text":"Deployment started"'
show_read_back polls '"question":"Which feature ships next?"'
show_read_back board '"url":"https://images.example.test/cat.jpeg"'

step "Room preview page"
curl --silent --show-error --fail --max-time 10 --noproxy '*' -o /dev/null \
    "$base_url/preview/$room" ||
    { echo "demo: the server did not serve the preview page" >&2; exit 1; }
# The token travels in the URL fragment, which browsers never send, so it
# reaches neither the server's request line nor its log. The page sends it
# as a bearer header to the read-back endpoints.
echo "preview: $base_url/preview/$room#token=$(cat "$work_dir/token")"
if [ "${STAYHOOKS_DEMO_KEEP:-}" = 1 ]; then
    echo "The server keeps running so the page can be opened. Press Ctrl-C to stop it."
    # Ctrl-C ends this wait, and the usual stop below follows.
    trap ':' INT
    wait "$server_pid" 2>/dev/null || true
    trap - INT
else
    echo "The server stops now. Run with STAYHOOKS_DEMO_KEEP=1 to keep it running."
fi

step "Stopping the server"
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo "done"
