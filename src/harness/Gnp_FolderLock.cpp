#include "Gnp_FolderLock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace Gnp {

FolderLock::FolderLock(const std::string& folder, const std::string& program) {
  const std::string path = folder + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT, 0644); // inherited by the jobs on purpose
  if (fd_ < 0)
    throw std::invalid_argument("cannot lock '" + folder + "': cannot open '" + path + "': " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    const std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "unknown";
    ::close(fd_);
    throw std::invalid_argument("'" + folder + "' is in use by another " + program + " (process " +
                                pid.substr(0, pid.find('\n')) +
                                ", or a job it started): wait for it to end, or give another output folder");
  }
  // Who holds it, for the next one's message; the lock holds without this note.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);
}

} // namespace Gnp
