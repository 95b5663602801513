#!/usr/bin/env bash
# Wording of error messages: each names the real option or variable to
# use, gives the allowed range, states each fact once, and never echoes a
# credential typed on the command line.
. "$(dirname "$0")/lib.sh"

: "${STAYHOOKS_EXAMPLE_SEND_MESSAGE:?set STAYHOOKS_EXAMPLE_SEND_MESSAGE to the send_message example}"

setup_room
use_bad_server
export STAYHERE_SECRET
STAYHERE_SECRET=$(cat "$secret_file")

# A management command without a token names --token-file, not a C option.
run_cli list
check_status 3 "list without a token"
check_contains "$err" "auth error (HTTP 401): management commands need a bearer token" \
    "missing token is an auth error"
check_contains "$err" "pass --token-file PATH ('-' reads standard input) or set STAYHERE_TOKEN" \
    "missing token names --token-file and STAYHERE_TOKEN"
check_lacks "$err" "token option" "missing token does not name a token option"
check_line_count "$err" 1 "missing token is one line"
run_cli --base-url localhost:9 list
check_status 2 "bad base URL without a token is a validation error first"
run_cli --dry-run create --label x
check_status 3 "dry-run create without a token"
check_contains "$err" "pass --token-file PATH" "dry-run without a token names --token-file"

# --token and --secret point to the file options and variables, and do not
# echo the value, in either spelling.
for word in "--token tok-on-argv-123" "--token=tok-on-argv-123"; do
    # shellcheck disable=SC2086
    run_cli $word list
    check_status 2 "$word"
    check_contains "$err" "unknown option --token: " "$word is an unknown option"
    check_contains "$err" "pass --token-file PATH" "$word names --token-file"
    check_contains "$err" "STAYHERE_TOKEN" "$word names STAYHERE_TOKEN"
    check_lacks "$err" "tok-on-argv-123" "$word does not echo the token"
done
for word in "--secret whk_on_argv_123" "--secret=whk_on_argv_123"; do
    # shellcheck disable=SC2086
    run_cli $word send message hi
    check_status 2 "$word"
    check_contains "$err" "unknown option --secret: " "$word is an unknown option"
    check_contains "$err" "pass --secret-file PATH" "$word names --secret-file"
    check_contains "$err" "STAYHERE_SECRET" "$word names STAYHERE_SECRET"
    check_lacks "$err" "whk_on_argv_123" "$word does not echo the secret"
done

# Numbers out of range state the range.
run_cli send image https://example.test/a.png --size 99999999999x1
check_status 2 "--size too large"
check_contains "$err" "invalid --size '99999999999x1': expected WIDTHxHEIGHT in pixels, each a whole number from 0 to 2147483647" \
    "--size gives its range"
run_cli send image https://example.test/a.png --at 1,99999999999
check_status 2 "--at too large"
check_contains "$err" "each a whole number from 0 to 2147483647" "--at gives its range"
run_cli send poll Q A B --ends-in 99999999999
check_status 2 "--ends-in too large"
check_contains "$err" "expected whole minutes from 0 to 2147483647" "--ends-in gives its range"

# The base URL is quoted as typed.
run_cli --base-url http:// send message hi
check_status 2 "--base-url http://"
check_contains "$err" 'base URL "http://" has no host' "--base-url quotes what was typed"

# A poll with too few options states how many it needs and how many it got.
run_cli send poll Q "only one" " "
check_status 2 "poll with one usable option"
check_contains "$err" "a poll needs 2 to 8 non-empty options; got 1" "poll option count is worded"

# A redirect is described once.
start_bad_server redirect
run_cli --base-url "$bad_url" send message "redirected"
check_status 4 "redirect"
check_contains "$err" "HTTP error (HTTP 302): HTTP 302 redirect from $bad_url/api/webhooks/R1/$webhook/invoke to http://127.0.0.1:9/elsewhere was not followed" \
    "redirect names both URLs"
checks=$((checks + 1))
if [ "$(grep -o 'not followed' "$err" | wc -l)" -eq 1 ]; then
    pass "redirect says 'not followed' once"
else
    fail "redirect repeats itself: $(cat "$err")"
fi
stop_bad_server

# The examples leave out the status when no reply was received.
out=$STAYHOOKS_TEST_DIR/example.out
err=$STAYHOOKS_TEST_DIR/example.err
status=0
STAYHERE_ROOM=R1 STAYHERE_WEBHOOK=$webhook STAYHERE_SECRET=$'whk_bad\nline' \
    "$STAYHOOKS_EXAMPLE_SEND_MESSAGE" >"$out" 2>"$err" || status=$?
check_status 1 "example with a bad secret"
check_contains "$err" "validation error: webhook secret contains a control character" \
    "example prints the validation error"
check_lacks "$err" "(HTTP 0)" "example leaves out a zero status"

finish
