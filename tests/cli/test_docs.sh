#!/usr/bin/env bash
# The man page and the bash completion list every option that --help lists,
# and the bash completion completes commands and option values.
set -u
: "${STAYHOOKS_CLI:?set STAYHOOKS_CLI to the stayhooks binary}"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
man_page=$source_dir/docs/stayhooks.1
completion=$source_dir/completions/stayhooks.bash

checks=0
failures=0
check() {
    local what=$1
    shift
    checks=$((checks + 1))
    if "$@"; then
        echo "ok: $what"
    else
        failures=$((failures + 1))
        echo "FAIL: $what"
    fi
}

help_options=$("$STAYHOOKS_CLI" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
check "--help lists options" test -n "$help_options"
for option in $help_options; do
    man_form=${option//-/\\-}
    check "man page documents $option" grep -qF -- "$man_form" "$man_page"
    check "completion offers $option" grep -qE -- "(^|[ \"])$option([ \"]|\$)" "$completion"
done

for status in 0 1 2 3 4 5 6 7; do
    check "man page documents exit status $status" grep -qx "\\.B $status" "$man_page"
done

if command -v groff >/dev/null 2>&1; then
    groff_warnings=$(groff -man -Tutf8 -ww -z "$man_page" 2>&1)
    check "man page renders without groff warnings" test -z "$groff_warnings"
    [ -n "$groff_warnings" ] && echo "  $groff_warnings"
else
    echo "skip: groff is not installed, the man page is not rendered"
fi

# Completion: runs the function as bash would for a few command lines.
complete_words() {
    bash -c '
        . "$1"
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _stayhooks
        echo "${COMPREPLY[*]}"
    ' completion "$completion" "$@"
}
check "completion offers the commands" \
    test "$(complete_words stayhooks '')" = "list create update rotate delete actions send invoke batch"
check "completion offers send kinds" \
    test "$(complete_words stayhooks --room R1 send '')" = "message embed poll image"
check "completion offers permission names" \
    test "$(complete_words stayhooks create --permission e)" = "embed"
check "completion skips option values" \
    test "$(complete_words stayhooks --room send '')" = "list create update rotate delete actions send invoke batch"
check "completion offers embed options" \
    test "$(complete_words stayhooks send embed --ti)" = "--timeout --title"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
