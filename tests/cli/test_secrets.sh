#!/usr/bin/env bash
# The token and the webhook secret never appear on stdout or stderr, in
# --verbose logs, --dry-run output or error paths. The one exception is the
# new secret that create and rotate print on purpose, which is not checked
# here.
. "$(dirname "$0")/lib.sh"

setup_room
secret=$(cat "$secret_file")
token=$(cat "$token_file")
dir=$STAYHOOKS_TEST_DIR

# Checks that neither credential appears in the last run's output.
check_no_credentials() {
    local what=$1

    check_lacks "$out" "$secret" "$what: secret absent from stdout"
    check_lacks "$err" "$secret" "$what: secret absent from stderr"
    check_lacks "$out" "$token" "$what: token absent from stdout"
    check_lacks "$err" "$token" "$what: token absent from stderr"
}

# Runs the CLI with standard input from FILE and sets $status, $out and $err.
run_cli_stdin() {
    local input=$1
    shift
    out=$dir/cli.out
    err=$dir/cli.err
    status=0
    "$STAYHOOKS_CLI" "$@" <"$input" >"$out" 2>"$err" || status=$?
}

# --verbose on success: the request and reply lines are logged, redacted.
run_cli --verbose --secret-file "$secret_file" send message "verbose send"
check_status 0 "verbose send"
check_contains "$err" "stayhooks: debug: > POST $STAYHERE_BASE_URL/api/webhooks/R1/$webhook/invoke" \
    "verbose logs the request line"
check_contains "$err" "x-stay-webhook-secret: <redacted>" "verbose shows the secret header redacted"
check_contains "$err" "stayhooks: debug: < HTTP 200" "verbose logs the reply status"
check_no_credentials "verbose send"

run_cli --verbose --token-file "$token_file" list
check_status 0 "verbose list"
check_contains "$err" "Authorization: Bearer <redacted>" "verbose shows the bearer token redacted"
check_no_credentials "verbose list"

# --verbose on error paths: wrong secret, wrong token, unknown webhook.
printf '%s\n' "${secret}x" >"$dir/longer-secret"
run_cli --verbose --secret-file "$dir/longer-secret" send message "wrong secret"
check_status 3 "verbose send with a wrong secret"
check_no_credentials "verbose wrong secret"
check_lacks "$err" "${secret}x" "the wrong secret is not shown either"

STAYHERE_TOKEN=${token}x run_cli --verbose list
check_status 3 "verbose list with a wrong token"
check_no_credentials "verbose wrong token"

run_cli --verbose --secret-file "$secret_file" --webhook wh_unknown send message "nobody"
check_status 4 "verbose send to an unknown webhook"
check_no_credentials "verbose unknown webhook"

# Network error: nothing listens on the port.
use_bad_server
find_closed_port
run_cli --verbose --retries 0 --base-url "$closed_url" --secret-file "$secret_file" send message "refused"
check_status 6 "verbose send to a closed port"
check_no_credentials "verbose network error"

# --dry-run output shows both credentials as <redacted>.
run_cli --dry-run --secret-file "$secret_file" send message "dry"
check_status 0 "dry-run send"
check_contains "$out" '"x-stay-webhook-secret":"<redacted>"' "dry-run redacts the secret"
check_no_credentials "dry-run send"
run_cli --dry-run --token-file "$token_file" --verbose rotate
check_status 0 "dry-run rotate"
check_contains "$out" '"Authorization":"Bearer <redacted>"' "dry-run redacts the token"
check_no_credentials "dry-run rotate"

# --dry-run hides the credentials in the URL and the body too, and pieces
# of them: the first 20 characters of the secret, the last 12 of the token.
run_cli --dry-run --secret-file "$secret_file" --invoke-url "$STAYHERE_BASE_URL/x/$secret/invoke" \
    send message "secret $secret, prefix ${secret:0:20}"
check_status 0 "dry-run with the secret in the URL and text"
check_contains "$out" "\"url\":\"$STAYHERE_BASE_URL/x/<redacted>/invoke\"" "dry-run redacts the secret in the URL"
check_contains "$out" '"text":"secret <redacted>, prefix <redacted>"' "dry-run redacts the secret in the text"
check_lacks "$out" "${secret:4:12}" "dry-run shows no piece of the secret"
check_no_credentials "dry-run secret in the URL and text"
run_cli --dry-run --token-file "$token_file" update --label "token ${token: -12}"
check_status 0 "dry-run with part of the token in the label"
check_contains "$out" '"label":"token <redacted>"' "dry-run redacts part of the token"
check_lacks "$out" "${token: -12}" "dry-run shows no piece of the token"

