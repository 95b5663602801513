#!/usr/bin/env bash
# stayhooks batch: JSON lines in, one result line per input line out, in
# input order; bad lines reported by number; exit status; no secret echoed.
. "$(dirname "$0")/lib.sh"

setup_room --rate-limit 100000/1
secret=$(cat "$secret_file")

# A second webhook, addressed by its invoke URL with its own secret.
run_cli --token-file "$token_file" create --label "Second bot" --json
check_status 0 "create a second webhook"
second_secret=$(json_string_member "$out" secret)
second_url=$(json_string_member "$out" invokeUrl)

input=$STAYHOOKS_TEST_DIR/batch.jsonl
{
    printf '{"action":"message","payload":{"text":"batch one"}}\n'
    printf '{"action":"poll","payload":{"question":"batch poll?","options":["a","b"],"multipleChoice":false}}\n'
    printf '\n'
    printf '{"invokeUrl":"%s","secret":"%s","action":"message","payload":{"text":"batch via url"}}\n' \
        "$second_url" "$second_secret"
    printf '{"action":"message","payload":{"text":"batch wrong secret"},"secret":"whk_wrong_%s"}\n' "$secret"
    printf '{"action":"message","payload":{"text":"batch broken"\n'
    printf '{"action":"message","payload":{"text":""}}\n'
    printf '{"action":"message","secrte":"%s"}\n' "$secret"
    printf '{"room":"R1","webhook":"%s","action":"image","payload":{"url":"https://example.test/batch.png"}}\n' \
        "$STAYHERE_WEBHOOK"
} >"$input"

STAYHERE_SECRET=$secret run_cli batch --parallel 3 "$input"
check_status 3 "batch with failed lines exits with the first failure's status (auth)"
check_line_count "$out" 8 "one result line per non-blank input line"

line_of() {
    sed -n "${1}p" "$out"
}
expect_line() {
    local index=$1 text=$2 what=$3

    checks=$((checks + 1))
    if line_of "$index" | grep -qF -- "$text"; then
        pass "$what"
    else
        fail "$what: result line $index is $(line_of "$index")"
    fi
}
expect_line 1 '{"line":1,"ok":true,"kind":"message","messageId":"msg_' "line 1 delivered"
expect_line 2 '{"line":2,"ok":true,"kind":"poll",' "line 2 delivered as a poll"
expect_line 2 '"pollId":"poll_' "line 2 has a poll ID"
expect_line 3 '{"line":4,"ok":true,"kind":"message"' "the blank line 3 is skipped and line 4 delivered"
expect_line 4 '{"line":5,"ok":false,"error":{"class":"auth","status":401,' "line 5 fails with 401"
expect_line 5 '{"line":6,"ok":false,"error":{"class":"validation","status":0,"message":"line ends before the JSON value is complete"' "line 6 is cut off"
expect_line 6 '{"line":7,"ok":false,"error":{"class":"http","status":400,' "line 7 gets the server's 400"
expect_line 7 '{"line":8,"ok":false,"error":{"class":"validation","status":0,"message":"unknown member at position 2 (allowed: action, payload, room, webhook, secret, invokeUrl)"' "line 8 has an unknown member"
expect_line 8 '{"line":9,"ok":true,"kind":"image"' "line 9 delivered to the board"
check_contains "$err" "4 delivered, 4 failed" "summary on stderr"
check_lacks "$out" "$secret" "the default secret is not in the output"
check_lacks "$err" "$secret" "the default secret is not in the errors"
check_lacks "$out" "$second_secret" "a line's secret is not in the output"
check_lacks "$err" "$second_secret" "a line's secret is not in the errors"
check_lacks "$err" "[" "no progress bar when stderr is not a terminal"


# Error objects say whether the request may have reached the server.
expect_line 4 '"deliveryUnknown":false}' "an auth failure is not delivery-unknown"
expect_line 5 '"deliveryUnknown":false}' "an invalid line is not delivery-unknown"

# Exit rule: invalid lines alone give 2 only when nothing was sent.
mixed=$STAYHOOKS_TEST_DIR/mixed.jsonl
{
    printf '{"action":"message","payload":{"text":"mixed good"}}\n'
    printf 'not json\n'
} >"$mixed"
STAYHERE_SECRET=$secret run_cli batch "$mixed"
check_status 1 "invalid lines next to a delivered one exit 1, not 2"
printf 'not json\n[1]\n' >"$STAYHOOKS_TEST_DIR/invalid.jsonl"
STAYHERE_SECRET=$secret run_cli batch "$STAYHOOKS_TEST_DIR/invalid.jsonl"
check_status 2 "a batch of invalid lines only exits 2"

