#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: builds stayhooks in release mode in BUILD_DIR,
# starts a stayhooks-server on 127.0.0.1 with a temporary database, and
# prints one table of figures, each beside a reference measured in the same
# run against the same server. The table and the machine's description are
# also written into the results section of docs/benchmarks.md.
#
# Each measurement runs for BENCH_SECONDS (default 3) or BENCH_RUNS
# processes (default 30); rows 1 to 4 take the median of BENCH_ROUNDS
# (default 3). Nothing leaves 127.0.0.1.
set -euo pipefail

build_dir=${1:?usage: bench/run.sh BUILD_DIR}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-3}
runs=${BENCH_RUNS:-30}
rounds=${BENCH_ROUNDS:-3}
results_file=${BENCH_RESULTS_FILE:-$source_dir/docs/benchmarks.md}

# Every request goes to the local server, never through a proxy.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset STAYHERE_BASE_URL STAYHERE_TOKEN STAYHERE_ROOM STAYHERE_WEBHOOK STAYHERE_SECRET

"$source_dir/scripts/install-deps.sh" wrk curl

echo "bench: building in release mode in $build_dir" >&2
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSTAYHOOKS_BUILD_BENCH=ON \
    -DBUILD_TESTING=OFF -DSTAYHOOKS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build_dir" -j 2 --target stayhooks-server stayhooks-cli bench_client >/dev/null

cli=$build_dir/src/cli/stayhooks
bench_client=$build_dir/bench/bench_client
export STAYHOOKS_SERVER=$build_dir/src/server/stayhooks-server

# shellcheck source=../tests/support/server.sh
. "$source_dir/tests/support/server.sh"

# The rate limit must not throttle the load. The limiter keeps one 8-byte
# slot per allowed invoke, so this costs 8 MB per webhook at most.
start_server --rate-limit 1000000/1
server_pid=$STAYHOOKS_SERVER_PID
work=$STAYHOOKS_TEST_DIR
add_room R1 alice
mint_token alice >"$work/token"
chmod 600 "$work/token"

"$cli" --room R1 --token-file "$work/token" create --label "Bench bot" --json >"$work/created.json"
secret=$(sed -n 's/.*"secret":"\([^"]*\)".*/\1/p' "$work/created.json")
webhook=$(sed -n 's/^{"webhook":{"id":"\([^"]*\)".*/\1/p' "$work/created.json")
if [ -z "$secret" ] || [ -z "$webhook" ]; then
    echo "bench: creating the webhook failed: $(cat "$work/created.json")" >&2
    exit 1
fi
(umask 077 && printf '%s\n' "$secret" >"$work/secret")
# The server's peak memory before any load is the reference of its
# peak memory after the run.
server_idle_hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
invoke_url=$STAYHERE_BASE_URL/api/webhooks/R1/$webhook/invoke
unknown_url=$STAYHERE_BASE_URL/api/bench-unknown-route
body='{"action":"message","payload":{"text":"bench"}}'

# wrk reads the method, body and headers from a Lua script. The secret
# stays in files that only this user can read.
(umask 077 && cat >"$work/invoke.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["x-stay-webhook-secret"] = "$secret"
EOF
)
printf 'x-stay-webhook-secret: %s\n' "$secret" >"$work/secret-header"
chmod 600 "$work/secret-header"

# Runs wrk and prints "<requests per second> <p50 ms> <p99 ms> <non-2xx>
# <socket errors>", the last being connect + read + write + timeout errors.
run_wrk() {
    local threads=$1 connections=$2 url=$3 script=${4:-}
    local output

    if [ -n "$script" ]; then
        output=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$script" "$url")
    else
        output=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$url")
    fi
    printf '%s\n' "$output" | awk '
        function to_ms(value) {
            if (value ~ /us$/) return value / 1000
            if (value ~ /ms$/) return value + 0
            if (value ~ /s$/) return value * 1000
            return value
        }
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = to_ms($2) }
        /^ +99%/ { p99 = to_ms($2) }
        /Non-2xx or 3xx responses:/ { bad = $5 }
        /Socket errors:/ {
            gsub(/,/, "")
            socket = $4 + $6 + $8 + $10
        }
        END { printf "%s %.2f %.2f %d %d\n", rps, p50, p99, bad, socket }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# Prints "met" or "not met" for "value OP goal".
