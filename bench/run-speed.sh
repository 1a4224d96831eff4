#!/usr/bin/env bash
# Median seconds per GNP training step and per apply on 1 and 2 MPI ranks.
# Usage: bash bench/run-speed.sh [matrix.mtx ...]; without arguments it uses the
# shipped matrix (example/jpwh_991.mtx) and says so. The README's figures are for
# convdiff128 and std1_Jac3_db of the SuiteSparse set (docs/results/summary.csv).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" > /dev/null
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
matrices=("$@")
if [ ${#matrices[@]} -eq 0 ]; then
  matrices=("$root/example/jpwh_991.mtx")
  echo "run-speed.sh: no matrices given; timing the shipped ${matrices[0]}"
fi
for np in 1 2; do
  mpirun --oversubscribe -np "$np" "$root/build/bench/gnp-bench-speed" --steps=10 --applies=20 "${matrices[@]}"
done
