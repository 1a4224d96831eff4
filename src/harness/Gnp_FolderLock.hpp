#ifndef GNP_FOLDERLOCK_HPP
#define GNP_FOLDERLOCK_HPP

#include <string>

namespace Gnp {

/// One owner of an output folder at a time: an exclusive lock on FOLDER/.lock
/// (flock), held while this object lives. The kernel drops it when its holders
/// die, so a killed owner never holds it; the jobs a driver starts inherit it,
/// so a new owner cannot start beside a job that outlived its driver.
class FolderLock {
public:
  /// Takes the lock or throws std::invalid_argument naming the folder and the
  /// process that holds it.
  FolderLock(const std::string& folder, const std::string& program);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

private:
  int fd_ = -1;
};

} // namespace Gnp

#endif
