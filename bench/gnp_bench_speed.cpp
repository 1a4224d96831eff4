// gnp-bench-speed: median wall and CPU seconds per GNP training step and per
// preconditioner apply (one and 16 vectors), for each MatrixMarket file given,
// on the ranks it runs on; on one rank also the same network in plain LibTorch
// (Gnp_TorchBaseline) with the ratios, the step's FLOP count and GFLOP/s, and
// this core's SGEMM rate. Prints figures; never fails on time.
#include "Gnp_BaselineMatrix.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TorchBaseline.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
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

// This process's resident memory in KiB, now ("VmRSS") or at its peak since the
// last resetPeakMemory() ("VmHWM").
double residentKiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  return 0.0;
}

// Starts a new peak for VmHWM (Linux: writing 5 to clear_refs resets it).
void resetPeakMemory() { std::ofstream("/proc/self/clear_refs") << "5"; }

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

// The 5-point convection-diffusion operator on an N x N grid (n = N²): the
// family for checking that the step's cost stays linear in the matrix.
Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> convectionDiffusion(
    int N, const Teuchos::RCP<const Teuchos::Comm<int>>& comm) {
  using map_type = Tpetra::Map<LO, GO, NO>;
  auto map = Teuchos::rcp(new map_type(static_cast<Tpetra::global_size_t>(N) * N, 0, comm));
  auto A = Teuchos::rcp(new Tpetra::CrsMatrix<SC, LO, GO, NO>(map, 5));
  for (LO lid = 0; lid < static_cast<LO>(map->getNodeNumElements()); ++lid) {
    const GO row = map->getGlobalElement(lid), i = row / N, j = row % N;
    std::vector<GO> cols{row};
    std::vector<SC> vals{4.0};
    if (j > 0) cols.push_back(row - 1), vals.push_back(-1.3);
    if (j < N - 1) cols.push_back(row + 1), vals.push_back(-0.7);
    if (i > 0) cols.push_back(row - N), vals.push_back(-1.15);
    if (i < N - 1) cols.push_back(row + N), vals.push_back(-0.85);
    A->insertGlobalValues(row, Teuchos::ArrayView<const GO>(cols), Teuchos::ArrayView<const SC>(vals));
  }
  A->fillComplete();
  return A;
}

} // namespace

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  int steps = 10, applies = 20, batch = 16;
  std::vector<std::string> matrices;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    try {
      if (a.rfind("--steps=", 0) == 0)
        steps = static_cast<int>(Gnp::parseInteger("--steps", a.substr(8), 1, 100000));
      else if (a.rfind("--applies=", 0) == 0)
        applies = static_cast<int>(Gnp::parseInteger("--applies", a.substr(10), 1, 100000));
      else if (a.rfind("--batch=", 0) == 0)
        batch = static_cast<int>(Gnp::parseInteger("--batch", a.substr(8), 1, 4096));
      else if (a.rfind("--convdiff=", 0) == 0) {
        std::stringstream sizes(a.substr(11));
        for (std::string N; std::getline(sizes, N, ',');)
          matrices.push_back("convdiff:" + std::to_string(Gnp::parseInteger("--convdiff", N, 2, 4096)));
      } else if (a == "--help") {
        if (root)
          std::cout
              << "gnp-bench-speed [--steps=10] [--applies=20] [--batch=16] [--convdiff=64,128,256] matrix.mtx...\n"
                 "  --convdiff: also time generated N x N convection-diffusion matrices\n"
                 "  --batch: right-hand sides per training step (half of them Krylov samples); the\n"
                 "           plain-LibTorch baseline runs the paper's 16 and is compared only then\n";
        return 0;
      } else
        matrices.push_back(a);
    } catch (const std::exception& e) {
      if (root) std::cerr << "gnp-bench-speed: error: " << e.what() << "\n";
      return 1;
    }
  }
  if (root) std::printf("gnp-bench-speed: %d rank(s), BLAS: %s\n", comm->getSize(), loadedBlas().c_str());
  const double sgemm = comm->getSize() == 1 ? Gnp::Bench::sgemmGflops() : 0.0;
  if (comm->getSize() == 1) std::printf("gnp-bench-speed: SGEMM 2048^3 through LibTorch: %.1f GFLOP/s\n", sgemm);
  try {
    for (const auto& path : matrices) {
      const bool generated = path.rfind("convdiff:", 0) == 0;
      const auto A = generated ? convectionDiffusion(std::stoi(path.substr(9)), comm)
                               : Gnp::readMatrixMarket<SC, LO, GO, NO>(path, comm);
      Gnp::Preconditioner<SC, LO, GO, NO> prec(A);
      // Training's memory: the peak above what the process held before it. The
      // network keeps freed memory in its heap (Gnp::Network): hand it back
      // first, or an earlier matrix's would hide this one's.
      malloc_trim(0);
      const double residentBefore = residentKiB("VmRSS");
      resetPeakMemory();
      Teuchos::ParameterList p;
      p.set("gnp: training steps", steps);
      p.set("gnp: print frequency", 0);
      // By default the baseline's batch (and the FLOP count's): the paper's 16, not the package's 4.
      p.set("gnp: batch size", batch);
      p.set("gnp: krylov samples", batch / 2);
      // The network alone, as the baseline: an ILUT base ("auto") would add its
      // own cost and the exact sums' rank-count independence would not hold.
      p.set("gnp: base preconditioner", "none");
      prec.setParameters(p);
      prec.compute();
      const auto& report = prec.getTrainingReport();
      double trainingKiB = residentKiB("VmHWM") - residentBefore, trainingKiBAll = 0.0;
      Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, 1, &trainingKiB, &trainingKiBAll);

      // Wall: the slowest rank; CPU: the sum over ranks (the machine's cost); medians over repetitions.
      auto timeApply = [&](int columns, int repetitions) {
        mv_type x(A->getDomainMap(), columns), y(A->getDomainMap(), columns);
        x.randomize();
        std::vector<double> wall, cpu;
        for (int i = 0; i < repetitions; ++i) {
          comm->barrier();
          const auto t0 = std::chrono::steady_clock::now();
          const double c0 = cpuSeconds();
          prec.apply(x, y);
          double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), wmax = 0;
          Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_MAX, 1, &w, &wmax);
          wall.push_back(wmax);
          cpu.push_back(cpuSeconds() - c0);
        }
        double c = median(cpu), cAll = 0;
        Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, 1, &c, &cAll);
        return Gnp::Bench::Timing{median(wall), cAll};
      };
      const auto apply1 = timeApply(1, applies), apply16 = timeApply(16, std::max(1, applies / 4));
      double stepCpu = median(report.stepCpuSeconds), stepCpuAll = 0;
      Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, 1, &stepCpu, &stepCpuAll);
      const Gnp::Bench::Timing step{median(report.stepSeconds), stepCpuAll};
      const std::string name =
          generated ? "convdiff " + path.substr(9) + "^2 (generated)" : path.substr(path.find_last_of('/') + 1);
      const double flops = Gnp::Bench::trainingStepFlops(static_cast<std::int64_t>(A->getGlobalNumRows()),
                                                         static_cast<std::int64_t>(A->getGlobalNumEntries()), batch);
      if (root)
        std::printf(
            "%-24s n %7lld nnz %8lld ranks %d | step: wall %.4f s cpu %.4f s (median of %zu; %.1f GFLOP, "
            "%.1f GFLOP/s per CPU-s) | apply: wall %.5f s cpu %.5f s (median of %d) | apply x16: wall "
            "%.5f s cpu %.5f s\n",
            name.c_str(), static_cast<long long>(A->getGlobalNumRows()),
            static_cast<long long>(A->getGlobalNumEntries()), comm->getSize(), step.wall, step.cpu,
            report.stepSeconds.size(), flops / 1e9, flops / step.cpu / 1e9, apply1.wall, apply1.cpu, applies,
            apply16.wall, apply16.cpu);
      if (root)
        std::printf(
            "%-24s step per stored nonzero: %.3f us wall, %.3f us CPU | training's peak memory (all "
            "ranks): %.0f MiB, %.1f KiB per matrix row\n",
            name.c_str(), 1e6 * step.wall / static_cast<double>(A->getGlobalNumEntries()),
            1e6 * step.cpu / static_cast<double>(A->getGlobalNumEntries()), trainingKiBAll / 1024.0,
            trainingKiBAll / static_cast<double>(A->getGlobalNumRows()));
      if (comm->getSize() == 1 && batch == 16) {
        // The baseline on the same Â = A/γ, one process.
        const auto base =
            Gnp::Bench::timeTorchBaseline(Gnp::Bench::baselineMatrix(*A, 1.0 / prec.getScaling()), steps, applies);
        std::printf(
            "%-24s plain LibTorch baseline     | step: wall %.4f s cpu %.4f s (%.1f GFLOP/s per CPU-s) | "
            "apply: wall %.5f s cpu %.5f s | apply x16: wall %.5f s cpu %.5f s\n",
            name.c_str(), base.step.wall, base.step.cpu, flops / base.step.cpu / 1e9, base.apply1.wall, base.apply1.cpu,
            base.apply16.wall, base.apply16.cpu);
        std::printf(
            "%-24s speed-up over the baseline (CPU s) | step %.2fx | apply %.2fx | apply x16 %.2fx | "
            "step at %.0f%% of this core's SGEMM (%.1f GFLOP/s)\n",
            name.c_str(), base.step.cpu / step.cpu, base.apply1.cpu / apply1.cpu, base.apply16.cpu / apply16.cpu,
            100.0 * flops / step.cpu / 1e9 / sgemm, sgemm);
      }
    }
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-bench-speed: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
