#!/usr/bin/env bash
# Median seconds per GNP training step and per apply on 1 and 2 MPI ranks.
# Default matrices: convdiff128 and std1_Jac3_db from ../shared/matrices.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" > /dev/null
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
shared="$root/../shared/matrices"
matrices=("$@")
[ ${#matrices[@]} -gt 0 ] || matrices=("$shared/convdiff128.mtx" "$shared/std1_Jac3_db.mtx")
for np in 1 2; do
  mpirun --oversubscribe -np "$np" "$root/build/bench/gnp-bench-speed" --steps=10 --applies=20 "${matrices[@]}"
done
