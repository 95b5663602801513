#!/bin/sh
# Installs everything into a temporary prefix and checks that the installed
# programs start without LD_LIBRARY_PATH (their RUNPATH finds the installed
# libstayhooks) and that the man page and bash completion are in place.
# Usage: check_installed_programs.sh BUILD_DIR
set -eu
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/stayhooks-programs.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
unset LD_LIBRARY_PATH

for program in stayhooks stayhooks-server; do
    if ! "$work/prefix/bin/$program" --version >/dev/null; then
        echo "FAIL: installed $program does not start" >&2
        exit 1
    fi
done
for file in share/man/man1/stayhooks.1 share/bash-completion/completions/stayhooks; do
    if [ ! -f "$work/prefix/$file" ]; then
        echo "FAIL: $file was not installed" >&2
        exit 1
    fi
done
echo "installed programs start and their docs are in place"
