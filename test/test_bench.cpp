// gnp-bench's building blocks: metrics on synthetic histories, and the
// classification of failures into construction and solution failures.
#include "Gnp_BenchCase.hpp"
#include "Gnp_BenchReport.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_TestProblems.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>

using namespace GnpTest;
using Gnp::Bench::json;

namespace {

json solveRecord(std::vector<double> residuals, std::vector<double> times, bool failed = false) {
  Gnp::SolveResult r;
  r.residuals = residuals;
  r.times = times;
  r.iterations = static_cast<int>(residuals.size()) - 1;
  r.trackedResidual = r.trueResidual = residuals.back();
  r.seconds = times.back();
  r.converged = residuals.back() <= 1e-8 && !failed;
  r.failed = failed;
  r.failure = failed ? "synthetic" : "";
  return Gnp::Bench::toJson(r);
}

json caseDoc(const std::string& name, double buildSeconds, bool constructionFailed = false) {
  return {{"matrix", "m"},
          {"rows", 10},
          {"entries", 30},
          {"preconditioner", name},
          {"type", name},
          {"construction",
           {{"failed", constructionFailed}, {"message", constructionFailed ? "boom" : ""}, {"seconds", buildSeconds}}}};
}

// Four cases of one matrix, maxiters 3: an early stop, a run that does not
// converge, a solution failure and a construction failure.
std::vector<json> syntheticMatrix() {
  std::vector<json> cases{caseDoc("early", 2.0), caseDoc("stalls", 0.5), caseDoc("fails", 0.1),
                          caseDoc("unbuilt", 0.0, true)};
  cases[0]["iteration"] = cases[0]["time"] = solveRecord({1.0, 1e-3, 1e-9}, {0.0, 0.5, 1.0});
  cases[1]["iteration"] = solveRecord({1.0, 0.1, 0.1, 0.1}, {0.0, 1.0, 2.0, 4.0});
  cases[1]["time"] = solveRecord({1.0, 0.1, 0.01}, {0.0, 1.0, 2.0});
  cases[2]["iteration"] = cases[2]["time"] = solveRecord({1.0, 0.5}, {0.0, 0.5}, true);
  Gnp::Bench::addMetrics(cases, 3);
  return cases;
}

// A small matrix whose first diagonal entry is zero (no zero row).
Teuchos::RCP<crs_type> zeroDiagonalMatrix() {
  const std::string text =
      "%%MatrixMarket matrix coordinate real general\n4 4 7\n"
      "1 2 1.0\n2 1 1.0\n2 2 4.0\n3 3 4.0\n3 4 1.0\n4 3 1.0\n4 4 4.0\n";
  const auto comm = Tpetra::getDefaultComm();
  return Gnp::readMatrixMarket<SC, LO, GO, NO>(writeTempFile("zero_diagonal.mtx", text, comm), comm);
}

Gnp::Bench::Problem problemFor(const Teuchos::RCP<crs_type>& A) {
  Gnp::Bench::Problem p;
  p.A = A;
  p.b = Teuchos::rcp(new mv_type(A->getRangeMap(), 1));
  mv_type ones(A->getDomainMap(), 1);
  ones.putScalar(1.0);
  A->apply(ones, *p.b);
  return p;
}

// What a factorisation with a zero pivot returns.
class NanOperator : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  explicit NanOperator(Teuchos::RCP<const map_type> map) : map_(std::move(map)) {}
  Teuchos::RCP<const map_type> getDomainMap() const override { return map_; }
  Teuchos::RCP<const map_type> getRangeMap() const override { return map_; }
  void apply(const mv_type&, mv_type& Y, Teuchos::ETransp, SC, SC) const override { Y.putScalar(std::nan("")); }

private:
  Teuchos::RCP<const map_type> map_;
};

