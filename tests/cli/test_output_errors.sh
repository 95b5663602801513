#!/usr/bin/env bash
# Standard output that cannot be written makes the CLI exit 1 with a
# message on stderr. After a create or rotate the message states that the
# new secret was lost and how to get another; a closed standard output is
# caught before anything is sent.
. "$(dirname "$0")/lib.sh"

setup_room
dir=$STAYHOOKS_TEST_DIR

# Runs the CLI with stdout closed and sets $status and $err. It runs
# without STAYHOOKS_TEST_WRAPPER, whose own files could take descriptor 1.
run_cli_stdout_closed() {
    err=$dir/cli.err
    status=0
    "$STAYHOOKS_CLI" "$@" 2>"$err" >&- || status=$?
}

# Runs the CLI with stdout on /dev/full (every write fails with ENOSPC).
run_cli_stdout_full() {
    err=$dir/cli.err
    status=0
    ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_CLI" "$@" 2>"$err" >/dev/full ||
        status=$?
}

# Prints how many webhooks room R1 has.
count_webhooks() {
    "$STAYHOOKS_CLI" --token-file "$token_file" list --json | grep -o '"id":' | wc -l
}

# A closed stdout: nothing is created, so no secret is lost.
before=$(count_webhooks)
run_cli_stdout_closed --token-file "$token_file" create --label "closed stdout"
check_status 1 "create with stdout closed"
check_contains "$err" "stayhooks: standard output is closed" "closed stdout is reported"
check_contains "$err" "nothing was sent" "closed stdout says nothing was sent"
after=$(count_webhooks)
checks=$((checks + 1))
if [ "$after" -eq "$before" ]; then
    pass "create with stdout closed created no webhook"
else
    fail "create with stdout closed created a webhook: $before before, $after after"
fi
run_cli_stdout_closed --token-file "$token_file" list
check_status 1 "list with stdout closed"

if [ -w /dev/full ]; then
    # A full stdout after create: the webhook exists, the secret is lost.
    run_cli_stdout_full --token-file "$token_file" create --label "full stdout"
    check_status 1 "create with stdout full"
    check_contains "$err" "stayhooks: cannot write to standard output: No space left on device" \
        "create names the write error"
    check_contains "$err" "was created, but its secret could not be written" "create says the secret was lost"
    check_contains "$err" "run 'stayhooks rotate --room R1 --webhook wh_" "create suggests rotate"
    check_lacks "$err" "store the secret now" "create does not ask to store a secret it lost"

    run_cli_stdout_full --token-file "$token_file" create --label "full stdout json" --json
    check_status 1 "create --json with stdout full"
    check_contains "$err" "its secret could not be written" "create --json says the secret was lost"

    run_cli_stdout_full --token-file "$token_file" rotate
    check_status 1 "rotate with stdout full"
    check_contains "$err" "the secret of webhook $webhook was rotated, so the old secret no longer works" \
        "rotate says the old secret is gone"
    check_contains "$err" "run 'stayhooks rotate --room R1 --webhook $webhook' to get a new secret" \
        "rotate suggests rotating again"

    run_cli_stdout_full --token-file "$token_file" list
    check_status 1 "list with stdout full"
    check_contains "$err" "cannot write to standard output" "list reports the write error"
else
    echo "note: /dev/full is missing, so the full-output checks did not run"
fi

# A pipe whose reader has gone: EPIPE is reported, not a silent death by
# SIGPIPE. Descriptor 3 reads the FIFO only until descriptor 4 has opened
# its write end, so the CLI writes into a pipe that no one reads.
mkfifo "$dir/pipe"
exec 3<>"$dir/pipe"
exec 4>"$dir/pipe"
exec 3<&-
status=0
${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_CLI" --token-file "$token_file" rotate \
    2>"$dir/cli.err" >&4 4>&- || status=$?
exec 4>&-
err=$dir/cli.err
check_status 1 "rotate into a pipe without a reader"
check_contains "$err" "cannot write to standard output: Broken pipe" "a closed pipe is reported"
check_contains "$err" "was rotated, so the old secret no longer works" "a closed pipe says the secret was lost"

finish
