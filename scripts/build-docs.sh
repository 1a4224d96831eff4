#!/usr/bin/env bash
# The API reference: Doxygen over the public headers (src/, packages/) into
# build/doc/html. Installs doxygen from Debian if missing; any warning fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v doxygen >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q doxygen
fi
"$root/scripts/setup.sh"
# Re-run CMake so that it finds doxygen if it was installed after the first configure.
cmake "$root/build" >/dev/null
cmake --build "$root/build" --target doc
echo "API reference: $root/build/doc/html/index.html"
