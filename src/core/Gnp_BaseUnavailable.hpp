#ifndef GNP_BASEUNAVAILABLE_HPP
#define GNP_BASEUNAVAILABLE_HPP

#include <stdexcept>
#include <string>
#include <utility>

namespace Gnp {

/// What makeBaseOperator throws, on every rank alike, where a package's base
/// cannot be built or applied or returns NaN or Inf. what() is for a user who
/// named that base (it says what to choose instead); reason() is the failure
/// alone, which "auto" reports for a candidate it leaves out.
class BaseUnavailable : public std::invalid_argument {
public:
  /// `what`: the whole message, for a user who named the base; `reason`: the
  /// failure alone ("Ifpack2's RILUK of this matrix returns NaN or Inf ...").
  BaseUnavailable(const std::string& what, std::string reason)
      : std::invalid_argument(what), reason_(std::move(reason)) {}

  /// The failure alone, for "auto"'s report of a candidate it leaves out.
  const std::string& reason() const { return reason_; }

private:
  std::string reason_;
};

} // namespace Gnp

#endif
