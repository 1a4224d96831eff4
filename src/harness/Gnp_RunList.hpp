#ifndef GNP_RUNLIST_HPP
#define GNP_RUNLIST_HPP

#include "Gnp_RightHandSide.hpp"

#include <Teuchos_ParameterList.hpp>

#include <string>
#include <vector>

namespace Gnp {

/// One preconditioner of a comparison, as gnp-solve and gnp-bench read it.
struct RunSpec {
  std::string name;                  ///< the sublist's name (or the type for a single run)
  std::string type;                  ///< canonical Factory type
  Teuchos::ParameterList precParams; ///< "Preconditioner Parameters"
  Teuchos::ParameterList belos;      ///< Belos parameters: protocol defaults, then the list's
};

/// The name of the comparison list's optional top-level parameter that says which
/// right-hand sides to solve: a comma-separated list of "ones", "random
/// solution" and "random" (see RightHandSide).
constexpr const char* kRightHandSideParameter = "Right-hand side";

/// Reads a comparison parameter list: either one run (a top-level "Preconditioner
/// Type", optional "Preconditioner Parameters" and "Belos") or sublists that
/// each name a "Preconditioner Type", plus an optional top-level "Belos" list
/// for all of them and an optional "Right-hand side". Anything else is
/// std::invalid_argument naming the entry.
std::vector<RunSpec> parseRunList(const Teuchos::ParameterList& top);

/// The right-hand sides a comparison list asks for (its "Right-hand side"), or
/// defaultRightHandSides() when it names none.
std::vector<RightHandSide> rightHandSides(const Teuchos::ParameterList& top);

/// The paper's comparison with every preconditioner at its library defaults:
/// GNP, ILUT, Jacobi, MueLu, GMRES, None.
Teuchos::ParameterList defaultRunList();

/// Reads an XML parameter file: std::invalid_argument "cannot read XML
/// parameter file 'path': ..." for a missing path, a directory or malformed XML
/// (Teuchos' message without its source location). Every rank reads the file.
Teuchos::RCP<Teuchos::ParameterList> readParameterFile(const std::string& path);

} // namespace Gnp

#endif