# Validation error with credentials set.
run_cli --verbose --secret-file "$secret_file" send poll "Q" "only one"
check_status 2 "verbose validation error"
check_no_credentials "verbose validation error"

# Usage errors that echo an argument hide it when it is the secret or the
# token, whether that came from the environment or from a file.
STAYHERE_SECRET=$secret run_cli "$secret"
check_status 2 "secret as the command"
check_contains "$err" "unknown command '<redacted>'" "an unknown command that is the secret is redacted"
check_no_credentials "secret as the command"

STAYHERE_SECRET=$secret run_cli send "$secret"
check_status 2 "secret as the send kind"
check_contains "$err" "unknown send kind '<redacted>'" "an unknown send kind that is the secret is redacted"
check_no_credentials "secret as the send kind"

run_cli --secret-file "$secret_file" --ends-in "$secret" send poll "Q" "A" "B"
check_status 2 "secret as the --ends-in value"
check_contains "$err" "invalid --ends-in '<redacted>'" "an invalid --ends-in that is the secret is redacted"
check_no_credentials "secret as the --ends-in value"

run_cli --secret-file "$secret_file" "${secret:0:12}"
check_status 2 "part of the secret as the command"
check_lacks "$err" "${secret:0:12}" "a 12-character piece of the secret is redacted"

STAYHERE_TOKEN=$token run_cli "$token"
check_status 2 "token as the command"
check_contains "$err" "unknown command '<redacted>'" "an unknown command that is the token is redacted"
check_no_credentials "token as the command"

run_cli --token-file "$token_file" list "$token"
check_status 2 "token as an extra operand"
check_no_credentials "token as an extra operand"

# A base URL error comes before the library knows the invoke secret, so the
# CLI redacts it.
run_cli --base-url "$secret" --secret-file "$secret_file" send message "bad base URL"
check_status 2 "secret as the base URL"
check_contains "$err" 'base URL "<redacted>"' "a base URL that is the secret is redacted"
check_no_credentials "secret as the base URL"
STAYHERE_SECRET=$secret STAYHERE_BASE_URL=$secret run_cli send message "bad base URL from env"
check_status 2 "secret as STAYHERE_BASE_URL"
check_no_credentials "secret as STAYHERE_BASE_URL"

# Both credentials are hidden in every error line, whichever of them the
# command uses, such as one echoed in a payload path or a base URL.
run_cli --secret-file "$secret_file" invoke message --payload-file "$secret"
check_status 2 "secret as the payload file path"
check_contains "$err" "cannot open payload file '<redacted>'" "a payload path that is the secret is redacted"
check_no_credentials "secret as the payload file path"
run_cli --token-file "$token_file" --secret-file "$secret_file" --base-url "ftp://x${token: -20}" \
    send message "token piece in the base URL"
check_status 2 "token piece in the base URL of a send"
check_lacks "$err" "${token: -20}" "a send hides a token piece from --token-file"
STAYHERE_TOKEN=$token run_cli --secret-file "$secret_file" --base-url "ftp://x${token: -20}" \
    send message "token piece from the environment"
check_status 2 "token piece from STAYHERE_TOKEN in the base URL of a send"
check_lacks "$err" "${token: -20}" "a send hides a token piece from STAYHERE_TOKEN"
run_cli --secret-file "$secret_file" --token-file "$token_file" --base-url "ftp://x${secret:20:20}" list
check_status 2 "secret piece in the base URL of a list"
check_lacks "$err" "${secret:20:20}" "a list hides a secret piece from --secret-file"
STAYHERE_SECRET=$secret run_cli --token-file "$token_file" --base-url "ftp://x${secret:20:20}" list
check_status 2 "secret piece from STAYHERE_SECRET in the base URL of a list"
check_lacks "$err" "${secret:20:20}" "a list hides a secret piece from STAYHERE_SECRET"

# A credential shorter than eight characters is hidden only as a word of
# its own, so a secret "e" leaves member names and other words readable.
STAYHERE_SECRET=e run_cli --dry-run send message "secret e here"
check_status 0 "dry-run send with a one-letter secret"
check_contains "$out" '"text":"secret <redacted> here"' "a one-letter secret is hidden as a word"
check_contains "$out" '"headers":{' "member names stay readable with a one-letter secret"
check_contains "$out" '"message"' "other words stay readable with a one-letter secret"

