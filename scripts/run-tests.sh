#!/usr/bin/env bash
# The whole test suite (ctest): every distributed test on 1 and 2 MPI ranks.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$root/build"
exec ctest --output-on-failure -j "$(nproc)" "$@"