judge() {
    awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
        ok = (op == ">=") ? (v >= g) : (v <= g)
        print ok ? "met" : "not met" }'
}

# Rows with a failed request are not judged, and run.sh exits 1 at the end.
invalid_rows=0

# Prints the goal column: "not judged" when REASON is set, else the goal
# and whether it was met.
goal_column() {
    local reason=$1 value=$2 op=$3 goal=$4
    if [ -n "$reason" ]; then
        echo "not judged"
    else
        echo "$op $goal, $(judge "$value" "$op" "$goal")"
    fi
}

# Prints REASON as "INVALID: REASON" when set, else VALUE.
value_column() {
    local reason=$1 value=$2
    if [ -n "$reason" ]; then
        echo "INVALID: $reason"
    else
        echo "$value"
    fi
}

# Prints the reason a row is invalid, or nothing: any failed client
# request, non-2xx wrk reply or wrk socket error.
failure_reason() {
    local client_failures=$1 non_2xx=$2 socket_errors=$3
    local reasons=()
    [ "$client_failures" -ne 0 ] && reasons+=("$client_failures client requests failed")
    [ "$non_2xx" -ne 0 ] && reasons+=("$non_2xx wrk replies were not 2xx")
    [ "$socket_errors" -ne 0 ] && reasons+=("$socket_errors wrk socket errors")
    local IFS=';'
    printf '%s' "${reasons[*]}" | sed 's/;/, /g'
}

# Runs a command `runs` times and prints "<mean wall time in ms> <failed
# runs>".
mean_wall_ms() {
    local start end failed=0
    start=$(date +%s%N)
    for _ in $(seq 1 "$runs"); do
        "$@" >/dev/null 2>&1 || failed=$((failed + 1))
    done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$runs" -v f="$failed" 'BEGIN { printf "%.2f %d\n", ns / n / 1e6, f }'
}

export STAYHERE_BASE_URL STAYHERE_ROOM=R1 STAYHERE_WEBHOOK=$webhook
# Other work on the machine skews every figure, so the load is recorded.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Prints the median of its arguments.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Each figure and its reference alternate for `rounds` rounds (A B A B
# ...) and the medians are compared, so both see the same machine load and
# database size. A warm-up first fills the page cache, the database file
# and the server's thread pool, which made the first measurement of a run
# up to twice as slow as the same command later.
echo "bench: warm-up" >&2
run_wrk 1 1 "$invoke_url" "$work/invoke.lua" >/dev/null
run_wrk 2 16 "$invoke_url" "$work/invoke.lua" >/dev/null
run_wrk 1 1 "$unknown_url" >/dev/null
STAYHERE_SECRET=$secret "$bench_client" sequential 1 >/dev/null

echo "bench: 1. sequential invokes through one library handle ($rounds rounds)" >&2
seq_rates=() wrk1_rates=()
seq_failures=0 wrk1_bad=0 wrk1_socket=0
for _ in $(seq 1 "$rounds"); do
    read -r _ _ rate failed _ < <(STAYHERE_SECRET=$secret "$bench_client" sequential "$seconds")
    seq_rates+=("$rate")
    seq_failures=$((seq_failures + failed))
    read -r rate _ _ bad socket < <(run_wrk 1 1 "$invoke_url" "$work/invoke.lua")
    wrk1_rates+=("$rate")
    wrk1_bad=$((wrk1_bad + bad))
    wrk1_socket=$((wrk1_socket + socket))
done
seq_rate=$(median "${seq_rates[@]}")
wrk1_rate=$(median "${wrk1_rates[@]}")
seq_invalid=$(failure_reason "$seq_failures" "$wrk1_bad" "$wrk1_socket")

