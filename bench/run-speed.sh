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
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for np in 1 2; do
  mpirun --oversubscribe -np "$np" "$root/build/bench/gnp-bench-speed" --steps=10 --applies=20 "${matrices[@]}" |
    tee "$out/np$np.txt"
done
# The 2-rank speed-up of a step, from the two runs' step lines ("NAME ... ranks N | step: wall S s").
echo "run-speed.sh: a training step, 2 ranks against 1 rank (wall time ratio, same matrices, this run):"
awk '/ ranks [12] \| step: wall / {
       name = substr($0, 1, index($0, " n ") - 1); sub(/ +$/, "", name)
       for (i = 1; i <= NF; ++i) if ($i == "wall") { wall = $(i + 1); break }
       if (FILENAME ~ /np1/) { one[name] = wall; order[++count] = name } else two[name] = wall
     }
     END { for (k = 1; k <= count; ++k) if ((m = order[k]) in two) printf "  %-40s %.2fx (1 rank %s s, 2 ranks %s s)\n", m, one[m] / two[m], one[m], two[m] }' \
  "$out/np1.txt" "$out/np2.txt"
