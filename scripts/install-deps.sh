#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need,
# skipping those already present. Runs apt-get as root, or through sudo.
#
# Usage: install-deps.sh [--browser] [PACKAGE]...
#   --browser  also install what the preview page's browser test needs:
#              Chromium with an emoji font, and Node.js with npm when the `npm` command is missing
#   PACKAGE    further Debian packages (for example wrk for the benchmarks)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev libsqlite3-dev
  libjwt-dev libssl-dev libcmocka-dev
  curl
)
for argument in "$@"; do
  case "$argument" in
    --browser)
      packages+=(chromium fonts-noto-color-emoji)
      # A Node.js from another source may already bring npm; Debian's npm
      # package conflicts with it, so only a machine without npm gets Debian's.
      command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
      ;;
    *) packages+=("$argument") ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages ${missing[*]}, and neither root nor sudo is available to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