# Delivery unknown wins over an earlier failure: line 1 fails with 401,
# line 2 reaches a server that closes the connection without a reply.
use_bad_server
start_bad_server close
{
    printf '{"action":"message","payload":{"text":"x"},"secret":"whk_wrong_%s"}\n' "$secret"
    printf '{"invokeUrl":"%s/api/rooms/R1/webhooks/whk_1/invoke","action":"message","payload":{"text":"y"}}\n' "$bad_url"
} >"$STAYHOOKS_TEST_DIR/unknown.jsonl"
STAYHERE_SECRET=$secret run_cli batch --parallel 1 "$STAYHOOKS_TEST_DIR/unknown.jsonl"
check_status 7 "a delivery-unknown line sets exit 7 even after an auth failure"
expect_line 2 '"class":"network"' "the closed connection is a network error"
expect_line 2 '"deliveryUnknown":true}' "the closed connection is delivery-unknown"
stop_bad_server

# SIGTERM mid-run: results already known are printed as they end, the
# batch stops reading input, every line read gets one result line, unsent
# lines are marked cancelled, and the exit status is 128 + 15.
many=$STAYHOOKS_TEST_DIR/many.jsonl
: >"$many"
for i in $(seq 1 3000); do
    printf '{"action":"message","payload":{"text":"interrupted %d"}}\n' "$i"
done >"$many"
STAYHERE_SECRET=$secret "$STAYHOOKS_CLI" batch --parallel 1 "$many" \
    >"$STAYHOOKS_TEST_DIR/int.out" 2>"$STAYHOOKS_TEST_DIR/int.err" &
batch_pid=$!
# Results stream: wait (at most 10 s) until some have been printed.
for _ in $(seq 1 100); do
    [ -s "$STAYHOOKS_TEST_DIR/int.out" ] && break
    sleep 0.1
done
streamed=$(wc -l <"$STAYHOOKS_TEST_DIR/int.out")
kill -TERM "$batch_pid"
wait "$batch_pid"
status=$?
checks=$((checks + 1))
if [ "$streamed" -gt 0 ]; then pass "results print while the batch runs"; else fail "no result line after 10 s"; fi
checks=$((checks + 1))
if [ "$status" -eq 143 ]; then pass "SIGTERM exits 143"; else fail "SIGTERM exited $status"; fi
# The window being sent when the signal came was read, the lines after it
# were not.
last_read=$(sed -n 's/.*input lines after line \([0-9]*\) were not read.*/\1/p' "$STAYHOOKS_TEST_DIR/int.err")
checks=$((checks + 1))
if [ -n "$last_read" ] && [ "$last_read" -lt 3000 ]; then
    pass "reading stops at the signal (after line $last_read)"
else
    fail "the summary does not say where reading stopped: $(cat "$STAYHOOKS_TEST_DIR/int.err")"
    last_read=3000
fi
check_line_count "$STAYHOOKS_TEST_DIR/int.out" "$last_read" "every line read has a result after SIGTERM"
check_contains "$STAYHOOKS_TEST_DIR/int.out" '"error":{"class":"cancelled","status":0,"message":"not sent because the batch was interrupted","deliveryUnknown":false}' \
    "unsent lines are marked cancelled"
check_contains "$STAYHOOKS_TEST_DIR/int.err" "not sent: interrupted by signal 15" "the summary names the interruption"
delivered=$(grep -c '"ok":true' "$STAYHOOKS_TEST_DIR/int.out")
read_back messages
stored=$(grep -o '"text":"interrupted [0-9]*"' "$STAYHOOKS_TEST_DIR/messages.json" | wc -l)
checks=$((checks + 1))
if [ "$delivered" -eq "$stored" ]; then
    pass "each stored item has an ok result line ($stored)"
else
    fail "$delivered ok result lines but $stored stored"
fi
checks=$((checks + 1))
if [ "$(grep -n . "$STAYHOOKS_TEST_DIR/int.out" | sed -n 's/^\([0-9]*\):{"line":\([0-9]*\),.*/\1 \2/p' | awk '$1 != $2' | wc -l)" -eq 0 ]; then
    pass "interrupted results are in input order"
else
    fail "interrupted results are out of order"
fi

