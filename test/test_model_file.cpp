// Saving and loading a trained GNP (Gnp::ModelFile).
#include "Gnp_Factory.hpp"
#include "Gnp_Fnv1a.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_ModelFile.hpp"
#include "Gnp_OptionTable.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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
  p.set("gnp: base converged tolerance", 0.0); // train: the default base and coarse space solve this matrix
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
    if (A->getComm()->getRank() == 0)
      std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
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
  EXPECT_NE(loadError(A, "/no/such/model.gnp").find("cannot read GNP model file '/no/such/model.gnp': no such file"),
            std::string::npos);
  EXPECT_NE(loadError(A, "/dev/zero").find("'/dev/zero': it is not a regular file"), std::string::npos);
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
    p.set("gnp: base preconditioner", "none"); // the network alone: no base or coarse space to keep
    p.set("gnp: coarse space", "none");
    p.set("gnp: initial model", initial);
    M->setParameters(p);
    M->compute();
    return M;
  };
  const auto path = savedModel(*run(20, ""), "gnp_model_warm.gnp");
  const auto cold = run(20, "")->getLossHistory();
  const auto warm = run(20, path)->getLossHistory();
  ASSERT_EQ(cold.size(), 20u);
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

// test/data/sherman1_format4.gnp was saved by GNP 0.1.0 before the options
// became name = value text (format 4), with every setting off its default.
TEST(ModelFile, AFormatFourFileLoadsWithEverySettingAndAppliesAsItDid) {
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(GNP_TEST_DATA "/sherman1.mtx", Tpetra::getDefaultComm());
  Preconditioner M(A);
  M.load(GNP_TEST_DATA "/sherman1_format4.gnp");
  const Gnp::Options& o = M.getOptions();
  EXPECT_EQ(o.layers, 2);
  EXPECT_EQ(o.embedding, 4);
  EXPECT_EQ(o.hidden, 8);
  EXPECT_EQ(o.mlpLayers, 2);
  EXPECT_EQ(o.steps, 7);
  EXPECT_EQ(o.maxSeconds, 100.0);
  EXPECT_EQ(o.learningRate, 0.002);
  EXPECT_EQ(o.batchSize, 3);
  EXPECT_EQ(o.krylovSamples, 1);
  EXPECT_EQ(o.arnoldiSteps, 5);
  EXPECT_EQ(o.seed, 3u);
  EXPECT_EQ(o.printEvery, 0);
  EXPECT_EQ(o.loss, Gnp::Loss::RelativeL1);
  EXPECT_EQ(o.schedule, Gnp::Schedule::Cosine);
  EXPECT_EQ(o.warmupSteps, 2);
  EXPECT_EQ(o.selection, Gnp::Selection::ValidationLoss);
  EXPECT_EQ(o.validationEvery, 3);
  EXPECT_EQ(o.validationIterations, 4);
  EXPECT_EQ(M.getBase(), Gnp::Base::Jacobi);
  EXPECT_EQ(o.composition, Gnp::Composition::Additive);

  // x_i = sin(i + 1) by global row, so the same vector on any number of ranks.
  mv_type x(A->getDomainMap(), 1), y(A->getRangeMap(), 1);
  {
    auto xv = x.getLocalViewHost(Tpetra::Access::OverwriteAll);
    for (LO i = 0; i < static_cast<LO>(xv.extent(0)); ++i)
      xv(i, 0) = std::sin(static_cast<double>(A->getDomainMap()->getGlobalElement(i) + 1));
  }
  M.apply(x, y);
  // The norms the format-4 build computed for this apply (1 and 2 ranks agree to 1e-15).
  std::vector<double> norms(1);
  y.norm1(norms);
  EXPECT_NEAR(norms[0], 7554.4512826982027, 1e-12 * 7554.45);
  y.norm2(norms);
  EXPECT_NEAR(norms[0], 745.8274566433596, 1e-12 * 745.83);
}

