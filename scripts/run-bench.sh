#!/usr/bin/env bash
# The paper's evaluation protocol over a folder (or comma-separated list) of
# MatrixMarket files, every preconditioner of bench/sweep.xml, then the plots.
#   bash scripts/run-bench.sh [MATRICES [OUT]]      (OUT default: results/)
# Without MATRICES it runs on what the repository has (example/: the shipped
# jpwh_991) and says so; docs/results used the 39 SuiteSparse matrices listed in
# docs/results/summary.csv.
# Rerunning with the same OUT resumes; RANKS sets the MPI ranks per case (2);
# RHS the right-hand sides (default: ones,random-solution, side by side).
# Extra gnp-bench options go in GNP_BENCH_ARGS, e.g. "--gnp-seconds=120".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-matplotlib
fi
matrices=${1:-}
if [ -z "$matrices" ]; then
  matrices="$root/example"
  echo "run-bench.sh: no MATRICES given; running on the shipped matrix in $matrices"
fi
out=${2:-$root/results}
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# shellcheck disable=SC2086
"$root/build/bench/gnp-bench" --matrices="$matrices" --params="$root/bench/sweep.xml" --out="$out" \
  --ranks="${RANKS:-2}" --rhs="${RHS:-ones,random-solution}" --case-time-limit=300 \
  --notes="$root/docs/results/notes.md" ${GNP_BENCH_ARGS:-}
/usr/bin/python3 "$root/bench/plot_results.py" "$out"
