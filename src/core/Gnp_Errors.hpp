#ifndef GNP_ERRORS_HPP
#define GNP_ERRORS_HPP

#include <Teuchos_Comm.hpp>

#include <string>

namespace Gnp {

/// The message of a Teuchos exception without the source location and the
/// "Throw test that evaluated to true" lines Teuchos puts before it: what a
/// user can act on.
std::string withoutSourceLocation(const std::string& message);

/// Makes `text` on every rank equal to rank 0's (a collective). Used so that an
/// error found on rank 0 alone is thrown by every rank with the same message.
void broadcastString(const Teuchos::Comm<int>& comm, std::string& text);

/// The largest `value` over the ranks (a collective). Used for times that
/// decide something, so that every rank decides alike.
double maxOverRanks(const Teuchos::Comm<int>& comm, double value);

/// Throws std::invalid_argument unless `path` names a readable regular file:
/// "cannot read <what> '<path>': ..." for a missing path, a directory, a device
/// or pipe (which may never end), or an unreadable file. Call it on one rank.
void requireReadableFile(const std::string& path, const std::string& what);

/// Throws Teuchos::Exceptions::InvalidParameterValue on every rank unless the
/// folder of `path` exists and is writable (checked on rank 0; a collective):
/// "<parameter> '<path>': the folder ... does not exist or is not writable".
/// Nothing for an empty path. Called before the work whose result is written.
void requireWritableFolder(const std::string& parameter, const std::string& path, const Teuchos::Comm<int>& comm);

/// The whole of `text` as an integer in [min, max], or std::invalid_argument
/// naming `what`: no lenient prefixes ("12abc"), no empty text, no overflow.
long long parseInteger(const std::string& what, const std::string& text, long long min, long long max);

/// The whole of `text` as a finite number in [min, max], or std::invalid_argument
/// naming `what` (NaN, Inf and trailing text are refused).
double parseReal(const std::string& what, const std::string& text, double min, double max);

} // namespace Gnp

#endif
