#!/usr/bin/env bash
# The API reference: Doxygen over the headers under src/ into
# build/doc/html (setup.sh installs doxygen); any warning fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
cmake --build "$root/build" --target doc
echo "API reference: $root/build/doc/html/index.html"