echo "bench: 2. batch delivery over 16 connections ($rounds rounds)" >&2
batch_rates=() wrk16_rates=()
batch_failures=0 wrk16_bad=0 wrk16_socket=0
for _ in $(seq 1 "$rounds"); do
    read -r rate _ _ bad socket < <(run_wrk 1 16 "$invoke_url" "$work/invoke.lua")
    wrk16_rates+=("$rate")
    wrk16_bad=$((wrk16_bad + bad))
    wrk16_socket=$((wrk16_socket + socket))
    batch_count=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { n = int(r * s); print n < 200 ? 200 : n }')
    read -r _ _ rate failed batch_connections < <(STAYHERE_SECRET=$secret "$bench_client" batch "$batch_count" 16)
    batch_rates+=("$rate")
    batch_failures=$((batch_failures + failed))
done
batch_rate=$(median "${batch_rates[@]}")
wrk16_rate=$(median "${wrk16_rates[@]}")
batch_invalid=$(failure_reason "$batch_failures" "$wrk16_bad" "$wrk16_socket")

echo "bench: 3. one stayhooks send message process against curl ($rounds rounds)" >&2
cli_times=() curl_times=()
cli_failures=0
for _ in $(seq 1 "$rounds"); do
    read -r ms failed < <(mean_wall_ms "$cli" --secret-file "$work/secret" send message bench)
    cli_times+=("$ms")
    cli_failures=$((cli_failures + failed))
    read -r ms failed < <(mean_wall_ms curl --silent --fail --noproxy '*' -X POST -H "@$work/secret-header" \
        -H 'Content-Type: application/json' -H 'Accept: application/json' --data "$body" "$invoke_url")
    curl_times+=("$ms")
    cli_failures=$((cli_failures + failed))
done
cli_ms=$(median "${cli_times[@]}")
curl_ms=$(median "${curl_times[@]}")
cli_invalid=$(failure_reason "$cli_failures" 0 0)

echo "bench: 4. server durable invokes against a 404 at 1, 16 and 64 connections ($rounds rounds)" >&2
server_rows=""
for connections in 1 16 64; do
    threads=$((connections < 2 ? 1 : 2))
    inv_rates=() inv_p50s=() inv_p99s=() ref_rates=() ref_p50s=() ref_p99s=()
    inv_bad=0 socket_errors=0
    for _ in $(seq 1 "$rounds"); do
        read -r rate p50 p99 bad socket < <(run_wrk "$threads" "$connections" "$invoke_url" "$work/invoke.lua")
        inv_rates+=("$rate") inv_p50s+=("$p50") inv_p99s+=("$p99")
        inv_bad=$((inv_bad + bad))
        socket_errors=$((socket_errors + socket))
        # Every reply of the unknown route is a 404, so only socket errors
        # count against it.
        read -r rate p50 p99 _ socket < <(run_wrk "$threads" "$connections" "$unknown_url")
        ref_rates+=("$rate") ref_p50s+=("$p50") ref_p99s+=("$p99")
        socket_errors=$((socket_errors + socket))
    done
    inv_rate=$(median "${inv_rates[@]}")
    ref_rate=$(median "${ref_rates[@]}")
    reason=$(failure_reason 0 "$inv_bad" "$socket_errors")
    [ -n "$reason" ] && invalid_rows=$((invalid_rows + 1))
    server_rows+="| 4. server durable invokes/s, $connections connection(s) (p50 / p99 ms; medians of $rounds) | $(value_column "$reason" "$inv_rate ($(median "${inv_p50s[@]}") / $(median "${inv_p99s[@]}"))") | 404 route: $ref_rate ($(median "${ref_p50s[@]}") / $(median "${ref_p99s[@]}")) | $(ratio "$inv_rate" "$ref_rate") | $([ -n "$reason" ] && echo "not judged" || echo "report only") |"$'\n'
done

