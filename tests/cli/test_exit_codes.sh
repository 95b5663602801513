#!/usr/bin/env bash
# Every exit status of the CLI, each from a real failure: usage and
# validation (2), auth (3), other HTTP status (4), invalid response (5),
# network (6), delivery unknown (7) and anything else (1).
. "$(dirname "$0")/lib.sh"

setup_room
use_bad_server
export STAYHERE_SECRET
STAYHERE_SECRET=$(cat "$secret_file")

# 0: success, checked so a broken setup cannot make every failure pass.
run_cli send message "baseline"
check_status 0 "send with the right secret"
received_before=$(count_received messages)

# 2: usage errors.
run_cli
check_status 2 "no command"
check_contains "$err" "stayhooks: missing command" "no command names the problem"
run_cli frobnicate
check_status 2 "unknown command"
check_contains "$err" "unknown command 'frobnicate'" "unknown command is named"
run_cli list --bogus
check_status 2 "unknown option"
check_contains "$err" "unknown option --bogus" "unknown option is named"
run_cli send message
check_status 2 "send message without text"
run_cli send message hi --title T
check_status 2 "option of another command"
check_contains "$err" "option --title does not apply to 'send message'" "misplaced option is named"
run_cli send image https://example.test/a.png --size 12
check_status 2 "malformed --size"
run_cli --timeout 0 list
check_status 2 "zero --timeout"
run_cli --retries many list
check_status 2 "non-numeric --retries"
STAYHERE_ROOM= run_cli --token-file "$token_file" list
check_status 2 "list without a room"
check_contains "$err" "missing room ID: pass --room ID or set STAYHERE_ROOM" "missing room says how to fix it"

# 2: validation errors found by the library send nothing.
run_cli send message "   "
check_status 2 "blank message"
check_contains "$err" "stayhooks: validation error: " "blank message is a validation error"
check_line_count "$err" 1 "validation error is one line"
run_cli send image ftp://example.test/a.png
check_status 2 "image URL with another scheme"
run_cli send poll Q 1 2 3 4 5 6 7 8 9
check_status 2 "poll with nine options"
run_cli --token-file "$token_file" create --label x --permission admin
check_status 2 "unknown permission"
run_cli --base-url localhost:9 send message hi
check_status 2 "base URL without a scheme"
received_after=$(count_received messages)
checks=$((checks + 1))
if [ "$received_after" -eq "$received_before" ]; then
    pass "validation errors sent nothing"
else
    fail "validation errors reached the room: $received_before messages before, $received_after after"
fi

# 3: auth errors.
printf 'whk_not_the_secret\n' >"$STAYHOOKS_TEST_DIR/wrong-secret"
run_cli --secret-file "$STAYHOOKS_TEST_DIR/wrong-secret" send message "wrong"
check_status 3 "wrong secret"
check_contains "$err" "stayhooks: auth error (HTTP 401): " "wrong secret is an auth error with status 401"
check_line_count "$err" 1 "auth error is one line"
check_empty "$out" "auth error prints nothing on stdout"

mint_token mallory >"$STAYHOOKS_TEST_DIR/other-token"
run_cli --token-file "$STAYHOOKS_TEST_DIR/other-token" list
check_status 3 "token of a user who does not own the room"
check_contains "$err" "auth error (HTTP 403)" "non-owner gets 403"

run_cli list
check_status 3 "management call without a token"
check_contains "$err" "auth error (HTTP 401)" "missing token is reported as 401"

run_cli --token-file "$token_file" update --pause
check_status 0 "pause the webhook"
run_cli send message "while paused"
check_status 3 "send to a paused webhook"
run_cli --token-file "$token_file" update --resume
check_status 0 "resume the webhook"

# 4: other HTTP statuses.
run_cli --webhook wh_does_not_exist send message "nobody home"
check_status 4 "unknown webhook"
check_contains "$err" "stayhooks: HTTP error (HTTP 404): " "unknown webhook is an HTTP error with status 404"
run_cli --token-file "$token_file" --room NO_SUCH_ROOM list
check_status 4 "unknown room"
run_cli send embed --color "not a color" --title T
check_status 4 "embed the server rejects"
check_contains "$err" "(HTTP 400)" "server-side validation is a 400"

# Checks the number of requests the bad server received.
check_requests() {
    local expected=$1 what=$2 got

    got=$(bad_server_requests)
    checks=$((checks + 1))
    if [ "$got" -eq "$expected" ]; then
        pass "$what"
    else
        fail "$what: the server received $got requests, expected $expected"
    fi
}

# 5: a 2xx reply that is not JSON. The default retries must not repeat it.
start_bad_server text-ok
run_cli --base-url "$bad_url" send message "to a bad server"
check_status 5 "200 reply that is not JSON"
check_contains "$err" "stayhooks: invalid response (HTTP 200): " "non-JSON reply is an invalid response"
check_requests 1 "an invalid response is not retried"
stop_bad_server

# 7: the connection closes after the whole request was sent. A retry could
# post twice, so the default retries must not repeat the invoke.
start_bad_server close
run_cli --base-url "$bad_url" send message "maybe delivered"
check_status 7 "connection closed after the request"
check_contains "$err" "delivery unknown" "closed connection says delivery is unknown"
check_contains "$err" "stayhooks: network error" "closed connection is a network error"
check_requests 1 "a possibly delivered invoke is not retried"
stop_bad_server

# 7 after --timeout: the server read the request and never replied.
start_bad_server hang
started=$(date +%s)
run_cli --base-url "$bad_url" --timeout 1 send message "no reply"
elapsed=$(($(date +%s) - started))
check_status 7 "timeout after the request was sent"
check_contains "$err" "delivery unknown" "timeout after sending says delivery is unknown"
check_requests 1 "a timed-out invoke is not retried"
checks=$((checks + 1))
if [ "$elapsed" -le 10 ]; then
    pass "--timeout 1 ends the call (${elapsed} s)"
else
    fail "--timeout 1 took ${elapsed} s"
fi

# 6: nothing listens on the port.
stop_bad_server
find_closed_port
run_cli --base-url "$closed_url" --retries 0 send message "nobody listens"
check_status 6 "connection refused"
check_contains "$err" "stayhooks: network error: " "refused connection is a network error"
check_lacks "$err" "delivery unknown" "refused connection is not delivery unknown"

# 1: anything else, here a failed write of the output.
if [ -w /dev/full ]; then
    status=0
    "$STAYHOOKS_CLI" --help >/dev/full 2>"$STAYHOOKS_TEST_DIR/full.err" || status=$?
    check_status 1 "output to a full device"
    check_contains "$STAYHOOKS_TEST_DIR/full.err" "cannot write to standard output" "write failure is reported"
else
    echo "skip: /dev/full is not available, exit status 1 is not checked"
fi

finish
