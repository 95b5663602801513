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

# Malformed base and invoke URLs are validation errors that quote what was
# typed, with or without --dry-run, not network errors.
export STAYHERE_SECRET
STAYHERE_SECRET=$(cat "$secret_file")
port=${bad_url##*:}
for url in "http://127.0.0.1:$port /x" "http://127.0.0.1:99999" "http://127.0.0.1:$port?x=1" \
    "#fragment" "http://" "http://127.0.0.1:$port/#top"; do
    run_cli --base-url "$url" send message "bad base URL"
    check_status 2 "base URL '$url'"
    # The part from the first "?" or "#" on is elided, as it may hold a secret.
    prefix=${url%%[?#]*}
    shown=$prefix
    [ "$prefix" != "$url" ] && shown="$prefix${url:${#prefix}:1}..."
    check_contains "$err" "validation error: base URL \"$shown\" " "base URL '$url' is quoted up to any query"
    run_cli --base-url "$url" --dry-run send message "bad base URL"
    check_status 2 "base URL '$url' under --dry-run"
    check_empty "$out" "--dry-run prints no request for base URL '$url'"
done
run_cli --base-url "http://alice:pw-in-url@127.0.0.1:$port" send message "userinfo"
check_status 2 "base URL with a password"
check_lacks "$err" "pw-in-url" "the error does not show the password"
run_cli --invoke-url "$bad_url/api/webhooks/R1/W1/invoke?x=1" send message "query"
check_status 2 "invoke URL with a query"
check_contains "$err" "invoke URL \"$bad_url/api/webhooks/R1/W1/invoke?...\" must not have a query" \
    "invoke URL with a query is named"
run_cli --invoke-url "$bad_url/api/webhooks/R1/W1/invoke?secret=whk_query_secret" send message "query"
check_lacks "$err" "whk_query_secret" "the query of an invoke URL is not quoted"
run_cli --base-url "$bad_url" --api-prefix $'api\r\nX-Evil: 1' send message "prefix"
check_status 2 "API prefix with CR LF"
check_contains "$err" "validation error: base URL with the API prefix" "API prefix with CR LF is named"
run_cli --base-url "$bad_url" --api-prefix 'a?b' --dry-run send message "prefix"
check_status 2 "API prefix with a query under --dry-run"
check_nothing_sent "malformed URLs sent nothing"

finish