// A preconditioner that is not even consistent with itself: every other apply
// is scaled by 1000. Flexible GMRES copes; plain GMRES reconstructs x with one
// apply at the end and its tracked residual no longer describes x.
class AlternatingScaleOperator : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  explicit AlternatingScaleOperator(Teuchos::RCP<const map_type> map) : map_(std::move(map)) {}
  Teuchos::RCP<const map_type> getDomainMap() const override { return map_; }
  Teuchos::RCP<const map_type> getRangeMap() const override { return map_; }
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp, SC alpha, SC beta) const override {
    Y.update(alpha * (++calls_ % 2 ? 1000.0 : 1.0), X, beta);
  }

private:
  Teuchos::RCP<const map_type> map_;
  mutable int calls_ = 0;
};

} // namespace

TEST(BenchMetrics, TimeoutIsTheLargestIterationModeSolveTime) {
  for (const auto& c : syntheticMatrix()) EXPECT_DOUBLE_EQ(c["metrics"]["T"].get<double>(), 4.0);
}

TEST(BenchMetrics, AnEarlyStopHoldsItsFinalValueInBothAucs) {
  const json m = syntheticMatrix()[0]["metrics"];
  // Iter-AUC over 0..3: 0 - 3 - 9 - 9.
  EXPECT_DOUBLE_EQ(m["iter_auc"].get<double>(), -21.0);
  // Time-AUC over [0, 4]: 0·0.5 - 3·0.5 - 9·3.
  EXPECT_DOUBLE_EQ(m["time_auc"].get<double>(), -28.5);
  // End to end: 2 s construction + 1 s to the first residual <= tolerance.
  EXPECT_DOUBLE_EQ(m["end_to_end_1e-6"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(m["end_to_end_1e-8"].get<double>(), 3.0);
}

TEST(BenchMetrics, ARunThatDoesNotConvergeScoresItsWholeHistoryAndNeverReachesTheTolerance) {
  const json m = syntheticMatrix()[1]["metrics"];
  EXPECT_DOUBLE_EQ(m["iter_auc"].get<double>(), -3.0);
  // Time mode: 0·1 - 1·1 - 2·2 up to T = 4.
  EXPECT_DOUBLE_EQ(m["time_auc"].get<double>(), -5.0);
  EXPECT_TRUE(m["end_to_end_1e-6"].is_null());
}

TEST(BenchMetrics, FailedRunsHaveNoAucAndAreNeverBest) {
  const auto cases = syntheticMatrix();
  for (int i : {2, 3}) {
    EXPECT_TRUE(cases[i]["metrics"]["iter_auc"].is_null());
    EXPECT_TRUE(cases[i]["metrics"]["time_auc"].is_null());
  }
  const std::string report = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(report.find("| m | 10 | 30 | early | early |"), std::string::npos) << report;
  EXPECT_NE(report.find("| unbuilt | 1 | 0 |"), std::string::npos) << report;
  EXPECT_NE(report.find("| fails | 0 | 1 |"), std::string::npos) << report;
}

TEST(BenchMetrics, AnExactSolveIsRankedWithItsResidualAtTheFloor) {
  std::vector<json> cases{caseDoc("exact", 0.1), caseDoc("slow", 0.1)};
  cases[0]["iteration"] = cases[0]["time"] = solveRecord({1.0, 0.0}, {0.0, 0.1});
  cases[1]["iteration"] = cases[1]["time"] = solveRecord({1.0, 1e-3, 1e-9}, {0.0, 0.5, 1.0});
  Gnp::Bench::addMetrics(cases, 3);
  ASSERT_FALSE(cases[0]["metrics"]["iter_auc"].is_null());
  EXPECT_DOUBLE_EQ(cases[0]["metrics"]["iter_auc"].get<double>(), 3.0 * std::log10(Gnp::kResidualFloor));
  const std::string report = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(report.find("| m | 10 | 30 | exact | exact |"), std::string::npos) << report;
}

TEST(BenchReport, CountsWhatReachingTheToleranceCostsWithConstructionAndWhenGnpPaysBack) {
  // GNP: 10 s to build, 0.1 s per solve; ILUT: 0.1 s and 1 s. GNP is no slower from 11 solves on
  // (10 + 0.1 k <= 0.1 + k); None never reaches 1e-8.
  std::vector<json> cases{caseDoc("GNP", 10.0), caseDoc("ILUT", 0.1), caseDoc("None", 0.0)};
  cases[0]["iteration"] = cases[0]["time"] = solveRecord({1.0, 1e-9}, {0.0, 0.1});
  cases[1]["iteration"] = cases[1]["time"] = solveRecord({1.0, 1e-9}, {0.0, 1.0});
  cases[2]["iteration"] = cases[2]["time"] = solveRecord({1.0, 0.5}, {0.0, 0.5});
  Gnp::Bench::addMetrics(cases, 3);
  const std::string report = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(report.find("GNP is the fastest with 1 / 10 / 100 right-hand sides on 0 / 0 / 1 of 1 matrices, and pays "
                        "back its construction from some count on 1 of 1"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("| m | 10.00 + 0.100 | ILUT (1.10 s) | ILUT (10.10 s) | GNP (20.00 s) | from 11 |"),
            std::string::npos)
      << report;
  // Where GNP's solves are no faster, it never pays.
  cases[0]["time"] = solveRecord({1.0, 1e-9}, {0.0, 2.0});
  Gnp::Bench::addMetrics(cases, 3);
  const std::string never = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(never.find("| m | 10.00 + 2.000 | ILUT (1.10 s) | ILUT (10.10 s) | ILUT (100.10 s) | never |"),
            std::string::npos)
      << never;
}

TEST(BenchCase, ABuilderThatThrowsIsAConstructionFailureWithItsMessage) {
  const auto p = problemFor(convectionDiffusion(6, Tpetra::getDefaultComm()));
  const auto c = Gnp::Bench::construct([]() -> Gnp::Bench::Factory::Built { throw std::runtime_error("no pivot"); }, p);
  EXPECT_TRUE(c.failed);
  EXPECT_EQ(c.message, "no pivot");
  EXPECT_TRUE(c.built.op.is_null());
}

TEST(BenchCase, APreconditionerThatReturnsNanIsAConstructionFailure) {
  const auto p = problemFor(convectionDiffusion(6, Tpetra::getDefaultComm()));
  const auto c = Gnp::Bench::construct(
      [&] {
        Gnp::Bench::Factory::Built built;
        built.op = Teuchos::rcp(new NanOperator(p.A->getDomainMap()));
        return built;
      },
      p);
  EXPECT_TRUE(c.failed);
  EXPECT_NE(c.message.find("NaN or Inf"), std::string::npos) << c.message;
}

TEST(BenchCase, JacobiOnAZeroDiagonalBuildsButItsSolveIsASolutionFailure) {
  // Ifpack2 inverts a zero diagonal entry to zero: a singular preconditioner
  // whose Krylov space breaks down (the paper counts these as solution failures).
  const auto p = problemFor(zeroDiagonalMatrix());
  const auto c = Gnp::Bench::construct(
      [&] { return Gnp::Bench::Factory::create("RELAXATION", p.A, Teuchos::ParameterList()); }, p);
  ASSERT_FALSE(c.failed) << c.message;
  const auto r = Gnp::Bench::solve(p, c.built.op, Gnp::defaultBelosParameters());
  EXPECT_TRUE(r.failed);
  EXPECT_FALSE(r.converged);
}

TEST(BenchCase, TrackedAndTrueResidualsThatDisagreeAreASolutionFailure) {
  const auto p = problemFor(convectionDiffusion(8, Tpetra::getDefaultComm()));
  Teuchos::ParameterList belos = Gnp::defaultBelosParameters();
  belos.set("Flexible Gmres", false);
  const auto r = Gnp::Bench::solve(p, Teuchos::rcp(new AlternatingScaleOperator(p.A->getDomainMap())), belos);
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.failure.find("departs from the tracked one"), std::string::npos) << r.failure;
  // With flexible GMRES the same operator is no failure.
  const auto flexible = Gnp::Bench::solve(p, Teuchos::rcp(new AlternatingScaleOperator(p.A->getDomainMap())),
                                          Gnp::defaultBelosParameters());
  EXPECT_FALSE(flexible.failed) << flexible.failure;
}

TEST(BenchCase, TimeModeCutsTheHistoryAtTheTimeout) {
  // The cyclic shift with b = e_1: restarted GMRES makes no progress at all,
  // so only the timeout ends the solve.
  const int n = 200;
  std::string text = "%%MatrixMarket matrix coordinate real general\n200 200 200\n";
  for (int i = 1; i <= n; ++i) text += std::to_string(i % n + 1) + " " + std::to_string(i) + " 1\n";
  const auto comm = Tpetra::getDefaultComm();
  auto p = problemFor(Gnp::readMatrixMarket<SC, LO, GO, NO>(writeTempFile("shift.mtx", text, comm), comm));
  p.b->putScalar(0.0);
  if (p.b->getMap()->isNodeGlobalElement(0)) p.b->replaceGlobalValue(0, 0, 1.0);
  const auto belos = Gnp::defaultBelosParameters();
  const auto iteration = Gnp::Bench::solve(p, Teuchos::null, belos);
  ASSERT_EQ(iteration.iterations, 100);
  const double T = std::max(0.3, 2.0 * iteration.seconds); // well above scheduling noise
  const auto r = Gnp::Bench::solveForTime(p, Teuchos::null, belos, T, iteration.seconds / iteration.iterations);
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.failed) << r.failure;
  EXPECT_GT(r.iterations, 100);
  ASSERT_EQ(r.times.size(), r.residuals.size());
  EXPECT_LE(r.times.back(), T);
  EXPECT_NEAR(r.residuals.back(), 1.0, 1e-12);
}

TEST(BenchCase, SolveResultsSurviveTheirJsonForm) {
  Gnp::SolveResult r;
  r.residuals = {1.0, 0.5, std::nan("")};
  r.times = {0.0, 0.1, 0.2};
  r.iterations = 2;
  r.failed = true;
  r.failure = "NaN";
  const auto back = Gnp::Bench::solveResultFromJson(json::parse(Gnp::Bench::toJson(r).dump()));
  EXPECT_EQ(back.iterations, 2);
  EXPECT_TRUE(back.failed);
  EXPECT_DOUBLE_EQ(back.residuals[1], 0.5);
  EXPECT_TRUE(std::isnan(back.residuals[2]));
}

namespace {

// GNP and None on one matrix for one right-hand side, with GNP's diagnostics.
std::vector<json> gnpAndNone(const std::string& rhs, std::vector<double> gnpResiduals, double deviation) {
  std::vector<json> cases{caseDoc("GNP", 1.0), caseDoc("None", 0.0)};
  for (auto& c : cases) c["rhs"] = rhs;
  std::vector<double> times(gnpResiduals.size());
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = 0.1 * i;
  cases[0]["iteration"] = cases[0]["time"] = solveRecord(gnpResiduals, times);
  cases[0]["diagnostics"] = {{"output_deviation", deviation}, {"first_iteration_residual", gnpResiduals[1]}};
  cases[1]["iteration"] = cases[1]["time"] = solveRecord({1.0, 0.9, 0.8, 0.7}, {0.0, 0.1, 0.2, 0.3});
  Gnp::Bench::addMetrics(cases, 3);
  return cases;
}

} // namespace

TEST(BenchReport, FlagsAOnesWinThatIsTheConstantOutputArtifactAndShowsBothRightHandSides) {
  // One iteration to 1e-5 on b = Â·1, nothing on b = Â·x: the artifact.
  auto cases = gnpAndNone("ones", {1.0, 1e-5, 1e-6, 1e-7}, 3e-3);
  const auto other = gnpAndNone("random solution", {1.0, 0.95, 0.9, 0.85}, 3e-3);
  cases.insert(cases.end(), other.begin(), other.end());
  Gnp::Bench::flagConstantOutputArtifacts(cases);
  EXPECT_TRUE(cases[0]["metrics"]["constant_output_artifact"].get<bool>());
  EXPECT_FALSE(cases[2]["metrics"].contains("constant_output_artifact")); // only b = Â·1 is flagged
  const std::string report = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(report.find("## Right-hand sides side by side"), std::string::npos) << report;
  // GNP best on ones, not on random solution (None is, there).
  EXPECT_NE(report.find("| GNP | 1 / 0 |"), std::string::npos) << report;
  EXPECT_NE(report.find("| None | 0 / 1 |"), std::string::npos) << report;
  EXPECT_NE(report.find("| ones | 1 | 1 (100%) |"), std::string::npos) << report;
  EXPECT_NE(report.find("| random solution | 1 | 0 (0%) |"), std::string::npos) << report;
  EXPECT_NE(report.find(" ⚠ |"), std::string::npos) << report;
  const std::string csv = Gnp::Bench::summaryCsv(cases);
  EXPECT_NE(csv.find("m,ones,10,30,GNP,GNP,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0.003,1e-05,yes,"), std::string::npos) << csv;
}

TEST(BenchReport, AGnpThatWorksOnBothRightHandSidesIsNotFlagged) {
  auto cases = gnpAndNone("ones", {1.0, 1e-2, 1e-5, 1e-9}, 0.4);
  const auto other = gnpAndNone("random solution", {1.0, 2e-2, 1e-5, 1e-9}, 0.9);
  cases.insert(cases.end(), other.begin(), other.end());
  Gnp::Bench::flagConstantOutputArtifacts(cases);
  EXPECT_FALSE(cases[0]["metrics"]["constant_output_artifact"].get<bool>());
  EXPECT_EQ(Gnp::Bench::markdownReport(cases, "# test", "").find(" ⚠ |"), std::string::npos);
}

// Matrix "hard": ILUT stalls and MueLu cannot be built, GNP converges; matrix
// "easy": ILUT converges. Only "hard" is in the section, and GNP is its winner.
TEST(BenchReport, ReportsTheMatricesWhereIlutAndMueLuBothFailOnTheirOwn) {
  std::vector<json> cases;
  for (const std::string matrix : {"hard", "easy"}) {
    std::vector<json> m{caseDoc("GNP", 1.0), caseDoc("ILUT", 0.1), caseDoc("MueLu", 0.1, matrix == "hard")};
    for (auto& c : m) c["matrix"] = matrix;
    m[0]["iteration"] = m[0]["time"] = solveRecord({1.0, 1e-3, 1e-9}, {0.0, 0.5, 1.0});
    m[1]["iteration"] = m[1]["time"] = matrix == "hard" ? solveRecord({1.0, 0.5, 0.4, 0.3}, {0.0, 0.1, 0.2, 0.3})
                                                        : solveRecord({1.0, 1e-9}, {0.0, 0.1});
    if (matrix == "easy") m[2]["iteration"] = m[2]["time"] = solveRecord({1.0, 1e-9}, {0.0, 0.1});
    cases.insert(cases.end(), m.begin(), m.end());
  }
  Gnp::Bench::addMetrics(cases, 3);
  const std::string report = Gnp::Bench::markdownReport(cases, "# test", "");
  EXPECT_NE(report.find("## The hard matrices"), std::string::npos) << report;
  EXPECT_NE(report.find("1 of 2 matrices, where neither ILUT nor MueLu"), std::string::npos) << report;
  EXPECT_NE(report.find("| hard | 10 | **1.0e-09** | 3.0e-01 | – |"), std::string::npos) << report;
  EXPECT_EQ(report.find("| easy | 10 | **"), std::string::npos) << report;
  EXPECT_NE(report.find("| GNP | 1 | 1.0e-09 | 1 | 1 |"), std::string::npos) << report;
  EXPECT_NE(report.find("| ILUT | 0 | 3.0e-01 | 0 | 0 |"), std::string::npos) << report;
}
