#!/usr/bin/env bash
# ci-extra.sh: the slower CI checks, run before the main test suite.
#
#   1. asan:     the whole test suite built with AddressSanitizer and
#                UndefinedBehaviorSanitizer (build-asan)
#   2. valgrind: stayhooks-server and the CLI under valgrind memcheck in the
#                server and CLI tests, and the library's C tests (including
#                the library-against-server test) under memcheck themselves
#                (build-stress, a plain build)
#   3. fuzz:     every libFuzzer harness replays its seeds and saved crash
#                inputs, then runs for FUZZ_SECONDS (build-fuzz, clang)
#
# Usage: scripts/ci-extra.sh [asan|valgrind|fuzz]...   (default: all three)
# Environment: JOBS (default 2), FUZZ_SECONDS per harness (default 15).
# Exits non-zero when any stage fails, after running the others. Every
# server the tests start binds 127.0.0.1 on a free port.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
VALGRIND_OPTIONS="--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99"

# Proxies from the environment must not route test traffic anywhere.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

failed_stages=
summary=

note() {
    printf '\n=== ci-extra: %s\n' "$*"
}

# Runs a stage function and records its result and duration.
stage() {
    local name=$1 start end rc
    start=$(date +%s)
    note "$name: start"
    "stage_$name"
    rc=$?
    end=$(date +%s)
    if [ "$rc" -eq 0 ]; then
        summary="$summary$(printf '%-9s passed in %4d s' "$name" $((end - start)))"$'\n'
    else
        summary="$summary$(printf '%-9s FAILED in %4d s' "$name" $((end - start)))"$'\n'
        failed_stages="$failed_stages $name"
    fi
    note "$name: done (exit $rc)"
}

stage_asan() {
    local build=$ROOT/build-asan
    cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
        -DSTAYHOOKS_SANITIZE=ON -DSTAYHOOKS_WERROR=ON >/dev/null || return 1
    cmake --build "$build" -j "$JOBS" >"$build/ci-build.log" 2>&1 || {
        tail -40 "$build/ci-build.log"
        return 1
    }
    # detect_leaks is on by default on Linux; it is named so a changed
    # default cannot turn leak checks off silently.
    (cd "$build" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest -j "$JOBS" --output-on-failure)
}

stage_valgrind() {
    local build=$ROOT/build-stress
    local logs=$build/valgrind-logs
    local rc=0 reports

    command -v valgrind >/dev/null || { echo "valgrind is not installed"; return 1; }
    cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSTAYHOOKS_SANITIZE=OFF -DSTAYHOOKS_WERROR=ON >/dev/null || return 1
    cmake --build "$build" -j "$JOBS" >"$build/ci-build.log" 2>&1 || {
        tail -40 "$build/ci-build.log"
        return 1
    }
    rm -rf "$logs"
    mkdir -p "$logs"
    export STAYHOOKS_VALGRIND_LOG_DIR=$logs
    export STAYHOOKS_TEST_WRAPPER=$ROOT/tests/support/valgrind.sh

    # The servers of the server tests under valgrind. test_durability is
    # left out: it kills its server with SIGKILL, which leaves valgrind no
    # report to write, and its 300 ms burst of invokes is too short for a
    # server under valgrind to acknowledge any.
    (cd "$build" && ctest -L server -E server_test_durability -j "$JOBS" \
        --output-on-failure) || rc=1
    # The CLI and its servers under valgrind.
    (cd "$build" && ctest -R '^cli_' -j "$JOBS" --output-on-failure) || rc=1
    # The library's C tests, the library-against-server test among them,
    # under memcheck themselves. Shell-script tests are left out: valgrind
    # would check the shell.
    (cd "$build" && ctest -T memcheck \
        --overwrite MemoryCheckCommandOptions="$VALGRIND_OPTIONS" \
        -R '^lib\.|server_test_client_roundtrip' -E 'exports|install' \
        -j "$JOBS" --output-on-failure) || rc=1
    unset STAYHOOKS_VALGRIND_LOG_DIR STAYHOOKS_TEST_WRAPPER

    # valgrind --quiet leaves a report empty unless it found an error or a
    # definite or indirect leak.
    reports=$(find "$logs" -name '*.log' | wc -l)
    if find "$logs" -name '*.log' -size +0 | grep -q .; then
        echo "valgrind found problems in these processes:"
        find "$logs" -name '*.log' -size +0 -print -exec head -60 {} \;
        rc=1
    fi
    echo "valgrind: $reports processes checked, $(find "$logs" -name '*.log' -size +0 | wc -l) with findings"
    return $rc
}

stage_fuzz() {
    local build=$ROOT/build-fuzz
    local rc=0 name corpus out execs

    command -v clang >/dev/null || { echo "clang is not installed"; return 1; }
    CC=clang cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSTAYHOOKS_FUZZ=ON -DSTAYHOOKS_WERROR=ON >/dev/null || return 1
    cmake --build "$build" -j "$JOBS" --target fuzz_harnesses >"$build/ci-build.log" 2>&1 || {
        tail -40 "$build/ci-build.log"
        return 1
    }
    (cd "$build" && ctest -L fuzz --output-on-failure) || rc=1

    mkdir -p "$build/fuzz/corpus" "$build/fuzz/artifacts"
    while read -r name corpus; do
        mkdir -p "$build/fuzz/corpus/$name"
        out=$("$build/fuzz/$name" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
            -artifact_prefix="$build/fuzz/artifacts/$name-" \
            "$build/fuzz/corpus/$name" "$build/fuzz/seeds/$corpus" 2>&1)
        if [ $? -ne 0 ]; then
            echo "$out" | tail -60
            echo "$name: FAILED; the input is in $build/fuzz/artifacts/"
            rc=1
        fi
        execs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
        printf 'fuzz: %-30s %10s executions in %s s\n' "$name" "${execs:-?}" "$FUZZ_SECONDS"
    done <"$build/fuzz/harnesses.txt"
    return $rc
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(asan valgrind fuzz)
for name in "${stages[@]}"; do
    case "$name" in
        asan | valgrind | fuzz) stage "$name" ;;
        *) echo "ci-extra.sh: unknown stage '$name'; use asan, valgrind or fuzz" >&2; exit 2 ;;
    esac
done

note "summary"
printf '%s' "$summary"
if [ -n "$failed_stages" ]; then
    echo "ci-extra: failed:$failed_stages"
    exit 1
fi
echo "ci-extra: all stages passed"
