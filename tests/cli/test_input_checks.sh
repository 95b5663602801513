#!/usr/bin/env bash
# Inputs that the CLI rejects with exit status 2 before sending anything,
# with or without --dry-run: credentials with control characters in them.
# Requests go to cli_bad_server, which counts what reaches it.
. "$(dirname "$0")/lib.sh"

setup_room
use_bad_server
start_bad_server text-ok
dir=$STAYHOOKS_TEST_DIR

# Checks that the bad server has received no request so far.
check_nothing_sent() {
    local what=$1 count

    count=$(bad_server_requests)
    checks=$((checks + 1))
    if [ "$count" -eq 0 ]; then
        pass "$what"
    else
        fail "$what: the server received $count requests"
    fi
}

# Credentials with a line break would end the header they are sent in and
# start a forged one, so the library rejects them.
evil_secret=$'whk_evil\r\nX-Evil: 1'
STAYHERE_SECRET=$evil_secret run_cli --base-url "$bad_url" send message "injected"
check_status 2 "STAYHERE_SECRET with CR LF"
check_contains "$err" "validation error: webhook secret contains a control character" \
    "secret with CR LF is a validation error"
check_lacks "$err" "whk_evil" "the error does not show the secret"
STAYHERE_SECRET=$evil_secret run_cli --base-url "$bad_url" --dry-run send message "injected"
check_status 2 "STAYHERE_SECRET with CR LF under --dry-run"
check_empty "$out" "--dry-run prints no request for a bad secret"
STAYHERE_SECRET=$'whk_evil\nX' run_cli --base-url "$bad_url" invoke message --payload '{"text":"x"}'
check_status 2 "STAYHERE_SECRET with LF on invoke"

evil_token=$'tok_evil\nX-Evil: 1'
STAYHERE_TOKEN=$evil_token run_cli --base-url "$bad_url" list
check_status 2 "STAYHERE_TOKEN with LF"
check_contains "$err" "validation error: option token contains a control character" \
    "token with LF is a validation error"
check_lacks "$err" "tok_evil" "the error does not show the token"
STAYHERE_TOKEN=$evil_token run_cli --base-url "$bad_url" --dry-run create --label x
check_status 2 "STAYHERE_TOKEN with LF under --dry-run"
check_empty "$out" "--dry-run prints no request for a bad token"
STAYHERE_TOKEN=$'tok_evil\tX' run_cli --base-url "$bad_url" list
check_status 2 "STAYHERE_TOKEN with a tab"
check_nothing_sent "credentials with control characters sent nothing"

finish
