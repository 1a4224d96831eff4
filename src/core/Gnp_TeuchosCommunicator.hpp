#ifndef GNP_TEUCHOSCOMMUNICATOR_HPP
#define GNP_TEUCHOSCOMMUNICATOR_HPP

#include "Gnp_Communicator.hpp"

#include <Teuchos_Comm.hpp>
#include <Teuchos_RCP.hpp>

namespace Gnp {

/// Gnp::Communicator over a Teuchos communicator (a Tpetra map's): how the
/// network's sums reach MPI.
class TeuchosCommunicator : public Communicator {
public:
  /// Keeps `comm` alive.
  explicit TeuchosCommunicator(Teuchos::RCP<const Teuchos::Comm<int>> comm);

  /// \name Communicator interface
  /// As Communicator documents them.
  ///@{
  int rank() const override;
  int size() const override;
  void sumAll(const float* in, float* out, int count) const override;
  void sumAll(const double* in, double* out, int count) const override;
  void maxAll(const double* in, double* out, int count) const override;
  void broadcast(float* values, int count) const override;
  ///@}

private:
  Teuchos::RCP<const Teuchos::Comm<int>> comm_;
};

} // namespace Gnp

#endif
