#include "Gnp_Factory.hpp"

#include "Gnp_AutoPreconditioner.hpp"

#include "Gnp_Errors.hpp"
#include "Gnp_InnerGmres.hpp"
#include "Gnp_ModelFile.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Ifpack2_Factory.hpp>
#include <Ifpack2_Parameters.hpp>
#include <MueLu_CreateTpetraPreconditioner.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace Gnp {
namespace {

// A missing, damaged or unfitting model file is an invalid value of "gnp:
// initial model", found before any training (its row count is checked when the
// matrix is known, at initialize()).
void requireUsableInitialModel(const Options& o) {
  if (o.initialModel.empty()) return;
  try {
    requireReadableFile(o.initialModel, "\"gnp: initial model\" file");
    ModelFile::decode(ModelFile::read(o.initialModel), o.initialModel).requireFits(o, o.initialModel);
  } catch (const std::invalid_argument& e) {
    throw Teuchos::Exceptions::InvalidParameterValue(e.what());
  }
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

} // namespace

template <class SC, class LO, class GO, class NO>
const std::vector<std::string>& Factory<SC, LO, GO, NO>::types() {
  static const std::vector<std::string> names{"GNP", "ILUT", "RELAXATION", "MueLu", "GMRES", "None", "Auto"};
  return names;
}

template <class SC, class LO, class GO, class NO>
std::string Factory<SC, LO, GO, NO>::canonicalType(const std::string& type) {
  for (const auto& name : types())
    if (upper(name) == upper(type)) return name;
  std::string valid;
  for (const auto& name : types()) valid += (valid.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown preconditioner type \"" + type + "\"; valid types (case-insensitive): " + valid);
}

template <class SC, class LO, class GO, class NO>
void Factory<SC, LO, GO, NO>::validate(const std::string& type, const Teuchos::ParameterList& params) {
  const std::string canonical = canonicalType(type);
  try {
    if (canonical == "GNP") {
      requireUsableInitialModel(Preconditioner<SC, LO, GO, NO>::validateParameters(params));
    } else if (canonical == "ILUT" || canonical == "RELAXATION") {
      Teuchos::ParameterList valid;
      Ifpack2::getValidParameters(valid);
      Teuchos::ParameterList(params).validateParameters(valid);
    } else if (canonical == "GMRES") {
      InnerGmres<SC, LO, GO, NO>(Teuchos::null, params);
    } else if (canonical == "Auto") {
      AutoPreconditioner<SC, LO, GO, NO>::validateParameters(params);
    } else if (canonical == "None" && params.numParams() != 0) {
      throw std::invalid_argument("\"None\" takes no parameters, but the list has " +
                                  std::to_string(params.numParams()));
    } // MueLu validates its own list when it builds (see create)
  } catch (const std::exception& e) {
    throw std::invalid_argument("invalid parameters for preconditioner \"" + canonical +
                                "\": " + withoutSourceLocation(e.what()));
  }
}

template <class SC, class LO, class GO, class NO>
typename Factory<SC, LO, GO, NO>::Built Factory<SC, LO, GO, NO>::create(const std::string& type,
                                                                        const Teuchos::RCP<const crs_matrix_type>& A,
                                                                        const Teuchos::ParameterList& params) {
  Built built;
  built.type = canonicalType(type);
  if (built.type != "GNP" && built.type != "Auto") validate(built.type, params); // these validate their own lists
  const auto start = std::chrono::steady_clock::now();
  try {
    if (built.type == "GNP") {
      built.gnp = Teuchos::rcp(new Preconditioner<SC, LO, GO, NO>(A));
      built.gnp->setParameters(params);
      built.gnp->initialize();
      built.gnp->compute();
      built.op = built.gnp;
    } else if (built.type == "ILUT" || built.type == "RELAXATION") {
      Teuchos::ParameterList p(params);
      if (built.type == "RELAXATION" && !p.isParameter("relaxation: type")) p.set("relaxation: type", "Jacobi");
      auto prec = Ifpack2::Factory::create<Tpetra::RowMatrix<SC, LO, GO, NO>>(built.type, A);
      prec->setParameters(p);
      prec->initialize();
      prec->compute();
      built.op = prec;
    } else if (built.type == "MueLu") {
      Teuchos::ParameterList p(params);
      if (!p.isParameter("verbosity")) p.set("verbosity", "none");
      auto op = Teuchos::rcp_const_cast<operator_type>(Teuchos::rcp_implicit_cast<const operator_type>(A));
      built.op = MueLu::CreateTpetraPreconditioner<SC, LO, GO, NO>(op, p);
    } else if (built.type == "Auto") {
      built.automatic = Teuchos::rcp(new AutoPreconditioner<SC, LO, GO, NO>(A));
      built.automatic->setParameters(params);
      built.automatic->compute();
      built.gnp = built.automatic->getGnp();
      built.op = built.automatic;
    } else if (built.type == "GMRES") {
      built.op = Teuchos::rcp(new InnerGmres<SC, LO, GO, NO>(A, params));
    } // None: nothing to build
  } catch (const Teuchos::Exceptions::InvalidParameter& e) {
    throw std::invalid_argument("invalid parameters for preconditioner \"" + built.type +
                                "\": " + withoutSourceLocation(e.what()));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot build preconditioner \"" + built.type + "\": " + withoutSourceLocation(e.what()));
  }
  built.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return built;
}

GNP_INSTANTIATE_CLASS(Factory)

} // namespace Gnp
