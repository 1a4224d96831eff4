// Bad input gets a clear exception whose message names the problem.
#include "Gnp_Factory.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace GnpTest;
using Prec = Gnp::Preconditioner<SC, LO, GO, NO>;

namespace {

CommPtr world() { return Tpetra::getDefaultComm(); }

// Runs f, which must throw E, and returns the message.
template <class E, class F>
std::string messageOf(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG EXCEPTION TYPE: ") + e.what();
  }
  return "NO EXCEPTION";
}

#define EXPECT_MENTIONS(message, text) EXPECT_NE((message).find(text), std::string::npos) << "message: " << (message)

std::string readError(const std::string& name, const std::string& text) {
  const auto path = writeTempFile(name, text, world());
  return messageOf<std::invalid_argument>([&] { Gnp::readMatrixMarket<SC, LO, GO, NO>(path, world()); });
}

Teuchos::RCP<crs_type> matrixWithRowValue(int n, GO badRow, double value) {
  auto map = Teuchos::rcp(new map_type(static_cast<GO>(n), 0, world()));
  auto A = Teuchos::rcp(new crs_type(map, 1));
  for (LO lid = 0; lid < static_cast<LO>(map->getNodeNumElements()); ++lid) {
    const GO row = map->getGlobalElement(lid);
    A->insertGlobalValues(row, Teuchos::tuple<GO>(row), Teuchos::tuple<SC>(row == badRow ? value : 2.0));
  }
  A->fillComplete();
  return A;
}

} // namespace

TEST(MatrixMarket, MissingFileNamesThePath) {
  const auto msg =
      messageOf<std::invalid_argument>([] { Gnp::readMatrixMarket<SC, LO, GO, NO>("/no/such/matrix.mtx", world()); });
  EXPECT_MENTIONS(msg, "/no/such/matrix.mtx");
  EXPECT_MENTIONS(msg, "no such file");
}

TEST(MatrixMarket, MalformedFileIsRejectedWithTheFileName) {
  const auto msg = readError("malformed.mtx", "this is not a MatrixMarket file\n1 2 3\n");
  EXPECT_MENTIONS(msg, "malformed.mtx");
  EXPECT_MENTIONS(msg, "cannot read");
}

TEST(MatrixMarket, NonSquareMatrixIsRejected) {
  const auto msg =
      readError("nonsquare.mtx", "%%MatrixMarket matrix coordinate real general\n3 2 3\n1 1 1.0\n2 2 1.0\n3 1 1.0\n");
  EXPECT_MENTIONS(msg, "not square");
  EXPECT_MENTIONS(msg, "3 x 2");
}

TEST(MatrixMarket, ZeroRowIsRejectedNamingTheRow) {
  const auto msg =
      readError("zerorow.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1.0\n3 3 1.0\n2 1 0.0\n");
  EXPECT_MENTIONS(msg, "zero row");
  EXPECT_MENTIONS(msg, "row 2");
}

