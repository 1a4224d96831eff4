#ifndef GNP_COMMUNICATOR_HPP
#define GNP_COMMUNICATOR_HPP

namespace Gnp {

/// What the network's code needs of the ranks it runs on: sums, maxima and a
/// broadcast. The torch side sees MPI only through this interface, so that it
/// links neither MPI nor Trilinos (Gnp::TeuchosCommunicator is the Tpetra
/// side's; Gnp::SerialCommunicator is one rank alone). Every call is a
/// collective: all ranks call it with the same count.
class Communicator {
public:
  virtual ~Communicator() = default;

  /// This rank's number, 0 to size() - 1.
  virtual int rank() const = 0;
  /// Number of ranks.
  virtual int size() const = 0;
  /// out[i] = the sum over ranks of in[i], i < count (in and out do not overlap).
  virtual void sumAll(const float* in, float* out, int count) const = 0;
  /// The same in float64.
  virtual void sumAll(const double* in, double* out, int count) const = 0;
  /// out[i] = the largest in[i] over ranks (in and out do not overlap).
  virtual void maxAll(const double* in, double* out, int count) const = 0;
  /// Every rank's values[0..count) become rank 0's.
  virtual void broadcast(float* values, int count) const = 0;
};

} // namespace Gnp

#endif
