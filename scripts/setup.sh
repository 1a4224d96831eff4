#!/usr/bin/env bash
# Installs what GNP needs from Debian's packages (only what is missing) and
# builds the project into build/ (only what is stale). Used by the other scripts.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  g++ cmake ninja-build ccache
  trilinos-all-dev libscotch-dev libptscotch-dev   # Trilinos 13.2 (its CMake config names Scotch's .so files)
  libtorch-dev                                     # LibTorch 1.13, CPU
  libopenmpi-dev openmpi-bin                       # MPI
  libgtest-dev                                     # tests
  doxygen                                          # the API reference, built by a test
  nlohmann-json3-dev                               # gnp-bench: one JSON file per case
  libopenblas0-serial                              # fast BLAS for Trilinos and LibTorch alike
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

if [ ! -f "$root/build/build.ninja" ]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release
elif [ ${#missing[@]} -gt 0 ]; then
  cmake "$root/build" >/dev/null # a package installed after the first configure (doxygen) is found again
fi
cmake --build "$root/build" -j "$(nproc)"