# SIGTERM while the batch waits for more lines on a pipe ends the read at
# once: the lines read so far are reported as not sent.
fifo=$STAYHOOKS_TEST_DIR/lines.fifo
mkfifo "$fifo"
(
    printf '{"action":"message","payload":{"text":"piped %d"}}\n' 1 2 3
    exec sleep 30
) >"$fifo" &
writer_pid=$!
STAYHERE_SECRET=$secret "$STAYHOOKS_CLI" batch - <"$fifo" \
    >"$STAYHOOKS_TEST_DIR/pipe.out" 2>"$STAYHOOKS_TEST_DIR/pipe.err" &
batch_pid=$!
# Signal once the writer has written its lines (it is then `sleep`) and the
# batch waits in a pipe read; without /proc, after one second.
if [ -r "/proc/$batch_pid/wchan" ]; then
    for _ in $(seq 1 100); do
        if [ "$(cat "/proc/$writer_pid/comm" 2>/dev/null)" = sleep ] &&
            grep -q pipe_read "/proc/$batch_pid/wchan" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
else
    sleep 1
fi
kill -TERM "$batch_pid"
# Bounded wait: the batch must end long before the writer's 30 s.
for _ in $(seq 1 100); do
    kill -0 "$batch_pid" 2>/dev/null || break
    sleep 0.1
done
checks=$((checks + 1))
if kill -0 "$batch_pid" 2>/dev/null; then
    fail "batch still waits on the pipe 10 s after SIGTERM"
    kill -KILL "$batch_pid"
else
    pass "SIGTERM ends a read that waits on a pipe"
fi
wait "$batch_pid"
status=$?
kill "$writer_pid" 2>/dev/null
wait "$writer_pid" 2>/dev/null
checks=$((checks + 1))
if [ "$status" -eq 143 ]; then pass "SIGTERM on a pipe exits 143"; else fail "SIGTERM on a pipe exited $status"; fi
check_line_count "$STAYHOOKS_TEST_DIR/pipe.out" 3 "each piped line read has a result"
check_contains "$STAYHOOKS_TEST_DIR/pipe.out" '{"line":3,"ok":false,"error":{"class":"cancelled"' \
    "piped lines read before the signal are not sent"
check_contains "$STAYHOOKS_TEST_DIR/pipe.err" "0 delivered, 0 failed, 3 not sent: interrupted by signal 15" \
    "the summary counts the piped lines"
check_contains "$STAYHOOKS_TEST_DIR/pipe.err" "input lines after line 3 were not read" \
    "the summary says where reading stopped"
check_lacks "$STAYHOOKS_TEST_DIR/pipe.err" "cannot read batch file" "the interrupted read is not an error"
read_back messages
check_lacks "$STAYHOOKS_TEST_DIR/messages.json" '"text":"piped' "no piped line was sent"

# Messages for lines that cannot be read; none quotes a member name that
# could be a secret.
odd=$STAYHOOKS_TEST_DIR/odd.jsonl
{
    printf '\357\273\277{"action":"message","payload":{"text":"bom"}}\n'
    printf '"str"\n'
    printf '42\n'
    printf '[1]\n'
    printf '{"room":"R1","room":"R2","action":"message"}\n'
    printf '{"%s":1,"%s":2}\n' "$secret" "$secret"
    printf '{"action":"message","payload":{"text":"bad \377 byte"}}\n'
    printf '{"action":"message","%s":"x"}\n' "$secret"
    printf '[1,2\n'
    printf '{"action":"message",}\n'
    printf '{"action":"message"'
} >"$odd"
STAYHERE_SECRET=$secret run_cli batch "$odd"
check_status 2 "a batch of unreadable lines exits 2"
expect_line 1 '"message":"line starts with a byte order mark (BOM); remove it"' "a BOM is named"
expect_line 2 '"message":"line must be a JSON object"' "a JSON string is not an object"
expect_line 3 '"message":"line must be a JSON object"' "a JSON number is not an object"
expect_line 4 '"message":"line must be a JSON object"' "a JSON array is not an object"
expect_line 5 '"message":"duplicate member \"room\" (error at column' "a duplicate known member is named"
expect_line 6 '"message":"duplicate member (error at column' "a duplicate unknown member is not named"
expect_line 7 '"message":"line is not valid UTF-8 (error at column' "invalid UTF-8 is named"
expect_line 8 '"message":"unknown member at position 2 (allowed:' "an unknown member gets its position"
check_lacks "$out" "$secret" "a secret used as a member name is not echoed"
# jansson places an error at the end of input after the newline, at column
# 0, so a cut-off line is reported as such instead of by column.
expect_line 9 '"message":"line ends before the JSON value is complete"' "a cut-off array is named"
expect_line 10 '"message":"line is not valid JSON (error at column 21)"' "a syntax error names its column"
expect_line 11 '"message":"line ends before the JSON value is complete"' "a cut-off last line without a newline is named"
check_lacks "$out" "error at column 0" "no error points at column 0"
# Each delivered line arrived exactly once.
read_back messages
for text in "batch one" "batch via url"; do
    count=$(grep -o "\"text\":\"$text\"" "$STAYHOOKS_TEST_DIR/messages.json" | wc -l)
    checks=$((checks + 1))
    if [ "$count" -eq 1 ]; then pass "'$text' arrived once"; else fail "'$text' arrived $count times"; fi
