#!/usr/bin/env bash
# Invoke commands against a local server: send message, embed, poll, image
# and invoke, each checked in the CLI output and in what the room received.
. "$(dirname "$0")/lib.sh"

setup_room
export STAYHERE_SECRET
STAYHERE_SECRET=$(cat "$secret_file")

# send message, with an alias and extra members.
run_cli send message "  Deployment started 🚀 " --alias CI \
    --extra '{"attachments":[{"name":"build.log","url":"https://ci.example.test/build.log"}]}'
check_status 0 "send message"
check_contains "$out" 'Sent message, message ID msg_' "send message prints the message ID"
read_back messages
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"kind":"message","alias":"CI","text":"Deployment started 🚀"' \
    "the room received the trimmed message with its alias"

run_cli send message "hello json" --json
check_status 0 "send message --json"
check_contains "$out" '{"ok":true,"kind":"message","messageId":"msg_' "send --json starts with ok, kind, messageId"
check_contains "$out" '"pollId":null' "send --json shows pollId null"
check_line_count "$out" 1 "send --json prints one line"

# An operand that starts with '-' goes after "--".
run_cli send message -- "-5 degrees outside"
check_status 0 "send message after --"
read_back messages
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"text":"-5 degrees outside"' "the room received the dashed text"

# send embed with every field and notes.
run_cli send embed --title "Release 1.2 shipped" --description "  Rollout complete  " --color "#22c55e" \
    --url https://example.test/r/1 --image https://example.test/i.png --footer "F" \
    --note "Latency < 180ms" --note " " --note "Docs refreshed" --text "Status: SUCCESS" --alias Bot \
    --extra-embed '{"timestamp":"2026-12-04T10:00:00Z"}'
check_status 0 "send embed"
check_contains "$out" 'Sent embed, message ID msg_' "send embed prints the message ID"
read_back messages
check_contains "$STAYHOOKS_TEST_DIR/messages.json" \
    '"kind":"embed","alias":"Bot","text":"Status: SUCCESS","embed":{"title":"Release 1.2 shipped","description":"Rollout complete\n\n• Latency < 180ms\n• Docs refreshed","color":"#22c55e","url":"https://example.test/r/1","image":"https://example.test/i.png","footer":"F","timestamp":"2026-12-04T10:00:00Z"}' \
    "the room received the embed with notes as bullets"

# send poll.
run_cli send poll "Which feature ships next?" "Docs revamp" " AI assistant " "" "Canvas refresh" --multiple --ends-in 30
check_status 0 "send poll"
check_contains "$out" 'Sent poll, message ID msg_' "send poll prints the message ID"
check_contains "$out" ', poll ID poll_' "send poll prints the poll ID"
read_back polls
check_contains "$STAYHOOKS_TEST_DIR/polls.json" \
    '"question":"Which feature ships next?","options":["Docs revamp","AI assistant","Canvas refresh"],"multipleChoice":true,"endsInMinutes":30' \
    "the room received the poll"

run_cli send poll "Q" "A" --json
check_status 2 "send poll with one option"
check_empty "$out" "a rejected poll prints nothing on stdout"

# send image.
run_cli send image " https://images.example.test/cat.jpeg " --size 360x240 --at 420,260 --json
check_status 0 "send image --json"
check_contains "$out" '"ok":true,"kind":"image"' "send image --json shows the kind"
read_back board
check_contains "$STAYHOOKS_TEST_DIR/board.json" '"url":"https://images.example.test/cat.jpeg","w":360,"h":240,"x":420,"y":260' \
    "the board received the image"

run_cli send image https://images.example.test/dog.png
check_status 0 "send image without size or position"
check_contains "$out" 'Sent image, image ID ' "send image prints the image ID"
read_back board
check_contains "$STAYHOOKS_TEST_DIR/board.json" '"url":"https://images.example.test/dog.png",' \
    "the board received the second image"

# invoke: --payload, --payload-file PATH, --payload-file - and --invoke-url.
run_cli invoke message --payload '{"text":"raw payload"}'
check_status 0 "invoke --payload"
printf '{"text":"from a file"}\n' >"$STAYHOOKS_TEST_DIR/payload.json"
run_cli invoke message --payload-file "$STAYHOOKS_TEST_DIR/payload.json"
check_status 0 "invoke --payload-file PATH"
out=$STAYHOOKS_TEST_DIR/cli.out
err=$STAYHOOKS_TEST_DIR/cli.err
status=0
printf '{"question":"From stdin?","options":["yes","no"],"multipleChoice":false}' |
    "$STAYHOOKS_CLI" invoke poll --payload-file - >"$out" 2>"$err" || status=$?
check_status 0 "invoke --payload-file -"
check_contains "$out" 'Sent poll' "invoke poll prints the kind"
status=0
printf '{"text":"payload dash"}' |
    "$STAYHOOKS_CLI" invoke message --payload - >"$out" 2>"$err" || status=$?
check_status 0 "invoke --payload -"
run_cli invoke message --payload '{"text":"a"}' --payload-file "$STAYHOOKS_TEST_DIR/payload.json"
check_status 2 "invoke with two payloads"
run_cli invoke message --payload '{"text":"not an object"'
check_status 2 "invoke with a payload that is not JSON"

invoke_url=$(json_string_member "$STAYHOOKS_TEST_DIR/created.json" invokeUrl)
STAYHERE_ROOM= STAYHERE_WEBHOOK= run_cli --invoke-url "$invoke_url" invoke message --payload '{"text":"via invoke URL"}'
check_status 0 "invoke --invoke-url without room or webhook"

read_back messages
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"text":"raw payload"' "the room received the --payload message"
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"text":"from a file"' "the room received the payload file"
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"text":"payload dash"' "the room received the --payload - message"
check_lacks "$STAYHOOKS_TEST_DIR/messages.json" '"text":"a"' "a rejected invoke sent nothing"
check_contains "$STAYHOOKS_TEST_DIR/messages.json" '"text":"via invoke URL"' "the room received the invoke-URL message"
read_back polls
check_contains "$STAYHOOKS_TEST_DIR/polls.json" '"question":"From stdin?"' "the room received the stdin poll"

finish
