#ifndef GNP_NAMEDTENSOR_HPP
#define GNP_NAMEDTENSOR_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace Gnp {

/// One parameter or buffer of the network, by its registered name: what a
/// saved model holds of the network, in plain types.
struct NamedTensor {
  std::string name;                ///< e.g. "layers.0.W.weight"
  std::vector<std::int64_t> shape; ///< the tensor's sizes
  std::vector<float> values;       ///< row-major
};

} // namespace Gnp

#endif