done
check_lacks "$STAYHOOKS_TEST_DIR/messages.json" "batch wrong secret" "the wrong-secret line was not stored"
read_back polls
check_contains "$STAYHOOKS_TEST_DIR/polls.json" '"question":"batch poll?"' "the poll arrived"
read_back board
check_contains "$STAYHOOKS_TEST_DIR/board.json" '"url":"https://example.test/batch.png"' "the image arrived"

# Standard input, all lines good: exit 0. Many lines keep their order.
good=$STAYHOOKS_TEST_DIR/good.jsonl
: >"$good"
for i in $(seq 1 30); do
    printf '{"action":"message","payload":{"text":"ordered %d"}}\n' "$i" >>"$good"
done
STAYHERE_SECRET=$secret run_cli batch --parallel 8 - <"$good"
check_status 0 "batch from standard input"
check_line_count "$out" 30 "30 result lines"
checks=$((checks + 1))
if [ "$(sed -n 's/^{"line":\([0-9]*\),"ok":true.*/\1/p' "$out" | tr '\n' ' ')" = "$(seq 1 30 | tr '\n' ' ')" ]; then
    pass "results are in input order"
else
    fail "results are not in input order: $(cut -c1-20 "$out" | tr '\n' ' ')"
fi
check_contains "$err" "30 delivered, 0 failed" "summary for the good batch"

# --dry-run prints each line's request, the way `--dry-run invoke` prints
# it, after the line number, and sends nothing.
dry=$STAYHOOKS_TEST_DIR/dry.jsonl
{
    printf '{"action":"message","payload":{"text":"dry one"}}\n'
    printf '\n'
    printf '{"invokeUrl":"%s","secret":"%s","action":"poll","payload":{"question":"dry poll?","options":["a","b"]}}\n' \
        "$second_url" "$second_secret"
    printf 'not json\n'
    printf '{"action":"message","payload":{"text":"dry no target"},"room":"R1","webhook":""}\n'
    printf '{"action":"message","payload":"dry text"}\n'
} >"$dry"
STAYHERE_SECRET=$secret run_cli batch --dry-run "$dry"
check_status 1 "dry-run batch with built and invalid lines exits 1"
check_line_count "$out" 5 "dry run: one line per non-blank input line"
expect_line 1 '{"line":1,"method":"POST","url":"'"$STAYHERE_BASE_URL"'/api/webhooks/R1/'"$STAYHERE_WEBHOOK"'/invoke","headers":{' "dry run: line 1 starts with its number and request"
expect_line 1 '"x-stay-webhook-secret":"<redacted>"},"body":{"action":"message","payload":{"text":"dry one"}}}' "dry run: line 1 has the body"
expect_line 2 '{"line":3,"method":"POST","url":"'"$second_url"'",' "dry run: line 3 uses its invoke URL"
expect_line 2 '"body":{"action":"poll","payload":{"question":"dry poll?","options":["a","b"]}}}' "dry run: line 3 has the poll body"
expect_line 3 '{"line":4,"ok":false,"error":{"class":"validation","status":0,"message":"line is not valid JSON' "dry run: an invalid line fails as without --dry-run"
expect_line 4 '{"line":5,"ok":false,"error":{"class":"validation",' "dry run: the library's own checks run"
expect_line 5 '{"line":6,"ok":false,"error":{"class":"validation","status":0,"message":"payload must be a JSON object"' "dry run: a payload that is not an object fails"
check_contains "$err" "dry run: 2 built, 3 failed, nothing sent" "dry-run summary"
check_lacks "$out" "$secret" "dry run: the default secret is not in the output"
check_lacks "$out" "$second_secret" "dry run: a line's secret is not in the output"
check_lacks "$err" "$secret" "dry run: the default secret is not in the errors"

