#!/usr/bin/env bash
# Installs GNP from the build tree into a temporary prefix, builds
# example/consumer against it with find_package(GNP), and runs it on 2 ranks
# through Stratimikos with MueLu and with GNP.
set -euo pipefail
build=$1 source=$2 mpiexec=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/lib/cmake/GNP/GNPConfig.cmake"
test -f "$work/prefix/include/gnp/Gnp_Preconditioner.hpp"
cmake -S "$source/example/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
matrix="$source/example/jpwh_991.mtx"
sed 's/value="GNP"/value="MueLu"/' "$source/example/stratimikos.xml" > "$work/muelu.xml"
sed 's/name="gnp: training steps" type="int" value="[0-9]*"/name="gnp: training steps" type="int" value="20"/' \
  "$source/example/stratimikos.xml" > "$work/gnp.xml"
grep -q 'name="gnp: training steps" type="int" value="20"' "$work/gnp.xml" # a short training, not the example's
"$mpiexec" --oversubscribe -np 2 "$work/build/consumer" "$matrix" "$work/muelu.xml"
"$mpiexec" --oversubscribe -np 2 "$work/build/consumer" "$matrix" "$work/gnp.xml"