TEST(MatrixMarket, EmptyMatrixIsRejected) {
  const auto msg = readError("empty.mtx", "%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  EXPECT_TRUE(msg.find("empty") != std::string::npos || msg.find("cannot read") != std::string::npos) << msg;
}

TEST(MatrixMarket, APatternFileIsReadWithEveryEntryOne) {
  const auto path = writeTempFile(
      "pattern.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 4\n1 1\n2 2\n3 3\n3 1\n", world());
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(path, world());
  EXPECT_EQ(A->getGlobalNumEntries(), 5u); // (3, 1) stands for (1, 3) too
  EXPECT_DOUBLE_EQ(A->getFrobeniusNorm(), std::sqrt(5.0));
}

TEST(MatrixMarket, ADeviceIsRefusedBeforeItIsRead) {
  const auto msg =
      messageOf<std::invalid_argument>([] { Gnp::readMatrixMarket<SC, LO, GO, NO>("/dev/zero", world()); });
  EXPECT_MENTIONS(msg, "'/dev/zero': it is not a regular file");
}

TEST(CheckMatrix, NanAndInfEntriesAreRejectedNamingTheRow) {
  const GO bad = 5;
  for (double v : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    auto A = matrixWithRowValue(8, bad, v);
    const auto msg = messageOf<std::invalid_argument>([&] { Gnp::checkMatrix(*A); });
    EXPECT_MENTIONS(msg, "NaN or Inf");
    EXPECT_MENTIONS(msg, "row 6");
  }
}

TEST(CheckMatrix, ZeroColumnIsRejectedNamingTheColumnOnAnyNumberOfRanks) {
  // Row 4 holds its entry in column 3, so column 5 (1-based) is empty.
  auto map = Teuchos::rcp(new map_type(static_cast<GO>(8), 0, world()));
  auto A = Teuchos::rcp(new crs_type(map, 1));
  for (LO lid = 0; lid < static_cast<LO>(map->getNodeNumElements()); ++lid) {
    const GO row = map->getGlobalElement(lid);
    A->insertGlobalValues(row, Teuchos::tuple<GO>(row == 4 ? 3 : row), Teuchos::tuple<SC>(2.0));
  }
  A->fillComplete();
  const auto msg = messageOf<std::invalid_argument>([&] { Gnp::checkMatrix(*A); });
  EXPECT_MENTIONS(msg, "zero column: column 5");
}

TEST(CheckMatrix, GnpRejectsAMatrixWithAZeroRowAtInitialize) {
  auto A = matrixWithRowValue(8, 3, 0.0);
  Prec prec(A);
  const auto msg = messageOf<std::invalid_argument>([&] { prec.initialize(); });
  EXPECT_MENTIONS(msg, "zero row");
}

TEST(Factory, UnknownPreconditionerTypeIsAnError) {
  auto A = convectionDiffusion(4, world());
  const auto msg = messageOf<std::invalid_argument>(
      [&] { Gnp::Factory<SC, LO, GO, NO>::create("SuperLU-magic", A, Teuchos::ParameterList()); });
  EXPECT_MENTIONS(msg, "unknown preconditioner type \"SuperLU-magic\"");
}

TEST(Parameters, AnUnknownNameIsTeuchosInvalidParameterNameWithTheNearestValidName) {
  Prec prec(convectionDiffusion(4, world()));
  Teuchos::ParameterList p;
  p.set("gnp: layerz", 4);
  const auto msg = messageOf<Teuchos::Exceptions::InvalidParameterName>([&] { prec.setParameters(p); });
  EXPECT_MENTIONS(msg, "\"gnp: layerz\" is not a GNP parameter; did you mean \"gnp: layers\"?");
  EXPECT_EQ(msg.find("Throw number"), std::string::npos) << msg;
}

TEST(Parameters, OutOfRangeValuesAreTeuchosInvalidParameterValueNamingTheRange) {
  Prec prec(convectionDiffusion(4, world()));
  const std::vector<std::pair<std::string, double>> bad{
      {"gnp: learning rate", -1.0},
      {"gnp: learning rate", 0.0},
      {"gnp: learning rate", std::numeric_limits<double>::quiet_NaN()},
      {"gnp: max training time", -5.0},
      {"gnp: max training time", INFINITY}};
  for (const auto& [name, value] : bad) {
    Teuchos::ParameterList p;
    p.set(name, value);
    const auto msg = messageOf<Teuchos::Exceptions::InvalidParameterValue>([&] { prec.setParameters(p); });
    EXPECT_MENTIONS(msg, "GNP parameter \"" + name + "\"");
    EXPECT_MENTIONS(msg, "is out of range: it must be");
  }
  for (const std::string name : {"gnp: training steps", "gnp: layers", "gnp: batch size"}) {
    Teuchos::ParameterList p;
    p.set(name, -3);
    const auto msg = messageOf<Teuchos::Exceptions::InvalidParameterValue>([&] { prec.setParameters(p); });
    EXPECT_MENTIONS(msg, "GNP parameter \"" + name + "\" = -3 is out of range: it must be in [");
  }
  Teuchos::ParameterList tooManyKrylov;
  tooManyKrylov.set("gnp: batch size", 4);
  tooManyKrylov.set("gnp: krylov samples", 5);
  EXPECT_MENTIONS(messageOf<Teuchos::Exceptions::InvalidParameterValue>([&] { prec.setParameters(tooManyKrylov); }),
                  "\"gnp: krylov samples\" = 5 is out of range: it must be in [0, 4]");
}

TEST(Parameters, AMisspelledChoiceIsTeuchosInvalidParameterValueListingTheChoices) {
  Prec prec(convectionDiffusion(4, world()));
  Teuchos::ParameterList p;
  p.set("gnp: base preconditioner", "ILUT");
  EXPECT_MENTIONS(messageOf<Teuchos::Exceptions::InvalidParameterValue>([&] { prec.setParameters(p); }),
                  "\"gnp: base preconditioner\" = \"ILUT\" is not valid: it must be one of \"none\", "
                  "\"jacobi\", \"ilut\", \"auto\"");
}

TEST(Parameters, AWronglyTypedValueIsTeuchosInvalidParameterTypeNamingTheType) {
  Prec prec(convectionDiffusion(4, world()));
  Teuchos::ParameterList wrongType;
  wrongType.set("gnp: training steps", "12");
  EXPECT_MENTIONS(messageOf<Teuchos::Exceptions::InvalidParameterType>([&] { prec.setParameters(wrongType); }),
                  "GNP parameter \"gnp: training steps\" must be of type int (type=\"int\" in XML)");
  Teuchos::ParameterList intForDouble;
  intForDouble.set("gnp: learning rate", 1);
  EXPECT_MENTIONS(messageOf<Teuchos::Exceptions::InvalidParameterType>([&] { prec.setParameters(intForDouble); }),
                  "\"gnp: learning rate\" must be of type double");
}

TEST(Parameters, ARejectedListLeavesTheSettingsAsTheyWere) {
  Prec prec(convectionDiffusion(4, world()));
  Teuchos::ParameterList good;
  good.set("gnp: training steps", 17);
  prec.setParameters(good);
  Teuchos::ParameterList bad;
  bad.set("gnp: layers", 3);
  bad.set("gnp: learning rate", -1.0);
  EXPECT_THROW(prec.setParameters(bad), Teuchos::Exceptions::InvalidParameter);
  EXPECT_EQ(prec.getOptions().steps, 17);
  EXPECT_EQ(prec.getOptions().layers, Gnp::Options().layers);
}

TEST(Parameters, EveryValidNumberOrChoiceCarriesATeuchosValidator) {
  const auto valid = Prec::getValidParameters();
  for (auto it = valid->begin(); it != valid->end(); ++it) {
    if (valid->name(it) == "gnp: initial model" || valid->name(it) == "gnp: save model") continue; // any path
    EXPECT_FALSE(valid->entry(it).validator().is_null()) << valid->name(it);
    EXPECT_NO_THROW(valid->entry(it).validator()->validate(valid->entry(it), valid->name(it), "GNP"))
        << valid->name(it) << ": its default is outside its own range";
  }
}

TEST(Parameters, EveryValidParameterHasADocString) {
  const auto valid = Prec::getValidParameters();
  EXPECT_GE(valid->numParams(), 12);
  for (auto it = valid->begin(); it != valid->end(); ++it) {
    EXPECT_EQ(valid->name(it).rfind("gnp: ", 0), 0u) << valid->name(it);
    EXPECT_FALSE(valid->entry(it).docString().empty()) << valid->name(it);
  }
}

TEST(Apply, BeforeComputeIsAnError) {
  auto A = convectionDiffusion(4, world());
  Prec prec(A);
  mv_type x(A->getDomainMap(), 1), y(A->getDomainMap(), 1);
  const auto msg = messageOf<std::runtime_error>([&] { prec.apply(x, y); });
  EXPECT_MENTIONS(msg, "not computed");
}

TEST(Apply, MultivectorsOnAnotherMapOrWithOtherColumnCountsAreErrors) {
  auto A = convectionDiffusion(4, world());
  Prec prec(A);
  Teuchos::ParameterList p;
  p.set("gnp: training steps", 1);
  p.set("gnp: print frequency", 0);
  prec.setParameters(p);
  prec.compute();
  auto otherMap = Teuchos::rcp(new map_type(17, 0, world()));
  mv_type wrong(otherMap, 1), x(A->getDomainMap(), 1), y2(A->getDomainMap(), 2), y(A->getDomainMap(), 1);
  EXPECT_MENTIONS(messageOf<std::invalid_argument>([&] { prec.apply(wrong, y); }), "map");
  EXPECT_MENTIONS(messageOf<std::invalid_argument>([&] { prec.apply(x, y2); }), "columns");
  EXPECT_MENTIONS(messageOf<std::invalid_argument>([&] { prec.apply(x, y, Teuchos::TRANS); }), "transpose");
}