# The line's object is the one `--dry-run invoke` prints, plus "line".
sed -n '1s/^{"line":1,/{/p' "$out" >"$STAYHOOKS_TEST_DIR/dry-batch-line.json"
run_cli --dry-run --secret-file "$secret_file" invoke message --payload '{"text":"dry one"}'
checks=$((checks + 1))
if [ "$(cat "$out")" = "$(cat "$STAYHOOKS_TEST_DIR/dry-batch-line.json")" ]; then
    pass "dry-run batch line matches --dry-run invoke"
else
    fail "dry-run batch line differs: $(cat "$STAYHOOKS_TEST_DIR/dry-batch-line.json") vs $(cat "$out")"
fi

# Every output line hides the default secret and every line secret seen
# so far, not only the secret of its own request. Line 1 carries the
# default secret in its text and has a secret of its own. Line 2 is sent
# with the default secret and carries line 1's secret and a piece of it.
line_secret=whk_LineSecretABCDEFGHIJKLMNOPQRSTUVWXYZ0123
cross=$STAYHOOKS_TEST_DIR/cross.jsonl
{
    printf '{"action":"message","payload":{"text":"default=%s"},"secret":"%s"}\n' "$secret" "$line_secret"
    printf '{"action":"message","payload":{"text":"line1=%s piece=%s"}}\n' "$line_secret" "${line_secret:10:12}"
} >"$cross"
run_cli --secret-file "$secret_file" --dry-run batch "$cross"
check_status 0 "dry-run batch with secrets in the payloads"
check_lacks "$out" "$secret" "dry run: the default secret in a payload is hidden"
check_lacks "$out" "$line_secret" "dry run: a line secret in a later line's payload is hidden"
check_lacks "$out" "${line_secret:10:12}" "dry run: a piece of a line secret is hidden"
for index in 1 2; do
    checks=$((checks + 1))
    if sed -n "${index}p" "$out" | jq -e '.body.payload.text | test("^(default|line1)=<redacted>")' >/dev/null; then
        pass "dry run: line $index parses with its text redacted"
    else
        fail "dry run: line $index does not parse as redacted JSON: $(sed -n "${index}p" "$out" | head -c 300)"
    fi
done
run_cli --secret-file "$secret_file" --verbose batch "$cross"
check_status 3 "verbose batch with a wrong line secret exits 3"
check_contains "$err" "stayhooks: debug: " "verbose batch logs its requests"
check_lacks "$err" "$secret" "verbose: the default secret in a payload is hidden"
check_lacks "$err" "$line_secret" "verbose: a line secret in a later line's payload is hidden"
check_lacks "$err" "${line_secret:10:12}" "verbose: a piece of a line secret is hidden"
check_lacks "$out" "$secret" "verbose: the result lines show no default secret"
check_lacks "$out" "$line_secret" "verbose: the result lines show no line secret"

# Line secrets are stored once each, at most 64 besides the default. A
# line with a 65th distinct secret is still sent with its own secret
# hidden, and a known one still works after it.
awk 'BEGIN {
    for (i = 1; i <= 65; i++) printf "{\"action\":\"message\",\"payload\":{\"text\":\"cap %d\"},\"secret\":\"whk_cap_secret_%03d\"}\n", i, i
    printf "{\"action\":\"message\",\"payload\":{\"text\":\"cap again\"},\"secret\":\"whk_cap_secret_001\"}\n"
}' >"$STAYHOOKS_TEST_DIR/cap.jsonl"
run_cli --secret-file "$secret_file" --dry-run batch "$STAYHOOKS_TEST_DIR/cap.jsonl"
check_status 0 "dry-run batch over the line secret limit exits 0"
check_line_count "$out" 66 "one line per input line over the secret limit"
expect_line 64 '{"line":64,"method":"POST"' "the 64th distinct line secret is accepted"
expect_line 65 '{"line":65,"method":"POST"' "the 65th distinct line secret is accepted"
expect_line 66 '{"line":66,"method":"POST"' "a known line secret still works after the limit"
check_lacks "$out" "whk_cap_secret_0" "no line secret is shown"

# The 1 MiB limit counts the line without its ending: a line of exactly
# 1,048,576 bytes passes with "\n", with "\r\n" and with none, and one
# byte more fails.
long_line() {
    local filler=$(($1 - 42))
    awk -v n="$filler" 'BEGIN { printf "{\"action\":\"message\",\"payload\":{\"text\":\""; for (i = 0; i < n; i++) printf "x"; printf "\"}}" }'
}
long_line 1048576 >"$STAYHOOKS_TEST_DIR/exact-nonl.jsonl"
checks=$((checks + 1))
if [ "$(wc -c <"$STAYHOOKS_TEST_DIR/exact-nonl.jsonl")" -eq 1048576 ]; then
    pass "the long test line has 1,048,576 bytes"
