#ifndef GNP_SERIALCOMMUNICATOR_HPP
#define GNP_SERIALCOMMUNICATOR_HPP

#include "Gnp_Communicator.hpp"

namespace Gnp {

/// One rank alone: sums and maxima are copies, a broadcast does nothing.
class SerialCommunicator : public Communicator {
public:
  /// \name Communicator interface
  /// As Communicator documents them.
  ///@{
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sumAll(const float* in, float* out, int count) const override { copy(in, out, count); }
  void sumAll(const double* in, double* out, int count) const override { copy(in, out, count); }
  void maxAll(const double* in, double* out, int count) const override { copy(in, out, count); }
  void broadcast(float*, int) const override {}
  ///@}

private:
  template <class T>
  static void copy(const T* in, T* out, int count) {
    for (int i = 0; i < count; ++i) out[i] = in[i];
  }
};

} // namespace Gnp

#endif
