// gnp-bench-speed: median wall and CPU seconds per GNP training step and per
// preconditioner apply (one vector), for each MatrixMarket file given, on the
// ranks it runs on. Prints figures; never fails on time.
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace {

using SC = Gnp::DefaultScalar;
using LO = Gnp::DefaultLocalOrdinal;
using GO = Gnp::DefaultGlobalOrdinal;
using NO = Gnp::DefaultNode;
using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// The BLAS libraries mapped into this process (Trilinos and LibTorch share them).
std::string loadedBlas() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> libs;
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find("blas") != std::string::npos) libs.insert(path);
  }
  std::string out;
  for (const auto& l : libs) out += (out.empty() ? "" : ", ") + l;
  return out.empty() ? "none found" : out;
}

} // namespace

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  int steps = 10, applies = 20;
  std::vector<std::string> matrices;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--steps=", 0) == 0) steps = std::stoi(a.substr(8));
    else if (a.rfind("--applies=", 0) == 0) applies = std::stoi(a.substr(10));
    else if (a == "--help") {
      if (root) std::cout << "gnp-bench-speed [--steps=10] [--applies=20] matrix.mtx...\n";
      return 0;
    } else matrices.push_back(a);
  }
  if (root) std::printf("gnp-bench-speed: %d rank(s), BLAS: %s\n", comm->getSize(), loadedBlas().c_str());
  try {
    for (const auto& path : matrices) {
      const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(path, comm);
      Gnp::Preconditioner<SC, LO, GO, NO> prec(A);
      Teuchos::ParameterList p;
      p.set("gnp: training steps", steps);
      p.set("gnp: print frequency", 0);
      prec.setParameters(p);
      prec.compute();
      const auto& report = prec.getTrainingReport();

      mv_type x(A->getDomainMap(), 1), y(A->getDomainMap(), 1);
      x.randomize();
      std::vector<double> wall, cpu;
      for (int i = 0; i < applies; ++i) {
        comm->barrier();
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpuSeconds();
        prec.apply(x, y);
        double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), wmax = 0;
        Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_MAX, 1, &w, &wmax);
        wall.push_back(wmax);
        cpu.push_back(cpuSeconds() - c0);
      }
      // CPU seconds: the sum over ranks (the machine's cost), median over repetitions.
      double stepCpu = median(report.stepCpuSeconds), applyCpu = median(cpu), stepCpuAll = 0, applyCpuAll = 0;
      Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, 1, &stepCpu, &stepCpuAll);
      Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, 1, &applyCpu, &applyCpuAll);
      if (root)
        std::printf("%-24s n %7lld nnz %8lld ranks %d | step: wall %.4f s cpu %.4f s (median of %zu) | "
                    "apply: wall %.5f s cpu %.5f s (median of %d)\n",
                    path.substr(path.find_last_of('/') + 1).c_str(), static_cast<long long>(A->getGlobalNumRows()),
                    static_cast<long long>(A->getGlobalNumEntries()), comm->getSize(), median(report.stepSeconds),
                    stepCpuAll, report.stepSeconds.size(), median(wall), applyCpuAll, applies);
    }
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-bench-speed: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