else
    fail "the long test line has $(wc -c <"$STAYHOOKS_TEST_DIR/exact-nonl.jsonl") bytes"
fi
{ long_line 1048576; printf '\n'; } >"$STAYHOOKS_TEST_DIR/exact-lf.jsonl"
{ long_line 1048576; printf '\r\n'; } >"$STAYHOOKS_TEST_DIR/exact-crlf.jsonl"
{ long_line 1048577; printf '\n'; } >"$STAYHOOKS_TEST_DIR/over-lf.jsonl"
for ending in nonl lf crlf; do
    STAYHERE_SECRET=$secret run_cli batch --dry-run "$STAYHOOKS_TEST_DIR/exact-$ending.jsonl"
    check_status 0 "a line of exactly 1 MiB ($ending) is built"
    check_contains "$out" '{"line":1,"method":"POST"' "the 1 MiB line ($ending) has a request"
done
STAYHERE_SECRET=$secret run_cli batch --dry-run "$STAYHOOKS_TEST_DIR/over-lf.jsonl"
check_status 2 "a line of 1 MiB and one byte is rejected"
check_contains "$out" "line is longer than 1 MiB" "the line over 1 MiB is named"

STAYHERE_SECRET=$secret run_cli batch --dry-run - <"$good"
check_status 0 "dry-run batch of good lines exits 0"
check_line_count "$out" 30 "dry run: 30 request lines from standard input"
printf 'not json\n' >"$STAYHOOKS_TEST_DIR/dry-invalid.jsonl"
STAYHERE_SECRET=$secret run_cli batch --dry-run "$STAYHOOKS_TEST_DIR/dry-invalid.jsonl"
check_status 2 "dry-run batch of invalid lines only exits 2"
read_back messages
check_lacks "$STAYHOOKS_TEST_DIR/messages.json" "dry one" "dry run: the server received no message"
read_back polls
check_lacks "$STAYHOOKS_TEST_DIR/polls.json" "dry poll?" "dry run: the server received no poll"

# On a terminal, stderr shows a progress bar; `script` provides the
# terminal (util-linux).
if command -v script >/dev/null 2>&1; then
    script -qec "\"$STAYHOOKS_CLI\" --secret-file \"$secret_file\" batch \"$good\" >\"$STAYHOOKS_TEST_DIR/tty.out\"" \
        "$STAYHOOKS_TEST_DIR/tty.log" >/dev/null </dev/null
    check_contains "$STAYHOOKS_TEST_DIR/tty.log" "[##############################] 30/30" \
        "a full progress bar on a terminal"
    check_line_count "$STAYHOOKS_TEST_DIR/tty.out" 30 "stdout keeps only the result lines"
    script -qec "\"$STAYHOOKS_CLI\" --secret-file \"$secret_file\" batch \"$good\"" \
        "$STAYHOOKS_TEST_DIR/tty2.log" >/dev/null </dev/null
    check_lacks "$STAYHOOKS_TEST_DIR/tty2.log" "[###" "no progress bar when stdout is the same terminal"
    check_contains "$STAYHOOKS_TEST_DIR/tty2.log" '{"line":30,"ok":true' "result lines on the terminal"
    # From a pipe the total is unknown, so only the counts are shown.
    script -qec "cat \"$good\" | \"$STAYHOOKS_CLI\" --secret-file \"$secret_file\" batch - >\"$STAYHOOKS_TEST_DIR/tty3.out\"" \
        "$STAYHOOKS_TEST_DIR/tty3.log" >/dev/null </dev/null
    check_contains "$STAYHOOKS_TEST_DIR/tty3.log" "30 done, 0 failed" "counts without a total from a pipe"
    check_lacks "$STAYHOOKS_TEST_DIR/tty3.log" "[#" "no bar without a total"
    check_line_count "$STAYHOOKS_TEST_DIR/tty3.out" 30 "stdout keeps only the piped result lines"
else
    echo "skip: script(1) is not installed, the progress bar is not checked"
fi

# Without a default secret, a line without one fails alone.
printf '{"action":"message","payload":{"text":"no secret"}}\n' >"$STAYHOOKS_TEST_DIR/nosecret.jsonl"
run_cli batch "$STAYHOOKS_TEST_DIR/nosecret.jsonl"
check_status 2 "a line without any secret is a validation failure"
check_contains "$out" '"message":"missing secret' "the line says the secret is missing"