TEST(ModelFile, AModelRecordsItsSettingsByNameAndLoadsThemBackExactly) {
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(GNP_TEST_DATA "/sherman1.mtx", Tpetra::getDefaultComm());
  Preconditioner old(A);
  old.load(GNP_TEST_DATA "/sherman1_format4.gnp");
  const auto path = savedModel(old, "gnp_model_by_name.gnp");
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes[8], 6); // the format version
  EXPECT_NE(bytes.find("gnp: base composition"), std::string::npos);
  EXPECT_NE(bytes.find("relative l1"), std::string::npos);
  EXPECT_EQ(bytes.find("gnp: initial model"), std::string::npos); // a path means nothing elsewhere

  Preconditioner loaded(A);
  loaded.load(path);
  EXPECT_EQ(Gnp::OptionTable::toText(loaded.getOptions()), Gnp::OptionTable::toText(old.getOptions()));
  mv_type x(A->getDomainMap(), 1), y1(A->getRangeMap(), 1), y2(A->getRangeMap(), 1);
  x.putScalar(1.0);
  old.apply(x, y1);
  loaded.apply(x, y2);
  y2.update(-1.0, y1, 1.0);
  EXPECT_EQ(y2.getVector(0)->normInf(), 0.0);
}

namespace {

// The file's FNV-1a hash of its payload (after the 20 header bytes), rewritten
// after an edit, so that the edit reaches the settings' check.
void rehash(std::string& bytes) {
  Gnp::Fnv1a h;
  h.add(bytes.data() + 20, bytes.size() - 28);
  const std::uint64_t value = h.value();
  std::memcpy(bytes.data() + bytes.size() - 8, &value, 8);
}

std::string decodeError(const std::string& bytes, const std::string& source) {
  try {
    Gnp::ModelFile::decode(bytes, source);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "NO ERROR";
}

} // namespace

TEST(ModelFile, AFileWrittenBeforeADefaultChangedKeepsTheValueItWasTrainedWith) {
  Gnp::ModelFile m;
  m.rows = 64;
  m.options.coarse = Gnp::Coarse::First;
  std::string bytes = m.encode();
  // Drop the settings whose default changed, as a GNP before them wrote no such
  // entries: name and value, each a 4-byte length and its text.
  std::uint32_t count;
  std::memcpy(&count, bytes.data() + 20 + 24, 4);
  for (const std::string name : {"gnp: coarse space", "gnp: base candidates"}) {
    const auto at = bytes.find(name) - 4;
    std::uint32_t valueLength;
    std::memcpy(&valueLength, bytes.data() + at + 4 + name.size(), 4);
    bytes.erase(at, 4 + name.size() + 4 + valueLength);
    --count;
  }
  std::memcpy(bytes.data() + 20 + 24, &count, 4);
  const std::uint64_t length = bytes.size() - 28;
  std::memcpy(bytes.data() + 12, &length, 8);
  rehash(bytes);
  Gnp::Options before; // the defaults of then
  before.coarse = Gnp::Coarse::None;
  before.baseCandidates = {Gnp::Base::None, Gnp::Base::Ilut};
  const Gnp::Options o = Gnp::ModelFile::decode(bytes, "older.gnp").options;
  EXPECT_EQ(o.coarse, Gnp::Coarse::None);
  EXPECT_EQ(Gnp::OptionTable::toText(o), Gnp::OptionTable::toText(before));
}

TEST(ModelFile, ASettingThisBuildDoesNotKnowIsAClearError) {
  Gnp::ModelFile m;
  m.rows = 64;
  std::string bytes = m.encode();
  // A file from a later GNP, with a setting this one lacks.
  const auto at = bytes.find("gnp: warmup steps");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 17, "gnp: warmup stepz");
  rehash(bytes);
  try {
    Gnp::ModelFile::decode(bytes, "later.gnp");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("GNP model file 'later.gnp' holds settings this build of GNP does not "
                                         "accept (\"gnp: warmup stepz\" is not a GNP parameter"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelFile, NanOrHugeWeightsBehindAValidChecksumAreADamagedFileNotATrainingProblem) {
  Gnp::ModelFile m;
  m.rows = 4;
  m.tensors = {{"layers.0.W.weight", {2}, {1.0f, std::nanf("")}}};
  EXPECT_NE(decodeError(m.encode(), "nan.gnp")
                .find("GNP model file 'nan.gnp' holds NaN or Inf in tensor "
                      "'layers.0.W.weight'"),
            std::string::npos)
      << decodeError(m.encode(), "nan.gnp");
  m.tensors[0].values[1] = 1e20f;
  EXPECT_NE(decodeError(m.encode(), "huge.gnp").find("holds a weight of"), std::string::npos)
      << decodeError(m.encode(), "huge.gnp");
}

TEST(ModelFile, ARecordThatRunsPastTheEndNamesTheFileOnce) {
  Gnp::ModelFile m;
  m.rows = 4;
  m.tensors = {{"w", {2}, {1.0f, 2.0f}}};
  std::string bytes = m.encode();
  // Drop the last value (4 bytes before the hash), fix the length and the hash.
  bytes.erase(bytes.size() - 12, 4);
  std::uint64_t length;
  std::memcpy(&length, bytes.data() + 12, 8);
  length -= 4;
  std::memcpy(bytes.data() + 12, &length, 8);
  rehash(bytes);
  const std::string error = decodeError(bytes, "short.gnp");
  EXPECT_NE(error.find("GNP model file 'short.gnp' is corrupt: a record runs past the end"), std::string::npos)
      << error;
  EXPECT_EQ(error.find("GNP model file 'GNP model file"), std::string::npos) << error;
}

TEST(ModelFile, AWarmStartKeepsTheBaseTheModelWasTrainedWith) {
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  auto M = Teuchos::rcp(new Preconditioner(A));
  Teuchos::ParameterList p;
  p.set("gnp: training steps", 3);
  p.set("gnp: print frequency", 0);
  p.set("gnp: base preconditioner", "none");
  M->setParameters(p);
  M->compute();
  const auto path = savedModel(*M, "gnp_model_base_none.gnp");
  // Another base: the network was trained as a correction to none, so it is refused before any training.
  Preconditioner other(A);
  p.set("gnp: initial model", path);
  p.set("gnp: base preconditioner", "jacobi");
  other.setParameters(p);
  try {
    other.initialize();
    FAIL() << "no error";
  } catch (const Teuchos::Exceptions::InvalidParameterValue& e) {
    EXPECT_NE(std::string(e.what()).find("was trained with gnp: base preconditioner \"none\", this run asks for "
                                         "\"jacobi\""),
              std::string::npos)
        << e.what();
  }
  // "auto" takes the model's base.
  Preconditioner automatic(A);
  p.set("gnp: base preconditioner", "auto");
  automatic.setParameters(p);
  automatic.initialize();
  EXPECT_EQ(automatic.getBase(), Gnp::Base::None);
}

TEST(ModelFile, AnInitialModelThatCannotServeIsAnInvalidParameterBeforeAnyTraining) {
  using Factory = Gnp::Factory<SC, LO, GO, NO>;
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  const auto path = savedModel(*trained(A), "gnp_model_validate.gnp");
  Teuchos::ParameterList p;
  p.set("gnp: initial model", path);
  EXPECT_NO_THROW(Factory::validate("GNP", p));
  p.set("gnp: hidden dimension", 8); // another architecture
  try {
    Factory::validate("GNP", p);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit this network"), std::string::npos) << e.what();
  }
  p.remove("gnp: hidden dimension");
  p.set("gnp: initial model", "/dev/zero");
  try {
    Factory::validate("GNP", p);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'/dev/zero': it is not a regular file"), std::string::npos) << e.what();
  }
}
