# server.sh: start a throw-away stayhooks-server for shell tests.
#
# Source it from bash, then:
#
#   STAYHOOKS_SERVER=/path/to/stayhooks-server   # required
#   start_server [EXTRA SERVE ARGS...]   # port 0 on 127.0.0.1, db in a temp dir;
#                                        # exports STAYHERE_BASE_URL and sets
#                                        # STAYHOOKS_TEST_DIR, STAYHOOKS_TEST_DB,
#                                        # STAYHOOKS_TEST_LOG (the server's stderr)
#   add_room ROOM OWNER [--admin U]... [--member U]...
#   token=$(mint_token USER [TTL_SECONDS])
#   stop_server                          # SIGTERM; also runs on shell exit
#
# When STAYHOOKS_TEST_WRAPPER names a program (tests/support/valgrind.sh,
# say), every server command runs through it.
#
# start_server installs an EXIT trap that stops the server and removes the
# temp dir. A test that sets its own EXIT trap must call stop_server itself.

STAYHOOKS_SERVER_PID=
STAYHOOKS_TEST_DIR=

start_server() {
    if [ -z "${STAYHOOKS_SERVER:-}" ] || [ ! -x "$STAYHOOKS_SERVER" ]; then
        echo "server.sh: STAYHOOKS_SERVER must name the stayhooks-server binary" >&2
        return 1
    fi
    STAYHOOKS_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stayhooks-test-XXXXXX") || return 1
    STAYHOOKS_TEST_DB="$STAYHOOKS_TEST_DIR/server.db"
    STAYHOOKS_TEST_LOG="$STAYHOOKS_TEST_DIR/server.log"
    local fifo="$STAYHOOKS_TEST_DIR/stdout"
    mkfifo "$fifo" || return 1

    ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_SERVER" serve --listen 127.0.0.1:0 --db "$STAYHOOKS_TEST_DB" "$@" \
        >"$fifo" 2>>"$STAYHOOKS_TEST_LOG" &
    STAYHOOKS_SERVER_PID=$!
    trap stop_server EXIT

    # The first stdout line carries the address. Give up after 10 seconds.
    local line=
    if ! read -r -t 10 line <"$fifo"; then
        echo "server.sh: server did not start; log: $STAYHOOKS_TEST_LOG" >&2
        cat "$STAYHOOKS_TEST_LOG" >&2
        stop_server
        return 1
    fi
    case "$line" in
        "listening on "*) STAYHERE_BASE_URL=${line#listening on } ;;
        *) echo "server.sh: unexpected first line: $line" >&2; stop_server; return 1 ;;
    esac
    export STAYHERE_BASE_URL STAYHOOKS_TEST_DIR STAYHOOKS_TEST_DB STAYHOOKS_TEST_LOG
}

stop_server() {
    if [ -n "$STAYHOOKS_SERVER_PID" ]; then
        kill -TERM "$STAYHOOKS_SERVER_PID" 2>/dev/null
        local i=0
        while kill -0 "$STAYHOOKS_SERVER_PID" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if kill -0 "$STAYHOOKS_SERVER_PID" 2>/dev/null; then
            echo "server.sh: server ignored SIGTERM; killing it" >&2
            kill -KILL "$STAYHOOKS_SERVER_PID" 2>/dev/null
        fi
        wait "$STAYHOOKS_SERVER_PID" 2>/dev/null
        STAYHOOKS_SERVER_PID=
    fi
    if [ -n "$STAYHOOKS_TEST_DIR" ] && [ -d "$STAYHOOKS_TEST_DIR" ]; then
        rm -rf -- "$STAYHOOKS_TEST_DIR"
    fi
    STAYHOOKS_TEST_DIR=
}

add_room() {
    local room=$1 owner=$2
    shift 2
    ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_SERVER" room add "$room" --owner "$owner" "$@" --db "$STAYHOOKS_TEST_DB" >/dev/null
}

mint_token() {
    if [ -n "${2:-}" ]; then
        ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_SERVER" token "$1" --ttl "$2" --db "$STAYHOOKS_TEST_DB"
    else
        ${STAYHOOKS_TEST_WRAPPER:+"$STAYHOOKS_TEST_WRAPPER"} "$STAYHOOKS_SERVER" token "$1" --db "$STAYHOOKS_TEST_DB"
    fi
}