echo "bench: 5. peak memory" >&2
cli_rss_kb=$(/usr/bin/time -f %M "$cli" --secret-file "$work/secret" send message bench 2>&1 >/dev/null | tail -n 1)
for i in $(seq 1 1000); do
    printf '{"action":"message","payload":{"text":"bench %d"}}\n' "$i"
done >"$work/batch.jsonl"
batch_rss_kb=$(/usr/bin/time -f %M "$cli" --secret-file "$work/secret" batch --parallel 16 "$work/batch.jsonl" 2>&1 >/dev/null | tail -n 1)
curl_rss_kb=$(/usr/bin/time -f %M curl --silent --fail --noproxy '*' -X POST -H "@$work/secret-header" \
    -H 'Content-Type: application/json' --data "$body" "$invoke_url" 2>&1 >/dev/null | tail -n 1)
server_hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")

for reason in "$seq_invalid" "$batch_invalid" "$cli_invalid"; do
    [ -n "$reason" ] && invalid_rows=$((invalid_rows + 1))
done

seq_ratio=$(ratio "$seq_rate" "$wrk1_rate")
batch_ratio=$(ratio "$batch_rate" "$wrk16_rate")
cli_ratio=$(ratio "$cli_ms" "$curl_ms")

table="| figure | value | reference (same run, same server) | ratio | goal |
| --- | --- | --- | --- | --- |
| 1. sequential invokes/s, one library handle (median of $rounds) | $(value_column "$seq_invalid" "$seq_rate") | wrk -t1 -c1: $wrk1_rate | $seq_ratio | $(goal_column "$seq_invalid" "$seq_ratio" ">=" 0.8) |
| 2. batch invokes/s, 16 connections (median of $rounds; last: $batch_count items, $batch_connections connections opened) | $(value_column "$batch_invalid" "$batch_rate") | wrk -t1 -c16: $wrk16_rate | $batch_ratio | $(goal_column "$batch_invalid" "$batch_ratio" ">=" 0.7) |
| 3. \`stayhooks send message\` wall ms (median of $rounds means of $runs) | $(value_column "$cli_invalid" "$cli_ms") | curl: $curl_ms | $cli_ratio | $(goal_column "$cli_invalid" "$cli_ratio" "<=" 1.5) |
${server_rows}| 5. peak RSS KiB: \`send message\` / \`batch\` of 1000 lines | $cli_rss_kb / $batch_rss_kb | curl: $curl_rss_kb | $(ratio "$cli_rss_kb" "$curl_rss_kb") | report only |
| 5. server VmHWM KiB after all of the above | $server_hwm_kb | idle server after start: $server_idle_hwm_kb | $(ratio "$server_hwm_kb" "$server_idle_hwm_kb") | report only |"

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
machine="Measured $(date -u +%Y-%m-%dT%H:%MZ) at commit $commit by \`bench/run.sh\`: release build, \
${seconds} s per wrk or client run, medians of $rounds alternating rounds in rows 1 to 4 after a warm-up, \
$runs processes per wall-time mean. Machine: $(nproc) CPUs ($cpu), $memory memory, Linux $(uname -r), \
$(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), $(curl --version | head -n 1 | cut -d' ' -f1-2). \
Load average (1, 5, 15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."

printf '%s\n\n%s\n' "$machine" "$table"

# Replace the text between the two markers of the results section.
if [ -f "$results_file" ] && grep -q '^<!-- bench results start -->$' "$results_file"; then
    awk -v replacement="$machine"$'\n\n'"$table" '
        /^<!-- bench results start -->$/ { print; print replacement; skip = 1; next }
        /^<!-- bench results end -->$/ { skip = 0 }
        !skip { print }' "$results_file" >"$results_file.tmp"
    mv "$results_file.tmp" "$results_file"
    echo "bench: results written to $results_file" >&2
fi

if [ "$invalid_rows" -ne 0 ]; then
    echo "bench: $invalid_rows rows are INVALID because requests failed; see the table" >&2
    exit 1
fi
