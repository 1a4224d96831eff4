// Saving and loading a trained GNP (Gnp::ModelFile).
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace GnpTest;
using Preconditioner = Gnp::Preconditioner<SC, LO, GO, NO>;

namespace {

Teuchos::RCP<Preconditioner> trained(const Teuchos::RCP<crs_type>& A) {
  auto M = Teuchos::rcp(new Preconditioner(A));
  Teuchos::ParameterList p;
  p.set("gnp: training steps", 5);
  p.set("gnp: print frequency", 0);
  M->setParameters(p);
  M->compute();
  return M;
}

std::string savedModel(const Preconditioner& M, const std::string& name) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  M.save(path);
  return path;
}

// Rewrites the file on rank 0 (all ranks wait).
void edit(const std::string& path, const std::function<void(std::string&)>& change) {
  const auto comm = Tpetra::getDefaultComm();
  if (comm->getRank() == 0) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    change(bytes);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  comm->barrier();
}

std::string loadError(const Teuchos::RCP<crs_type>& A, const std::string& path) {
  Preconditioner M(A);
  try {
    M.load(path);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(ModelFile, ALoadedModelAppliesExactlyLikeTheSavedOne) {
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  const auto M = trained(A);
  Preconditioner loaded(A);
  loaded.load(savedModel(*M, "gnp_model_roundtrip.gnp"));
  EXPECT_TRUE(loaded.isComputed());
  EXPECT_DOUBLE_EQ(loaded.getScaling(), M->getScaling());
  EXPECT_EQ(loaded.getTrainingReport().stepsRun, 5);
  mv_type x(A->getDomainMap(), 2), y1(A->getRangeMap(), 2), y2(A->getRangeMap(), 2);
  x.randomize();
  M->apply(x, y1);
  loaded.apply(x, y2);
  y2.update(-1.0, y1, 1.0);
  std::vector<double> diff(2);
  y2.normInf(diff);
  EXPECT_EQ(diff[0], 0.0);
  EXPECT_EQ(diff[1], 0.0);
}

TEST(ModelFile, TruncatedCorruptNewerAndMisfittingFilesAreClearErrors) {
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  const auto path = savedModel(*trained(A), "gnp_model_errors.gnp");
  const auto copy = path + ".copy";
  auto fresh = [&] {
    if (A->getComm()->getRank() == 0) std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
    A->getComm()->barrier();
  };
  fresh();
  edit(copy, [](std::string& b) { b.resize(b.size() / 2); });
  EXPECT_NE(loadError(A, copy).find("truncated"), std::string::npos) << loadError(A, copy);
  fresh();
  edit(copy, [](std::string& b) { b[b.size() / 2] ^= 0x5a; });
  EXPECT_NE(loadError(A, copy).find("checksum"), std::string::npos) << loadError(A, copy);
  fresh();
  edit(copy, [](std::string& b) { b[8] = 99; }); // format version 99
  EXPECT_NE(loadError(A, copy).find("newer"), std::string::npos) << loadError(A, copy);
  edit(copy, [](std::string& b) { b = "not a model"; });
  EXPECT_NE(loadError(A, copy).find("not a GNP model"), std::string::npos) << loadError(A, copy);
  EXPECT_NE(loadError(A, "/no/such/model.gnp").find("cannot open"), std::string::npos);
  const auto other = convectionDiffusion(9, Tpetra::getDefaultComm());
  EXPECT_NE(loadError(other, path).find("trained for a matrix with 64 rows"), std::string::npos)
      << loadError(other, path);
}

TEST(ModelFile, WarmStartReachesTheColdStartsBestLossInFewerSteps) {
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  auto run = [&](int steps, const std::string& initial) {
    auto M = Teuchos::rcp(new Preconditioner(A));
    Teuchos::ParameterList p;
    p.set("gnp: training steps", steps);
    p.set("gnp: print frequency", 0);
    p.set("gnp: seed", 1);
    p.set("gnp: batch size", 16); // the paper's: a smoother loss than the default's 4
    p.set("gnp: krylov samples", 8);
    p.set("gnp: base preconditioner", "none"); // the network alone: no ILUT step 0 to keep
    p.set("gnp: initial model", initial);
    M->setParameters(p);
    M->compute();
    return M;
  };
  const auto path = savedModel(*run(20, ""), "gnp_model_warm.gnp");
  const auto cold = run(20, "")->getLossHistory();
  const auto warm = run(20, path)->getLossHistory();
  const double target = *std::min_element(cold.begin(), cold.end());
  auto stepsTo = [&](const std::vector<double>& losses) {
    double best = INFINITY;
    for (std::size_t i = 0; i < losses.size(); ++i)
      if ((best = std::min(best, losses[i])) <= target) return static_cast<int>(i) + 1;
    return 1 << 30;
  };
  EXPECT_LT(stepsTo(warm), stepsTo(cold));
  EXPECT_LT(warm.front(), cold.front());
}
