#ifndef GNP_FILES_HPP
#define GNP_FILES_HPP

#include <string>

namespace Gnp {

/// Writes `text` to `path` so that the file is either its old self or the whole
/// new text, also on a full disk or a crash: it goes to path + ".tmp", every write
/// and the close are checked, the data is synced, then renamed over `path` and the
/// folder synced. Throws WorkerJob::OutputError naming the file and the reason.
void writeFileAtomically(const std::string& path, const std::string& text);

/// The whole content of a regular file; throws std::invalid_argument naming it.
std::string readTextFile(const std::string& path);

/// A digest of a file's content (FNV-1a, in hex): a stored result is trusted
/// only while the matrix it was computed from is unchanged.
std::string fileDigest(const std::string& path);

} // namespace Gnp

#endif
