# lib.sh: helpers shared by the CLI test scripts. Source it from bash.
#
# CTest sets STAYHOOKS_CLI, STAYHOOKS_SERVER, STAYHOOKS_BAD_SERVER and
# STAYHOOKS_TEST_SUPPORT (the tests/support folder with server.sh).
#
#   run_cli ARG...            runs the CLI and sets $status, $out and $err (files)
#   check_status N WHAT       one check of $status
#   check_contains FILE TEXT WHAT / check_lacks FILE TEXT WHAT
#   setup_room                starts a server with room R1 owned by alice and
#                             a webhook; sets $token_file, $secret_file,
#                             $webhook and exports STAYHERE_ROOM/WEBHOOK
#   read_back KIND            GET /api/rooms/R1/KIND into $STAYHOOKS_TEST_DIR/KIND.json
#   use_bad_server            after setup_room: enables the cli_bad_server helpers
#   start_bad_server MODE     starts cli_bad_server and sets $bad_url
#   bad_server_requests       prints how many requests it has received
#   stop_bad_server
#   find_closed_port          sets $closed_url to a loopback URL with no listener
#   finish                    prints the summary and exits 1 on any failure

set -u

: "${STAYHOOKS_CLI:?set STAYHOOKS_CLI to the stayhooks binary}"
: "${STAYHOOKS_SERVER:?set STAYHOOKS_SERVER to the stayhooks-server binary}"
: "${STAYHOOKS_TEST_SUPPORT:?set STAYHOOKS_TEST_SUPPORT to tests/support}"

# shellcheck source=../support/server.sh
. "$STAYHOOKS_TEST_SUPPORT/server.sh"

# The caller's settings must not reach the CLI under test, and an unset base
# URL must never fall back to a server on port 3000.
unset STAYHERE_BASE_URL STAYHERE_TOKEN STAYHERE_ROOM STAYHERE_WEBHOOK STAYHERE_SECRET
# Every test talks to 127.0.0.1 only, so a proxy from the environment must
# not carry the requests (libstayhooks and curl both honour these).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

checks=0
failures=0
status=0
out=
err=

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*"
}

pass() {
    echo "ok: $*"
}

# Runs the CLI with stdin from /dev/null unless the caller redirects it,
# through STAYHOOKS_TEST_WRAPPER (tests/support/valgrind.sh, say) when set.
run_cli() {
    out=$STAYHOOKS_TEST_DIR/cli.out
    err=$STAYHOOKS_TEST_DIR/cli.err
    status=0
    ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_CLI" "$@" >"$out" 2>"$err" || status=$?
}

show_output() {
    echo "  stdout: $(head -c 600 "$out")"
    echo "  stderr: $(head -c 600 "$err")"
}

check_status() {
    local expected=$1 what=$2

    checks=$((checks + 1))
    if [ "$status" -eq "$expected" ]; then
        pass "$what (exit $status)"
    else
        fail "$what: exit status $status, expected $expected"
        show_output
    fi
}

check_contains() {
    local file=$1 text=$2 what=$3

    checks=$((checks + 1))
    if grep -qF -- "$text" "$file"; then
        pass "$what"
    else
        fail "$what: '$text' not found in $(basename "$file")"
        echo "  content: $(head -c 600 "$file")"
    fi
}

check_lacks() {
    local file=$1 text=$2 what=$3

    checks=$((checks + 1))
    if grep -qF -- "$text" "$file"; then
        fail "$what: '$text' found in $(basename "$file")"
    else
        pass "$what"
    fi
}

check_empty() {
    local file=$1 what=$2

    checks=$((checks + 1))
    if [ -s "$file" ]; then
        fail "$what: $(basename "$file") is not empty: $(head -c 300 "$file")"
    else
        pass "$what"
    fi
}

check_line_count() {
    local file=$1 expected=$2 what=$3
    local count

    count=$(wc -l <"$file")
    checks=$((checks + 1))
    if [ "$count" -eq "$expected" ]; then
        pass "$what"
    else
        fail "$what: $(basename "$file") has $count lines, expected $expected"
        echo "  content: $(head -c 600 "$file")"
    fi
}

