// gnp-bench-sequence: a sequence of related matrices, each solved once, the way a
// time-stepping or Newton code sees its operator change. The matrices are
// convection-diffusion on an N x N grid whose velocity turns a few degrees per
// step (same sparsity, new values). Strategies: every classical preconditioner
// built anew per matrix, Auto built anew, GNP trained anew, and one GNP that
// follows the matrix (setMatrix + compute(): a warm start for "gnp: warm start
// steps"). Each solves b = A x, x random, with flexible GMRES. Prints per
// strategy the total time (construction and solve), iterations and converged
// count, and the ratios against GNP trained anew; never fails on the figures.
#include "Gnp_Arnoldi.hpp"
#include "Gnp_AutoPreconditioner.hpp"
#include "Gnp_CommandLine.hpp"
#include "Gnp_ConvectionDiffusion.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Tpetra_Core.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using SC = Gnp::DefaultScalar;
using LO = Gnp::DefaultLocalOrdinal;
using GO = Gnp::DefaultGlobalOrdinal;
using NO = Gnp::DefaultNode;
using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;
using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
using Factory = Gnp::Factory<SC, LO, GO, NO>;

struct Total {
  double buildSeconds = 0.0, solveSeconds = 0.0;
  int iterations = 0, converged = 0, solves = 0;
};

struct Settings {
  int size = 48, count = 30, steps = 500;
  std::vector<int> warmSteps{125};
  double degrees = 3.0, speed = 100.0;
  std::string base = "auto";
  Teuchos::ParameterList belos;
};

Teuchos::ParameterList gnpList(const Settings& s, int steps) {
  Teuchos::ParameterList p;
  p.set("gnp: training steps", steps);
  p.set("gnp: base preconditioner", s.base);
  p.set("gnp: verbosity", "none");
  return p;
}

// b = A x, x Gaussian from seed k: the same on any number of ranks.
Teuchos::RCP<mv_type> rightHandSide(const crs_type& A, int k) {
  const auto x = Gnp::seededStartVector<SC, LO, GO, NO>(A.getDomainMap(), 1000 + static_cast<std::uint64_t>(k));
  auto b = Teuchos::rcp(new mv_type(A.getRangeMap(), 1));
  A.apply(*x, *b);
  return b;
}

void solve(const Teuchos::RCP<const crs_type>& A, int k, const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
           const Settings& s, double buildSeconds, Total& total) {
  auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1));
  const auto r = Gnp::solveFlexibleGmres<SC, LO, GO, NO>(A, rightHandSide(*A, k), x, M, s.belos);
  total.buildSeconds += buildSeconds;
  total.solveSeconds += r.seconds;
  total.iterations += r.iterations;
  total.converged += r.converged && !r.failed ? 1 : 0;
  ++total.solves;
}

