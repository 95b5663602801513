#!/usr/bin/env bash
# Management commands against a local server: list, create, update, rotate,
# delete and actions, in human and --json output.
. "$(dirname "$0")/lib.sh"

setup_room
first_secret=$(cat "$secret_file")

# create (setup_room used --json): the reply carries the secret and URL.
created=$STAYHOOKS_TEST_DIR/created.json
check_contains "$created" '"secret":"whk_' "create --json prints the secret"
check_contains "$created" "\"invokeUrl\":\"$STAYHERE_BASE_URL/api/webhooks/R1/$webhook/invoke\"" \
    "create --json prints the invoke URL"
check_contains "$created" '"permissions":["message","embed","poll","image"]' \
    "create without --permission asks for all four"
check_line_count "$created" 1 "create --json prints one line"

# create, human output: invoke URL, secret, and a warning on stderr.
run_cli --token-file "$token_file" create --label "Deploy bot" --permission message --permission " EMBED "
check_status 0 "create with permissions"
check_contains "$out" 'Created webhook wh' "create names the new webhook"
check_contains "$out" '"Deploy bot"' "create shows the label"
check_contains "$out" 'permissions message,embed' "create shows normalised permissions"
check_contains "$out" "Invoke URL: $STAYHERE_BASE_URL/api/webhooks/R1/" "create shows the invoke URL"
check_contains "$out" 'Secret: whk_' "create shows the secret once"
check_contains "$err" 'store the secret now' "create warns to store the secret"
second=$(sed -n 's/^Created webhook \([^ ]*\) .*/\1/p' "$out")

run_cli --token-file "$token_file" create --label "Bad" --permission admin
check_status 2 "create with an unknown permission"

# list: both webhooks, nothing more.
run_cli --token-file "$token_file" list
check_status 0 "list"
check_contains "$out" 'Room R1: 2 webhooks (limit 10)' "list counts the webhooks"
check_contains "$out" "$webhook  \"Test bot\"  message,embed,poll,image  active  last used never" \
    "list shows the first webhook"
check_contains "$out" "$second  \"Deploy bot\"  message,embed  active" "list shows the second webhook"
check_lacks "$out" '"Bad"' "a rejected create made no webhook"
check_lacks "$out" 'whk_' "list shows no secret"

run_cli --token-file "$token_file" list --json
check_status 0 "list --json"
check_contains "$out" '{"roomId":"R1","limit":10,"webhooks":[' "list --json has roomId and limit"
check_contains "$out" "\"id\":\"$second\",\"label\":\"Deploy bot\",\"permissions\":[\"message\",\"embed\"],\"paused\":false" \
    "list --json describes the webhook"
check_line_count "$out" 1 "list --json prints one line"

# update: label, pause, permissions, then resume.
run_cli --token-file "$token_file" --webhook "$second" update --label "Renamed" --pause
check_status 0 "update --label --pause"
check_contains "$out" "Updated webhook $second \"Renamed\": paused, permissions message,embed" \
    "update shows the new state"

run_cli --token-file "$token_file" update --webhook "$second" --permission poll --json
check_status 0 "update --permission --json"
check_contains "$out" "{\"webhook\":{\"id\":\"$second\",\"label\":\"Renamed\",\"permissions\":[\"poll\"],\"paused\":true" \
    "update --json shows the webhook"

run_cli --token-file "$token_file" update --webhook "$second" --resume
check_status 0 "update --resume"
check_contains "$out" 'active, permissions poll' "update --resume makes it active"

run_cli --token-file "$token_file" update --webhook "$second" --pause --resume
check_status 2 "update with --pause and --resume"

run_cli --token-file "$token_file" list
check_contains "$out" "$second  \"Renamed\"  poll  active" "list shows the updated webhook"

# rotate: the new secret works, the old one is rejected.
run_cli --token-file "$token_file" rotate --json
check_status 0 "rotate --json"
json_string_member "$out" secret >"$STAYHOOKS_TEST_DIR/rotated"
check_lacks "$STAYHOOKS_TEST_DIR/rotated" "$first_secret" "rotate returns a new secret"
check_contains "$STAYHOOKS_TEST_DIR/rotated" 'whk_' "rotate returns a secret"

run_cli --secret-file "$secret_file" send message "old secret"
check_status 3 "send with the secret from before rotate"
run_cli --secret-file "$STAYHOOKS_TEST_DIR/rotated" send message "new secret"
check_status 0 "send with the rotated secret"

run_cli --token-file "$token_file" rotate
check_status 0 "rotate"
check_contains "$out" "Rotated the secret of webhook $webhook" "rotate names the webhook"
check_contains "$out" 'Secret: whk_' "rotate shows the new secret"
check_contains "$err" 'store the secret now' "rotate warns to store the secret"

# actions.
run_cli --token-file "$token_file" actions
check_status 0 "actions"
check_contains "$out" 'Permitted actions: message,embed,poll,image (webhook limit 10)' "actions lists the four actions"
run_cli --token-file "$token_file" actions --json
check_status 0 "actions --json"
check_contains "$out" '{"actions":["message","embed","poll","image"],"limit":10}' "actions --json"

# delete: the webhook leaves the list, and deleting it again is a 404.
run_cli --token-file "$token_file" --webhook "$second" delete
check_status 0 "delete"
check_contains "$out" "Deleted webhook $second" "delete names the webhook"
run_cli --token-file "$token_file" --webhook "$second" delete --json
check_status 4 "delete of a deleted webhook"
check_contains "$err" 'HTTP error (HTTP 404)' "second delete reports 404"
run_cli --token-file "$token_file" delete --json
check_status 0 "delete --json"
check_contains "$out" '{"ok":true}' "delete --json prints ok"

run_cli --token-file "$token_file" list
check_contains "$out" 'Room R1: 0 webhooks' "list is empty after the deletes"

finish