# Prints the value of a top-level string member of compact JSON in FILE.
json_string_member() {
    local file=$1 name=$2

    sed -n "s/.*\"$name\":\"\\([^\"]*\\)\".*/\\1/p" "$file" | head -n 1
}

# Starts the server, adds room R1 owned by alice, and creates one webhook.
setup_room() {
    start_server "$@" || exit 1
    add_room R1 alice || exit 1
    token_file=$STAYHOOKS_TEST_DIR/token
    secret_file=$STAYHOOKS_TEST_DIR/secret
    mint_token alice >"$token_file" || exit 1
    printf 'Authorization: Bearer %s\n' "$(cat "$token_file")" >"$STAYHOOKS_TEST_DIR/auth-header"
    export STAYHERE_ROOM=R1

    run_cli --token-file "$token_file" create --label "Test bot" --json
    if [ "$status" -ne 0 ]; then
        echo "setup: create failed with exit status $status"
        show_output
        exit 1
    fi
    cp "$out" "$STAYHOOKS_TEST_DIR/created.json"
    json_string_member "$out" secret >"$secret_file"
    webhook=$(sed -n 's/^{"webhook":{"id":"\([^"]*\)".*/\1/p' "$out")
    if [ ! -s "$secret_file" ] || [ -z "$webhook" ]; then
        echo "setup: the create reply had no secret or webhook ID: $(cat "$out")"
        exit 1
    fi
    export STAYHERE_WEBHOOK=$webhook
}

read_back() {
    local kind=$1

    curl --silent --show-error --fail --max-time 10 --noproxy '*' -H "@$STAYHOOKS_TEST_DIR/auth-header" \
        "$STAYHERE_BASE_URL/api/rooms/R1/$kind" >"$STAYHOOKS_TEST_DIR/$kind.json" ||
        fail "read-back of $kind failed"
}

# Prints how many records of KIND the room has received so far.
count_received() {
    local kind=$1

    read_back "$kind"
    grep -o '"createdAt"' "$STAYHOOKS_TEST_DIR/$kind.json" | wc -l
}

bad_server_pid=

# Replaces the EXIT trap that start_server installed with one that also
# stops the bad server, so call it after setup_room.
use_bad_server() {
    : "${STAYHOOKS_BAD_SERVER:?set STAYHOOKS_BAD_SERVER to the cli_bad_server binary}"
    trap 'stop_bad_server; stop_server' EXIT
}

start_bad_server() {
    local mode=$1 fifo=$STAYHOOKS_TEST_DIR/bad-server.out line=

    rm -f "$fifo"
    mkfifo "$fifo"
    "$STAYHOOKS_BAD_SERVER" "$mode" 60 >"$fifo" 2>"$STAYHOOKS_TEST_DIR/bad-server.log" &
    bad_server_pid=$!
    if ! read -r -t 10 line <"$fifo"; then
        fail "cli_bad_server $mode did not start"
        finish
    fi
    bad_url=http://${line#listening on }
}

# Prints how many whole requests the bad server has received.
bad_server_requests() {
    grep -c '^received ' "$STAYHOOKS_TEST_DIR/bad-server.log"
}

stop_bad_server() {
    if [ -n "$bad_server_pid" ]; then
        kill "$bad_server_pid" 2>/dev/null
        wait "$bad_server_pid" 2>/dev/null
        bad_server_pid=
    fi
}

# A port that the bad server held a moment ago is free, and no test starts
# anything on it.
# NOTE: another program on the machine could take the port in between.
find_closed_port() {
    start_bad_server text-ok
    stop_bad_server
    closed_url=$bad_url
}

finish() {
    echo "$checks checks, $failures failed"
    if [ "$checks" -eq 0 ] || [ "$failures" -ne 0 ]; then
        exit 1
    fi
    exit 0
}