# Windows: with STAYHOOKS_BATCH_WINDOW=7 the input is read, sent and
# printed 7 lines at a time. Results stay complete and in input order
# across the windows, blank and invalid lines included.
windowed=$STAYHOOKS_TEST_DIR/windowed.jsonl
awk 'BEGIN {
    for (i = 1; i <= 200; i++) {
        if (i % 10 == 0) print ""
        else if (i % 13 == 0) print "not json"
        else printf "{\"action\":\"message\",\"payload\":{\"text\":\"windowed %d\"}}\n", i
    }
}' >"$windowed"
STAYHOOKS_BATCH_WINDOW=7 STAYHERE_SECRET=$secret run_cli batch --parallel 4 "$windowed"
check_status 1 "windowed batch with invalid lines exits 1"
expected_lines=$(awk 'NF > 0 { printf "%d ", NR }' "$windowed")
checks=$((checks + 1))
if [ "$(sed -n 's/^{"line":\([0-9]*\),.*/\1/p' "$out" | tr '\n' ' ')" = "$expected_lines" ]; then
    pass "windowed results cover every non-blank line in order"
else
    fail "windowed results are incomplete or out of order: $(sed -n 's/^{"line":\([0-9]*\),.*/\1/p' "$out" | tr '\n' ' ')"
fi
expected_ok=$(awk 'NF > 0 && $0 != "not json" { printf "%d ", NR }' "$windowed")
checks=$((checks + 1))
if [ "$(sed -n 's/^{"line":\([0-9]*\),"ok":true.*/\1/p' "$out" | tr '\n' ' ')" = "$expected_ok" ]; then
    pass "windowed results deliver exactly the good lines"
else
    fail "windowed ok lines differ: $(sed -n 's/^{"line":\([0-9]*\),"ok":true.*/\1/p' "$out" | tr '\n' ' ')"
fi
check_contains "$out" '{"line":13,"ok":false,"error":{"class":"validation"' "an invalid line inside a window fails alone"
good_count=$(echo "$expected_ok" | wc -w)
bad_count=$(( $(echo "$expected_lines" | wc -w) - good_count ))
check_contains "$err" "$good_count delivered, $bad_count failed" "windowed summary counts every window"
read_back messages
stored=$(grep -o '"text":"windowed [0-9]*"' "$STAYHOOKS_TEST_DIR/messages.json" | sort | uniq | wc -l)
stored_total=$(grep -o '"text":"windowed [0-9]*"' "$STAYHOOKS_TEST_DIR/messages.json" | wc -l)
checks=$((checks + 1))
if [ "$stored" -eq "$good_count" ] && [ "$stored_total" -eq "$good_count" ]; then
    pass "each windowed line arrived once ($stored)"
else
    fail "$good_count good windowed lines, $stored distinct and $stored_total stored"
fi

# A window of one line still runs, and a bad window size is a usage error.
STAYHOOKS_BATCH_WINDOW=1 STAYHERE_SECRET=$secret run_cli batch --parallel 3 - <"$good"
check_status 0 "a window of one line"
check_line_count "$out" 30 "a window of one line prints every result"
STAYHOOKS_BATCH_WINDOW= STAYHERE_SECRET=$secret run_cli batch "$good"
check_status 0 "an empty window size counts as unset"
for value in 0 -1 abc 7x 100001 +5 ' 5' '5 ' 0x10; do
    STAYHOOKS_BATCH_WINDOW=$value STAYHERE_SECRET=$secret run_cli batch "$good"
    check_status 2 "STAYHOOKS_BATCH_WINDOW='$value' is rejected"
    check_contains "$err" "invalid STAYHOOKS_BATCH_WINDOW" "the bad window size '$value' is named"
    check_empty "$out" "nothing is sent with the bad window size '$value'"
done

