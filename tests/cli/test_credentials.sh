#!/usr/bin/env bash
# Where the CLI reads the token and the secret from: the environment, a
# file, or standard input ("-"), with one trailing newline stripped.
. "$(dirname "$0")/lib.sh"

setup_room
secret=$(cat "$secret_file")
token=$(cat "$token_file")
dir=$STAYHOOKS_TEST_DIR

# Runs the CLI with standard input from FILE and sets $status, $out and $err.
run_cli_stdin() {
    local input=$1
    shift
    out=$dir/cli.out
    err=$dir/cli.err
    status=0
    "$STAYHOOKS_CLI" "$@" <"$input" >"$out" 2>"$err" || status=$?
}

# Secret from the environment.
STAYHERE_SECRET=$secret run_cli send message "secret from env"
check_status 0 "secret from STAYHERE_SECRET"

# Secret from a file with and without a trailing newline, and with CRLF.
printf '%s' "$secret" >"$dir/secret-bare"
printf '%s\r\n' "$secret" >"$dir/secret-crlf"
run_cli --secret-file "$secret_file" send message "file with newline"
check_status 0 "secret file with a trailing newline"
run_cli --secret-file "$dir/secret-bare" send message "file without newline"
check_status 0 "secret file without a trailing newline"
run_cli --secret-file "$dir/secret-crlf" send message "file with CRLF"
check_status 0 "secret file ending in CRLF"

# Only one newline is stripped: a second one makes the file invalid.
printf '%s\n\n' "$secret" >"$dir/secret-two-newlines"
run_cli --secret-file "$dir/secret-two-newlines" send message "two newlines"
check_status 2 "secret file with two trailing newlines"
check_contains "$err" "must contain one line" "two-line secret file is explained"

# The file wins over the environment.
STAYHERE_SECRET=whk_wrong run_cli --secret-file "$secret_file" send message "file beats env"
check_status 0 "--secret-file wins over STAYHERE_SECRET"

# Secret from standard input.
run_cli_stdin "$secret_file" --secret-file - send message "secret from stdin"
check_status 0 "secret from standard input"

# Unusable secret files.
: >"$dir/empty"
run_cli --secret-file "$dir/empty" send message "empty"
check_status 2 "empty secret file"
check_contains "$err" "is empty" "empty secret file is explained"
run_cli --secret-file "$dir/no-such-file" send message "missing"
check_status 2 "missing secret file"
check_contains "$err" "cannot open the --secret-file file: No such file" "missing secret file is explained"
check_lacks "$err" "no-such-file" "the secret file path is not echoed"
run_cli send message "no secret"
check_status 2 "no secret at all"
check_contains "$err" "missing webhook secret: set STAYHERE_SECRET or pass --secret-file PATH" \
    "missing secret says how to fix it"

# Token from the environment, a file, and standard input.
STAYHERE_TOKEN=$token run_cli list
check_status 0 "token from STAYHERE_TOKEN"
run_cli --token-file "$token_file" list
check_status 0 "token from a file"
run_cli_stdin "$token_file" --token-file - list
check_status 0 "token from standard input"
STAYHERE_TOKEN=not-a-token run_cli --token-file "$token_file" list
check_status 0 "--token-file wins over STAYHERE_TOKEN"
STAYHERE_TOKEN=not-a-token run_cli list
check_status 3 "invalid token from the environment"

# Standard input can feed only one of them.
run_cli_stdin "$secret_file" --secret-file - invoke message --payload-file -
check_status 2 "secret and payload both from standard input"
check_contains "$err" "only one of --secret-file, --token-file and --payload-file may read standard input" \
    "double use of standard input is explained"
run_cli_stdin "$token_file" --token-file - --secret-file - send message "token and secret from stdin"
check_status 2 "token and secret both from standard input for a send"
check_contains "$err" "only one of --secret-file, --token-file and --payload-file may read standard input" \
    "a send reads a --token-file it does not use, so stdin cannot feed both"
run_cli_stdin "$token_file" --token-file - --secret-file "$secret_file" send message "unused token from stdin"
check_status 0 "send with the unused token from standard input"
printf '{"action":"message","payload":{"text":"stdin batch"}}\n' >"$dir/one-line.jsonl"
run_cli_stdin "$dir/one-line.jsonl" --token-file - --secret-file "$secret_file" batch -
check_status 2 "token and batch lines both from standard input"
check_contains "$err" "batch reads its lines from standard input, so --token-file cannot also read it" \
    "a batch from standard input rejects --token-file -"
check_empty "$out" "nothing is sent when the token and the batch share standard input"

