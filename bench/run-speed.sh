#!/usr/bin/env bash
# Median seconds per GNP training step and per apply on 1 and 2 MPI ranks (on 1
# rank also the plain-LibTorch baseline and the ratios).
# Usage: bash bench/run-speed.sh [matrix.mtx ...]; without arguments it uses what
# the repository has, the shipped matrix (example/jpwh_991.mtx) and generated
# convection-diffusion matrices 64², 128², 256², and says so. docs/performance.md's
# figures are for convdiff128 and std1_Jac3_db of the SuiteSparse set
# (docs/results/summary.csv) and for the generated family.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" > /dev/null
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
matrices=("$@")
if [ ${#matrices[@]} -eq 0 ]; then
  matrices=("$root/example/jpwh_991.mtx" --convdiff=64,128,256)
  echo "run-speed.sh: no matrices given; timing the shipped ${matrices[0]} and generated convection-diffusion 64², 128², 256²"
fi
for np in 1 2; do
  mpirun --oversubscribe -np "$np" "$root/build/bench/gnp-bench-speed" --steps=10 --applies=20 "${matrices[@]}"
done
