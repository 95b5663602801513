#!/bin/sh
# Installs the library component into a temporary prefix, then builds and
# runs a consumer with find_package(stayhooks) (shared and static) and one
# with pkg-config. Usage: check_install.sh BUILD_DIR CONSUMER_SOURCE_DIR
set -eu
build=$1
consumer=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/stayhooks-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" --component library >/dev/null

cmake -S "$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$work/build/consumer_shared"
"$work/build/consumer_static"

pcdir=$(dirname "$(find "$work/prefix" -name stayhooks.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs stayhooks)
# The static library is linked against the shared libcurl and jansson:
# `pkg-config --static` would ask for libcurl's own static dependencies,
# which Debian does not install with libcurl's -dev package.
static_flags="$(pkg-config --libs libcurl jansson) -lpthread -lm"
${CC:-cc} -std=c11 "$consumer/consumer.c" $flags -o "$work/consumer_pc"
LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64" "$work/consumer_pc"
${CC:-cc} -std=c11 "$consumer/consumer.c" $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags stayhooks) \
    "$(dirname "$pcdir")/libstayhooks.a" $static_flags -o "$work/consumer_pc_static"
"$work/consumer_pc_static"
