#!/bin/bash
# test_dry_run_unmappable.sh: cli_dry_run_cases fails a case whose call,
# argument or client option it cannot map, and skips only the empty
# permission list, which the CLI cannot express by design.
#
# Usage: test_dry_run_unmappable.sh DRY_RUN_CASES CLI CASES_JSON
set -u

tool=$1 cli=$2 cases=$3
output=$(mktemp)
trap 'rm -f "$output"' EXIT
failures=0

status=0
"$tool" "$cli" "$cases" >"$output" 2>&1 || status=$?

expect_line() {
    if grep -qxF -- "$1" "$output"; then
        echo "ok: $1"
    else
        echo "FAIL: line not found: $1"
        failures=$((failures + 1))
    fi
}

if [ "$status" -eq 1 ]; then
    echo "ok: exit status 1"
else
    echo "FAIL: exit status $status, expected 1"
    failures=$((failures + 1))
fi
expect_line "ok - valid message"
expect_line "not ok - misspelt argument: argument 'alias_typo' of send_message has no CLI option"
expect_line "not ok - unknown call: call 'send_sticker' has no CLI command"
expect_line "not ok - argument of wrong type: multiple_choice is not a boolean"
expect_line "not ok - unknown client option: client option 'proxy_typo' has no CLI equivalent"
expect_line "skip - empty permission list: an explicitly empty permission list has no CLI form"
expect_line "1 passed, 4 failed, 1 skipped"

if [ "$failures" -gt 0 ]; then
    echo "--- output:"
    cat "$output"
    exit 1
fi
