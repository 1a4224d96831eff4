#!/usr/bin/env bash
# The main job: gnp-solve on the real matrix shipped in example/ (SuiteSparse
# HB/jpwh_991), comparing GNP with ILUT, Jacobi, MueLu AMG, inner GMRES and no
# preconditioner. Arguments go to gnp-solve (e.g. another matrix and XML file);
# NP sets the number of MPI ranks (default 2, one per core).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec mpirun --oversubscribe -np "${NP:-2}" "$root/build/example/gnp-solve" "$@"
