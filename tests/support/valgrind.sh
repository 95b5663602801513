#!/bin/sh
# valgrind.sh: runs a command under valgrind memcheck for the tests.
#
# Set STAYHOOKS_TEST_WRAPPER to this script's path, and the test support
# (test_process.c, server.sh) and tests/cli/lib.sh run stayhooks-server and
# the stayhooks CLI through it. test_process.c wraps only `serve`, not the
# short `room add` and `token` commands. STAYHOOKS_VALGRIND_LOG_DIR must name a
# folder: each process writes its report to PID.log there, and --quiet keeps
# a report empty unless valgrind found an error or a definite or indirect
# leak. A process with such a finding also exits with status 99.
: "${STAYHOOKS_VALGRIND_LOG_DIR:?set STAYHOOKS_VALGRIND_LOG_DIR to a folder for the reports}"
exec valgrind --quiet --leak-check=full \
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$STAYHOOKS_VALGRIND_LOG_DIR/%p.log" "$@"