# Memory stays bounded: 20,000 lines take little more memory than 10. The
# whole input in memory took about 1.9 KB per line, 37 MB more here, so a
# 12 MB bound fails on that and leaves room for allocator noise. Valgrind
# and the sanitizers add their own memory, so the check is skipped there.
if [ -x /usr/bin/time ] && [ -z "${STAYHOOKS_TEST_WRAPPER:-}" ] &&
    [ "${STAYHOOKS_TEST_SANITIZED:-0}" = 0 ]; then
    awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"action\":\"message\",\"payload\":{\"text\":\"rss %d\"}}\n", i }' \
        >"$STAYHOOKS_TEST_DIR/rss-large.jsonl"
    head -n 10 "$STAYHOOKS_TEST_DIR/rss-large.jsonl" >"$STAYHOOKS_TEST_DIR/rss-small.jsonl"
    max_rss_kb() {
        STAYHERE_SECRET=$secret /usr/bin/time -f 'max-rss-kb %M' -o "$STAYHOOKS_TEST_DIR/rss.time" \
            "$STAYHOOKS_CLI" batch "$1" >"$STAYHOOKS_TEST_DIR/rss.out" 2>/dev/null
        sed -n 's/^max-rss-kb \([0-9]*\)$/\1/p' "$STAYHOOKS_TEST_DIR/rss.time"
    }
    small_kb=$(max_rss_kb "$STAYHOOKS_TEST_DIR/rss-small.jsonl")
    large_kb=$(max_rss_kb "$STAYHOOKS_TEST_DIR/rss-large.jsonl")
    check_line_count "$STAYHOOKS_TEST_DIR/rss.out" 20000 "20,000 result lines"
    checks=$((checks + 1))
    if [ -n "$small_kb" ] && [ -n "$large_kb" ] && [ $((large_kb - small_kb)) -lt 12288 ]; then
        pass "20,000 lines use ${large_kb} KB, 10 lines ${small_kb} KB"
    else
        fail "memory grows with the input: 20,000 lines use '${large_kb}' KB, 10 lines '${small_kb}' KB"
    fi
else
    echo "skip: /usr/bin/time is missing, or a wrapper or sanitizer is in use, so peak memory is not checked"
fi
# A failed write to stdout stops the batch: the window that was running
# starts no more items, and the summary on stderr names the delivered
# lines whose result line was lost and the first line not read. With
# --parallel 1 only line 1 is in flight when its result fails to print.
if [ -w /dev/full ]; then
    awk 'BEGIN { for (i = 1; i <= 30; i++) printf "{\"action\":\"message\",\"payload\":{\"text\":\"full %d\"}}\n", i }' \
        >"$STAYHOOKS_TEST_DIR/full.jsonl"
    status=0
    STAYHOOKS_BATCH_WINDOW=10 STAYHERE_SECRET=$secret "$STAYHOOKS_CLI" batch --parallel 1 \
        "$STAYHOOKS_TEST_DIR/full.jsonl" >/dev/full 2>"$STAYHOOKS_TEST_DIR/full.err" || status=$?
    err=$STAYHOOKS_TEST_DIR/full.err
    check_status 1 "a batch whose stdout fails exits 1"
    check_contains "$err" "cannot write the result of line 1 to standard output: No space left on device" \
        "the failed write is named with its reason"
    check_contains "$err" "1 delivered, 0 failed, 9 not sent: stopped because standard output failed" \
        "the summary counts the unsent rest of the window"
    check_contains "$err" "result line lost for input lines 1, which were delivered or whose delivery is unknown" \
        "the delivered line without a result line is named"
    check_contains "$err" "input lines after line 10 were not read" "the first unread line follows"
    read_back messages
    stored=$(grep -o '"text":"full [0-9]*"' "$STAYHOOKS_TEST_DIR/messages.json" | sort -u | tr '\n' ' ')
    checks=$((checks + 1))
    if [ "$stored" = '"text":"full 1" ' ]; then
        pass "only line 1 reached the server"
    else
        fail "the server stored '$stored' after stdout failed"
    fi
else
    echo "skip: /dev/full is not writable, so a failing stdout is not tested"
fi

# Usage errors.
run_cli batch
check_status 2 "batch without FILE"
run_cli batch --parallel 0 "$input"
check_status 2 "--parallel 0 is rejected"
run_cli batch --parallel 257 "$input"
check_status 2 "--parallel above 256 is rejected"
run_cli send message hi --parallel 2
check_status 2 "--parallel belongs to batch only"
run_cli batch --secret-file - - <"$good"
check_status 2 "lines and --secret-file cannot both read standard input"
check_contains "$err" "cannot also read it" "the double use of standard input is explained"
run_cli batch "$STAYHOOKS_TEST_DIR/missing.jsonl"
check_status 2 "a missing FILE is a usage error, as nothing was sent"
check_contains "$err" "cannot open batch file" "the missing FILE is named"
run_cli batch "$STAYHOOKS_TEST_DIR"
check_status 2 "a directory as FILE is a usage error"
check_contains "$err" "Is a directory" "a directory as FILE is named as such"

finish
