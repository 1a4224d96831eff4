#include "Gnp_TeuchosCommunicator.hpp"

#include <Teuchos_CommHelpers.hpp>

namespace Gnp {

TeuchosCommunicator::TeuchosCommunicator(Teuchos::RCP<const Teuchos::Comm<int>> comm) : comm_(std::move(comm)) {}

int TeuchosCommunicator::rank() const { return comm_->getRank(); }

int TeuchosCommunicator::size() const { return comm_->getSize(); }

void TeuchosCommunicator::sumAll(const float* in, float* out, int count) const {
  Teuchos::reduceAll<int, float>(*comm_, Teuchos::REDUCE_SUM, count, in, out);
}

void TeuchosCommunicator::sumAll(const double* in, double* out, int count) const {
  Teuchos::reduceAll<int, double>(*comm_, Teuchos::REDUCE_SUM, count, in, out);
}

void TeuchosCommunicator::maxAll(const double* in, double* out, int count) const {
  Teuchos::reduceAll<int, double>(*comm_, Teuchos::REDUCE_MAX, count, in, out);
}

void TeuchosCommunicator::broadcast(float* values, int count) const {
  Teuchos::broadcast<int, float>(*comm_, 0, count, values);
}

} // namespace Gnp
