#!/bin/sh
# Fails when the shared library exports a defined symbol whose name does
# not start with "stayhooks_", or exports none at all.
# Usage: check_exports.sh path/to/libstayhooks.so
set -eu
lib=$1
symbols=$(nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }')
if [ -z "$symbols" ]; then
    echo "no exported symbols in $lib" >&2
    exit 1
fi
stray=$(printf '%s\n' "$symbols" | grep -v '^stayhooks_' || true)
if [ -n "$stray" ]; then
    echo "exported names without the stayhooks_ prefix:" >&2
    printf '%s\n' "$stray" >&2
    exit 1
fi
internal=$(printf '%s\n' "$symbols" | grep '^stayhooks__' || true)
if [ -n "$internal" ]; then
    echo "internal stayhooks__ names are exported:" >&2
    printf '%s\n' "$internal" >&2
    exit 1
fi
printf '%s\n' "$symbols" | grep -qx 'stayhooks_send_message'
echo "$(printf '%s\n' "$symbols" | wc -l) exported symbols, all stayhooks_"
