#include "Gnp_Factory.hpp"

#include "Gnp_InnerGmres.hpp"
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

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

} // namespace

template <class SC, class LO, class GO, class NO>
const std::vector<std::string>& Factory<SC, LO, GO, NO>::types() {
  static const std::vector<std::string> names{"GNP", "ILUT", "RELAXATION", "MueLu", "GMRES", "None"};
  return names;
}

template <class SC, class LO, class GO, class NO>
std::string Factory<SC, LO, GO, NO>::canonicalType(const std::string& type) {
  for (const auto& name : types())
    if (upper(name) == upper(type)) return name;
  std::string valid;
  for (const auto& name : types()) valid += (valid.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown preconditioner type \"" + type + "\"; valid types (case-insensitive): " +
                              valid);
}

template <class SC, class LO, class GO, class NO>
typename Factory<SC, LO, GO, NO>::Built Factory<SC, LO, GO, NO>::create(
    const std::string& type, const Teuchos::RCP<const crs_matrix_type>& A, const Teuchos::ParameterList& params) {
  Built built;
  built.type = canonicalType(type);
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
      Teuchos::ParameterList valid;
      Ifpack2::getValidParameters(valid);
      p.validateParameters(valid);
      if (built.type == "RELAXATION" && !p.isParameter("relaxation: type"))
        p.set("relaxation: type", "Jacobi");
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
    } else if (built.type == "GMRES") {
      built.op = Teuchos::rcp(new InnerGmres<SC, LO, GO, NO>(A, params));
    } else { // None
      if (params.numParams() != 0)
        throw std::invalid_argument("\"None\" takes no parameters, but the list has " +
                                    std::to_string(params.numParams()));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot build preconditioner \"" + built.type + "\": " + e.what());
  }
  built.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return built;
}

GNP_INSTANTIATE_CLASS(Factory)

} // namespace Gnp
