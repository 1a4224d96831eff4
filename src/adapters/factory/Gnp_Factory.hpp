#ifndef GNP_FACTORY_HPP
#define GNP_FACTORY_HPP

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_CrsMatrix.hpp>

#include <string>
#include <vector>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
class Preconditioner;
template <class SC, class LO, class GO, class NO>
class AutoPreconditioner;

/// Builds any of the paper's preconditioners by name from a parameter list:
///   "GNP"        Gnp::Preconditioner (trained here)
///   "ILUT"       Ifpack2 threshold ILU
///   "RELAXATION" Ifpack2 relaxation, Jacobi unless "relaxation: type" says otherwise
///   "MueLu"      MueLu AMG (its black-box defaults)
///   "GMRES"      inner GMRES (10 iterations, rtol 1e-6)
///   "None"       no preconditioner (a null operator)
///   "Auto"       Gnp::AutoPreconditioner: tries the others and keeps the one
///                that reaches the tolerance soonest, construction included
/// Names are case-insensitive. Each type's list is validated by that type's own
/// rules; unknown parameter names are errors.
template <class SC, class LO, class GO, class NO>
class Factory {
public:
  using crs_matrix_type = Tpetra::CrsMatrix<SC, LO, GO, NO>; ///< the matrix type
  using operator_type = Tpetra::Operator<SC, LO, GO, NO>;    ///< what a build returns

  /// A built preconditioner and what it cost.
  struct Built {
    std::string type;                                           ///< canonical name
    Teuchos::RCP<operator_type> op;                             ///< null for "None"
    Teuchos::RCP<Preconditioner<SC, LO, GO, NO>> gnp;           ///< set for "GNP", and for "Auto" when it chose GNP
    Teuchos::RCP<AutoPreconditioner<SC, LO, GO, NO>> automatic; ///< set for "Auto" (its choice and trials)
    double seconds = 0.0;                                       ///< construction (and training) time
  };

  /// The canonical type names.
  static const std::vector<std::string>& types();
  /// Canonical name of `type` (case-insensitive); std::invalid_argument listing
  /// the valid names if unknown.
  static std::string canonicalType(const std::string& type);

  /// Checks `params` for `type` without a matrix: unknown names, wrong types,
  /// GNP's and inner GMRES' ranges, and that GNP's "gnp: initial model" file can
  /// be read. std::invalid_argument "invalid parameters for preconditioner "T":
  /// cause". create() calls it first; a program can call it for every run before
  /// building any.
  static void validate(const std::string& type, const Teuchos::ParameterList& params);

  /// Builds, initialises and computes the preconditioner. Invalid parameters
  /// (validate(), and a Teuchos::Exceptions::InvalidParameter from Ifpack2 or
  /// MueLu) are std::invalid_argument, an input error; any other failure is a
  /// std::runtime_error "cannot build preconditioner "T": cause".
  static Built create(const std::string& type, const Teuchos::RCP<const crs_matrix_type>& A,
                      const Teuchos::ParameterList& params);
};

} // namespace Gnp

#endif
