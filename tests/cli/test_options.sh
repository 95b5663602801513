#!/usr/bin/env bash
# Global options: their position, --help, --version, --dry-run, --json,
# --api-prefix, --insecure and the environment defaults.
. "$(dirname "$0")/lib.sh"

setup_room
export STAYHERE_SECRET
STAYHERE_SECRET=$(cat "$secret_file")

# --help and --version.
run_cli --help
check_status 0 "--help"
check_contains "$out" "Usage: stayhooks [OPTION]... COMMAND [ARG]..." "--help shows the usage line"
check_contains "$out" "7  delivery unknown" "--help documents the exit statuses"
check_empty "$err" "--help writes nothing to stderr"
run_cli list -h
check_status 0 "-h after a command"
run_cli --version
check_status 0 "--version"
check_contains "$out" "stayhooks 0.1.0 (libstayhooks 0.1.0)" "--version names both versions"

# Global options before and after the command give the same request.
run_cli --dry-run --room R1 --webhook W --alias A send message hi
check_status 0 "options before the command"
cp "$out" "$STAYHOOKS_TEST_DIR/before.json"
run_cli send message hi --alias A --webhook W --room R1 --dry-run
check_status 0 "options after the command"
checks=$((checks + 1))
if cmp -s "$out" "$STAYHOOKS_TEST_DIR/before.json"; then
    pass "option position does not change the request"
else
    fail "option position changed the request: $(cat "$STAYHOOKS_TEST_DIR/before.json") vs $(cat "$out")"
fi

# --dry-run prints exactly one JSON object and sends nothing.
before=$(count_received messages)
run_cli --dry-run send message "not sent"
check_status 0 "dry-run send"
check_line_count "$out" 1 "dry-run prints one line"
check_contains "$out" "{\"method\":\"POST\",\"url\":\"$STAYHERE_BASE_URL/api/webhooks/R1/$webhook/invoke\",\"headers\":{" \
    "dry-run starts with method, url and headers"
check_contains "$out" '"body":{"action":"message","payload":{"text":"not sent"}}}' "dry-run ends with the body"
run_cli --dry-run --json send message "not sent either"
check_status 0 "dry-run with --json"
check_line_count "$out" 1 "dry-run with --json still prints one object"
run_cli --dry-run --token-file "$token_file" delete
check_status 0 "dry-run delete"
check_contains "$out" '"method":"DELETE"' "dry-run delete shows the method"
check_contains "$out" '"body":null}' "dry-run delete has no body"
after=$(count_received messages)
checks=$((checks + 1))
if [ "$after" -eq "$before" ]; then
    pass "dry-run sent nothing"
else
    fail "dry-run reached the room: $before messages before, $after after"
fi
run_cli --token-file "$token_file" list
check_contains "$out" "1 webhook" "dry-run delete deleted nothing"

# Dry-run runs the same validation as a real send.
run_cli --dry-run send message " "
check_status 2 "dry-run of a blank message"
check_empty "$out" "dry-run validation error prints no request"

# --api-prefix: the server's prefix works, a wrong one gets a 404.
run_cli --api-prefix api/ send message "explicit prefix"
check_status 0 "--api-prefix api/"
run_cli --api-prefix "" --retries 0 send message "no prefix"
check_status 4 "--api-prefix empty against a server under /api"

# --base-url wins over STAYHERE_BASE_URL.
use_bad_server
find_closed_port
saved_base=$STAYHERE_BASE_URL
STAYHERE_BASE_URL=$closed_url run_cli --base-url "$saved_base" send message "base URL option"
check_status 0 "--base-url wins over STAYHERE_BASE_URL"

# --room and --webhook win over the environment.
run_cli --room R1 --webhook "$webhook" send message "ids from options"
check_status 0 "--room and --webhook"
STAYHERE_WEBHOOK=wh_missing run_cli --webhook "$webhook" send message "option beats env"
check_status 0 "--webhook wins over STAYHERE_WEBHOOK"

# --retries N allows N retries after the first attempt. A refused
# connection is retried, and --verbose logs each retry.
run_cli --base-url "$closed_url" --retries 2 --verbose send message "retried"
check_status 6 "--retries 2 against a closed port"
check_contains "$err" "(attempt 3 of 3)" "--retries 2 makes three attempts"
run_cli --base-url "$closed_url" --retries 0 --verbose send message "not retried"
check_status 6 "--retries 0 against a closed port"
check_lacks "$err" "retrying" "--retries 0 makes one attempt"

# --timeout and --retries are accepted with valid values.
run_cli --timeout 2.5 --retries 1 send message "timeout and retries"
check_status 0 "--timeout 2.5 --retries 1"

# --retries sets only the attempt count, so a 429 with Retry-After: 1 is
# still waited out and retried.
stop_bad_server
start_bad_server rate-limit-once
run_cli --base-url "$bad_url" --retries 2 --verbose send message "rate limited once"
check_status 0 "--retries 2 after one 429 with Retry-After: 1"
checks=$((checks + 1))
if [ "$(bad_server_requests)" -eq 2 ]; then
    pass "--retries 2 retries the 429 once"
else
    fail "--retries 2 after a 429: $(bad_server_requests) requests, expected 2"
fi

# --timeout 3 lets a reply that takes 2 s arrive, and --timeout 1 does not.
stop_bad_server
start_bad_server slow
run_cli --base-url "$bad_url" --timeout 3 --retries 2 send message "slow reply"
check_status 0 "--timeout 3 with a reply after 2 s"
run_cli --base-url "$bad_url" --timeout 1 --retries 0 send message "too slow"
check_status 7 "--timeout 1 with a reply after 2 s"
stop_bad_server

# --insecure warns on stderr and still works over plain HTTP.
run_cli --insecure send message "insecure"
check_status 0 "--insecure"
check_contains "$err" "warning: --insecure turns off TLS certificate checks" "--insecure warns"

# --cacert with a file that does not exist fails with exit status 2, even
# over plain HTTP where the bundle would not be used, because the path is
# wrong either way.
run_cli --cacert "$STAYHOOKS_TEST_DIR/no-such-ca.pem" send message "cacert over http"
check_status 2 "--cacert with a missing file"
check_contains "$err" "validation error: CA file \"$STAYHOOKS_TEST_DIR/no-such-ca.pem\" cannot be read: No such file or directory" \
    "--cacert names the missing file"
run_cli --cacert "$STAYHOOKS_TEST_DIR" send message "cacert is a folder"
check_status 2 "--cacert with a folder"

# Options of one command are rejected on another.
run_cli --token-file "$token_file" list --label x
check_status 2 "--label on list"
run_cli send poll Q A B --size 1x1
check_status 2 "--size on send poll"

finish