# A payload file with a NUL byte is rejected before sending.
printf '{"text":"a\0b"}' >"$dir/payload-nul"
run_cli --secret-file "$secret_file" invoke message --payload-file "$dir/payload-nul"
check_status 2 "payload file with a NUL byte"

# Secrets are never taken from arguments: there is no option for them.
run_cli --secret "$secret" send message "secret in argv"
check_status 2 "--secret is not an option"
check_lacks "$err" "$secret" "a rejected --secret value is not echoed"
run_cli --token "$token" list
check_status 2 "--token is not an option"
check_lacks "$err" "$token" "a rejected --token value is not echoed"
run_cli --secret="$secret" send message "secret after ="
check_status 2 "--secret=VALUE is not an option"
check_lacks "$err" "$secret" "a rejected --secret= value is not echoed"


# A usage error hides a credential whose file option comes after the bad
# option, because the credential files are read before the error is shown.
run_cli --ends-in "$secret" --secret-file "$secret_file" send poll "Q" "A" "B"
check_status 2 "secret as --ends-in before --secret-file"
check_contains "$err" "invalid --ends-in '<redacted>'" "secret before its file option is redacted"
check_lacks "$err" "$secret" "secret before its file option is absent"
run_cli --timeout "$token" --token-file "$token_file" list
check_status 2 "token as --timeout before --token-file"
check_contains "$err" "invalid --timeout '<redacted>'" "token before its file option is redacted"
check_lacks "$err" "$token" "token before its file option is absent"

# Standard input is not read for a usage error, so when a credential comes
# from it, every argument of 8 or more characters is hidden instead.
run_cli_stdin "$secret_file" --secret-file - "$secret"
check_status 2 "stdin secret as the command"
check_contains "$err" "unknown command '<redacted>'" "stdin secret as the command is redacted"
check_lacks "$err" "$secret" "stdin secret as the command is absent"
run_cli_stdin "$secret_file" --ends-in="$secret" --secret-file - send poll "Q" "A" "B"
check_status 2 "stdin secret as --ends-in=VALUE"
check_contains "$err" "invalid --ends-in '<redacted>'" "stdin secret after = is redacted"
check_lacks "$err" "$secret" "stdin secret after = is absent"
run_cli_stdin "$token_file" --token-file - list -- "$token"
check_status 2 "stdin token as an operand after --"
check_contains "$err" "unexpected operand '<redacted>'" "stdin token after -- is redacted"
check_lacks "$err" "$token" "stdin token after -- is absent"
run_cli_stdin "$secret_file" --secret-file - "${secret:0:12}"
check_status 2 "stdin secret piece as the command"
check_lacks "$err" "${secret:0:12}" "12-character piece of a stdin secret is absent"
run_cli_stdin "$secret_file" --secret-file - "--$secret" send message "x"
check_status 2 "stdin secret as an unknown option name"
check_contains "$err" "unknown option --<redacted>" "stdin secret as an option name is redacted"
check_lacks "$err" "${secret:0:8}" "stdin secret as an option name is absent"
run_cli_stdin "$secret_file" --secret-file - "--$secret=x" send message "x"
check_status 2 "stdin secret as an unknown option name with a value"
check_contains "$err" "unknown option --<redacted>" "stdin secret as --NAME=x is redacted"
check_lacks "$err" "${secret:0:8}" "stdin secret as --NAME=x is absent"
run_cli_stdin "$token_file" --token-file - "--$token" list
check_status 2 "stdin token as an unknown option name"
check_lacks "$err" "${token:0:8}" "stdin token as an option name is absent"
run_cli_stdin "$secret_file" --secret-file - --frob send message "x"
check_status 2 "short unknown option with a stdin secret"
check_contains "$err" "unknown option --frob" "a short unknown option name is shown"
run_cli_stdin "$secret_file" --secret-file - --ends-in=bad send poll "Q" "A" "B"
check_status 2 "known option with a stdin secret"
check_contains "$err" "invalid --ends-in 'bad'" "a known option name is shown"

# The cost: with a credential on standard input, a long typo is hidden too,
# while a short one, or a long one without standard input, is shown.
run_cli_stdin "$secret_file" --secret-file - frobnicate
check_status 2 "long typo with a stdin secret"
check_contains "$err" "unknown command '<redacted>'" "long typo with a stdin secret is hidden"
run_cli_stdin "$secret_file" --secret-file - lst
check_status 2 "short typo with a stdin secret"
check_contains "$err" "unknown command 'lst'" "short typo with a stdin secret is shown"
run_cli --secret-file "$secret_file" frobnicate
check_status 2 "long typo with a secret file"
check_contains "$err" "unknown command 'frobnicate'" "long typo with a secret file is shown"
check_contains "$err" "--help" "usage error still points to --help"

finish
