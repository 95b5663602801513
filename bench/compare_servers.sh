#!/usr/bin/env bash
# bench/compare_servers.sh OLD_SERVER NEW_SERVER CLI: durable invokes per
# second and latency of two stayhooks-server binaries, alternated for
# BENCH_ROUNDS rounds (default 3) at 16 and 64 connections, each run
# BENCH_SECONDS long (default 3) with wrk -t2. Every server gets a fresh
# database on 127.0.0.1. Prints one line per run.
set -euo pipefail

old_server=${1:?usage: bench/compare_servers.sh OLD_SERVER NEW_SERVER CLI}
new_server=${2:?usage: bench/compare_servers.sh OLD_SERVER NEW_SERVER CLI}
cli=${3:?usage: bench/compare_servers.sh OLD_SERVER NEW_SERVER CLI}
seconds=${BENCH_SECONDS:-3}
rounds=${BENCH_ROUNDS:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# shellcheck source=../tests/support/server.sh
. "$source_dir/tests/support/server.sh"

# Starts SERVER, creates a webhook, runs wrk with CONNECTIONS and prints
# "LABEL c=CONNECTIONS <requests/s> p50 <ms> p99 <ms> non-2xx <count>".
measure() {
    local server=$1 connections=$2 label=$3
    local secret webhook output

    STAYHOOKS_SERVER=$server
    start_server --rate-limit 1000000/1 >/dev/null
    add_room R1 alice
    mint_token alice >"$STAYHOOKS_TEST_DIR/token"
    "$cli" --room R1 --token-file "$STAYHOOKS_TEST_DIR/token" create --label bench --json \
        >"$STAYHOOKS_TEST_DIR/created.json"
    secret=$(sed -n 's/.*"secret":"\([^"]*\)".*/\1/p' "$STAYHOOKS_TEST_DIR/created.json")
    webhook=$(sed -n 's/^{"webhook":{"id":"\([^"]*\)".*/\1/p' "$STAYHOOKS_TEST_DIR/created.json")
    (umask 077 && cat >"$STAYHOOKS_TEST_DIR/invoke.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"action":"message","payload":{"text":"bench"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-stay-webhook-secret"] = "$secret"
LUA
    )
    output=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$STAYHOOKS_TEST_DIR/invoke.lua" \
        "$STAYHERE_BASE_URL/api/webhooks/R1/$webhook/invoke")
    printf '%s c=%s %s\n' "$label" "$connections" "$(printf '%s\n' "$output" | awk '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        /Non-2xx/ { bad = $5 }
        END { print rps, "p50", p50, "p99", p99, "non-2xx", bad + 0 }')"
    stop_server
}

for _ in $(seq 1 "$rounds"); do
    for connections in 16 64; do
        measure "$old_server" "$connections" old
        measure "$new_server" "$connections" new
    done
done
