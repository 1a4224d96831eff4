#!/usr/bin/env bash
# Installs GNP from the build tree into a temporary prefix, checks that the
# installed headers are the API alone and need no LibTorch header, builds
# example/consumer against it with find_package(GNP), and runs it on 2 ranks
# through Stratimikos with MueLu and with GNP.
set -euo pipefail
build=$1 source=$2 mpiexec=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/lib/cmake/GNP/GNPConfig.cmake"
test -f "$work/prefix/include/gnp/Gnp_Preconditioner.hpp"
installed=$(cd "$work/prefix/include/gnp" && ls | tr '\n' ' ')
expected="Gnp_AutoPreconditioner.hpp Gnp_CandidateRanking.hpp Gnp_Factory.hpp Gnp_FlexibleGmres.hpp \
Gnp_GnpSolverManager.hpp Gnp_InnerGmres.hpp Gnp_LinearSolverFactory.hpp Gnp_MatrixIO.hpp Gnp_Options.hpp \
Gnp_Preconditioner.hpp Gnp_ResidualHistoryTest.hpp Gnp_StratimikosHelpers.hpp Gnp_ThyraPreconditionerFactory.hpp \
Gnp_Types.hpp "
if [ "$installed" != "$expected" ]; then
  echo "installed headers: $installed"; echo "expected (the API): $expected"; exit 1
fi
if grep -l "torch" "$work/prefix/include/gnp/"*.hpp; then echo "an installed header names torch"; exit 1; fi
# Every installed header in one translation unit, compiled as a consumer would.
mkdir "$work/headers"
for h in $installed; do echo "#include <$h>"; done > "$work/headers/all.cpp"
cat > "$work/headers/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(GnpHeaders LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
find_package(GNP 0.1 REQUIRED)
add_library(all_headers OBJECT all.cpp)
target_link_libraries(all_headers PRIVATE GNP::gnp)
CMAKE
cmake -S "$work/headers" -B "$work/headers/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$work/headers.log"
cmake --build "$work/headers/build" >> "$work/headers.log"
if grep -q "torch" "$work/headers/build/compile_commands.json"; then
  echo "a consumer of GNP::gnp compiles with LibTorch's include path:"; cat "$work/headers/build/compile_commands.json"; exit 1
fi
echo "consumer: the installed headers are the API and compile without LibTorch's include path"
cmake -S "$source/example/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
matrix="$source/example/jpwh_991.mtx"
sed 's/value="GNP"/value="MueLu"/' "$source/example/stratimikos.xml" > "$work/muelu.xml"
sed 's/<Parameter name="Preconditioner Type" type="string" value="GNP"/<Parameter name="Preconditioner Type" type="string" value="Auto"/' \
  "$source/example/stratimikos.xml" > "$work/auto.xml"
grep -q 'value="Auto"' "$work/auto.xml"
sed 's/name="gnp: training steps" type="int" value="[0-9]*"/name="gnp: training steps" type="int" value="20"/' \
  "$source/example/stratimikos.xml" > "$work/gnp.xml"
grep -q 'name="gnp: training steps" type="int" value="20"' "$work/gnp.xml" # a short training, not the example's
"$mpiexec" --oversubscribe -np 2 "$work/build/consumer" "$matrix" "$work/muelu.xml"
"$mpiexec" --oversubscribe -np 2 "$work/build/consumer" "$matrix" "$work/auto.xml"
"$mpiexec" --oversubscribe -np 2 "$work/build/consumer" "$matrix" "$work/gnp.xml"