std::string followingName(int warmSteps) { return "GNP following A, " + std::to_string(warmSteps) + " steps"; }

} // namespace

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  Settings s;
  Gnp::CommandLine cl(
      "gnp-bench-sequence [--size=N] [--count=K] [--degrees=D] [--steps=S] [--warm-steps=W]\n\n"
      "Solves K convection-diffusion matrices (N x N grid, velocity turning D degrees per matrix) once "
      "each with every strategy and prints the totals.");
  int restart = 10, iterations = 300;
  cl.options().setOption("size", &s.size, "Grid points per side (n = size^2)");
  cl.options().setOption("count", &s.count, "Matrices in the sequence");
  cl.options().setOption("degrees", &s.degrees, "Turn of the velocity per matrix, degrees");
  cl.options().setOption("speed", &s.speed, "Length of the velocity");
  cl.options().setOption("steps", &s.steps, "GNP's training steps when trained anew");
  std::string warm = "125";
  cl.options().setOption("warm-steps", &warm,
                         "\"gnp: warm start steps\" of the GNP that follows the matrix; comma-separated: one GNP each");
  cl.options().setOption("base", &s.base, "GNP's \"gnp: base preconditioner\"");
  cl.options().setOption("restart", &restart, "FGMRES restart");
  cl.options().setOption("iterations", &iterations, "FGMRES iteration budget");
  try {
    if (!cl.parse(argc, argv, root)) return 0;
    s.warmSteps.clear();
    std::stringstream in(warm);
    for (std::string item; std::getline(in, item, ',');)
      s.warmSteps.push_back(static_cast<int>(Gnp::parseInteger("--warm-steps", item, 1, 1000000000)));
  } catch (const std::invalid_argument& e) {
    if (root) std::fprintf(stderr, "gnp-bench-sequence: error: %s\n", e.what());
    return 1;
  }
  s.belos = Gnp::defaultBelosParameters();
  s.belos.set("Num Blocks", restart);
  s.belos.set("Maximum Iterations", iterations);

  const std::vector<std::string> classical{"ILUT", "RELAXATION", "MueLu", "GMRES", "None"};
  std::map<std::string, Total> totals;
  std::vector<Teuchos::RCP<Gnp::Preconditioner<SC, LO, GO, NO>>> following(s.warmSteps.size());
  for (int k = 0; k < s.count; ++k) {
    const double angle = k * s.degrees * M_PI / 180.0;
    const Teuchos::RCP<const crs_type> A =
        Gnp::convectionDiffusion<SC, LO, GO, NO>(s.size, s.speed * std::cos(angle), s.speed * std::sin(angle), comm);
    for (const auto& type : classical) {
      const auto built = Factory::create(type, A, Teuchos::ParameterList());
      solve(A, k, built.op, s, built.seconds, totals[type]);
    }
    Teuchos::ParameterList autoList;
    autoList.set("auto: restart", restart);
    autoList.set("auto: iterations", iterations);
    autoList.set("auto: verbosity", "none");
    autoList.set("GNP", gnpList(s, s.steps));
    const auto automatic = Factory::create("Auto", A, autoList);
    solve(A, k, automatic.op, s, automatic.seconds, totals["Auto"]);
    const auto fresh = Factory::create("GNP", A, gnpList(s, s.steps));
    solve(A, k, fresh.op, s, fresh.seconds, totals["GNP trained anew"]);
    for (std::size_t w = 0; w < following.size(); ++w) {
      const auto start = std::chrono::steady_clock::now();
      if (following[w].is_null()) {
        Teuchos::ParameterList p = gnpList(s, s.steps);
        p.set("gnp: warm start steps", s.warmSteps[w]);
        following[w] = Teuchos::rcp(new Gnp::Preconditioner<SC, LO, GO, NO>(A));
        following[w]->setParameters(p);
        following[w]->initialize();
      } else {
        following[w]->setMatrix(A);
      }
      following[w]->compute();
      const double seconds =
          Gnp::maxOverRanks(*comm, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      solve(A, k, following[w], s, seconds, totals[followingName(s.warmSteps[w])]);
    }
    if (root)
      std::printf(
          "gnp-bench-sequence: matrix %d/%d (velocity at %.0f degrees): Auto chose %s; iterations: GNP anew %d, "
          "following %d (cumulative)\n",
          k + 1, s.count, k * s.degrees, automatic.automatic->getChoice().c_str(),
          totals["GNP trained anew"].iterations, totals[followingName(s.warmSteps.front())].iterations);
  }
  if (!root) return 0;
  std::printf(
      "\n%d matrices, n = %d, %d MPI rank(s); FGMRES(%d), at most %d iterations, rtol 1e-8, b = A x; GNP: %d "
      "steps anew, base %s\n",
      s.count, s.size * s.size, comm->getSize(), restart, iterations, s.steps, s.base.c_str());
  std::printf("%-30s %10s %10s %10s %10s %10s %12s\n", "strategy", "build s", "solve s", "total s", "iterations",
              "converged", "total/anew");
  const double anew = totals["GNP trained anew"].buildSeconds + totals["GNP trained anew"].solveSeconds;
  for (const auto& [name, t] : totals)
    std::printf("%-30s %10.2f %10.2f %10.2f %10d %7d/%-2d %12.3f\n", name.c_str(), t.buildSeconds, t.solveSeconds,
                t.buildSeconds + t.solveSeconds, t.iterations, t.converged, t.solves,
                (t.buildSeconds + t.solveSeconds) / anew);
  return 0;
}