# An invoke's client never has the token, so the CLI hides it in the
# --verbose lines and the --dry-run object that the library produces.
run_cli --dry-run --token-file "$token_file" --secret-file "$secret_file" send message "tok=${token:40:30}"
check_status 0 "dry-run send with a token piece in the text"
check_contains "$out" '"text":"tok=<redacted>"' "dry-run send hides a token piece from --token-file"
check_lacks "$out" "${token:40:30}" "dry-run send shows no token piece"
checks=$((checks + 1))
if jq -e '.body.payload.text == "tok=<redacted>"' "$out" >/dev/null; then
    pass "dry-run output parses with the text redacted"
else
    fail "dry-run output does not parse with the text tok=<redacted>: $(head -c 300 "$out")"
fi
STAYHERE_TOKEN=$token run_cli --dry-run --secret-file "$secret_file" send message "tok=${token:40:30}"
check_status 0 "dry-run send with a token piece and STAYHERE_TOKEN"
check_lacks "$out" "${token:40:30}" "dry-run send hides a token piece from STAYHERE_TOKEN"
run_cli --verbose --token-file "$token_file" --secret-file "$secret_file" send message "tok=${token:40:30}"
check_status 0 "verbose send with a token piece in the text"
check_contains "$err" '"text":"tok=<redacted>"' "verbose send logs the body with the token piece hidden"
check_lacks "$err" "${token:40:30}" "verbose send shows no token piece"

# Server text that echoes a credential is hidden in human and --json
# output, but the new secret of create is still printed.
run_cli --token-file "$token_file" --secret-file "$secret_file" create --label "sec ${secret:10:20}"
check_status 0 "create with a secret piece in the label"
check_contains "$out" "\"sec <redacted>\"" "human create output hides a secret piece in the label"
check_lacks "$out" "${secret:10:20}" "human create output shows no secret piece"
check_contains "$out" "Secret: whk_" "human create output still prints the new secret"
run_cli --token-file "$token_file" --secret-file "$secret_file" list --json
check_status 0 "list --json with a secret piece in a label"
check_lacks "$out" "${secret:10:20}" "list --json shows no secret piece"
check_contains "$out" "\"secretPreview\":\"<redacted>...\"" "list --json hides the preview of the known secret"
checks=$((checks + 1))
if jq -e '[.webhooks[].label] | index("sec <redacted>") != null' "$out" >/dev/null; then
    pass "list --json shows the label redacted"
else
    fail "list --json has no label 'sec <redacted>': $(head -c 300 "$out")"
fi
run_cli --token-file "$token_file" --secret-file "$secret_file" create --label "sec ${secret:10:20}" --json
check_status 0 "create --json with a secret piece in the label"
check_lacks "$out" "${secret:10:20}" "create --json shows no secret piece"
checks=$((checks + 1))
if jq -e '(.secret | startswith("whk_")) and .webhook.label == "sec <redacted>"' "$out" >/dev/null; then
    pass "create --json keeps the new secret and hides the label piece"
else
    fail "create --json lost the new secret or showed the label: $(head -c 300 "$out")"
fi

# A credential option may be given once, and a usage error hides the
# content of every credential file named, repeats included.
printf '%s\n' "whk_other_secret_for_the_repeat_test" >"$dir/other-secret"
run_cli --secret-file "$secret_file" --secret-file "$dir/other-secret" send message "frob$secret"
check_status 2 "repeated --secret-file"
check_contains "$err" "--secret-file may be given only once" "a repeated --secret-file is rejected"
check_no_credentials "repeated --secret-file"
run_cli --token-file "$token_file" --token-file "$token_file" list
check_status 2 "repeated --token-file"
check_contains "$err" "--token-file may be given only once" "a repeated --token-file is rejected"
run_cli --ends-in "frob$secret" --secret-file "$secret_file" --secret-file "$dir/other-secret" \
    send poll "Q" "A" "B"
check_status 2 "usage error before two --secret-file options"
check_contains "$err" "invalid --ends-in 'frob<redacted>'" "the first of two secret files is hidden"
check_lacks "$err" "${secret:4:20}" "no piece of the first secret file is shown"
run_cli_stdin "$secret_file" --ends-in frobnicate --secret-file "$dir/other-secret" --secret-file - \
    send poll "Q" "A" "B"
check_status 2 "usage error before a second --secret-file -"
check_contains "$err" "invalid --ends-in '<redacted>'" "a second --secret-file - still hides long arguments"

finish
