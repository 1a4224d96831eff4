#include "Gnp_Errors.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Teuchos_ParameterListExceptions.hpp>

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace Gnp {

std::string withoutSourceLocation(const std::string& message) {
  // Teuchos: "<file>:<line>:\n\nThrow number = N\n\nThrow test that evaluated to true: ...\n\n<message>".
  const auto marker = message.find("Throw test that evaluated to true");
  std::string text = message;
  if (marker != std::string::npos) {
    const auto end = message.find("\n\n", marker);
    text = end == std::string::npos ? std::string() : message.substr(end + 2);
  } else if (message.find(".hpp:") != std::string::npos || message.find(".cpp:") != std::string::npos) {
    const auto start = message.find_first_of('\n');
    if (start != std::string::npos) text = message.substr(start + 1);
  }
  const auto first = text.find_first_not_of(" \n\t");
  const auto last = text.find_last_not_of(" \n\t");
  if (first == std::string::npos) return message;
  return text.substr(first, last - first + 1);
}

void requireWritableFolder(const std::string& parameter, const std::string& path, const Teuchos::Comm<int>& comm) {
  if (path.empty()) return;
  std::string error;
  if (comm.getRank() == 0) {
    const std::filesystem::path folder = std::filesystem::path(path).parent_path().empty()
                                             ? std::filesystem::path(".")
                                             : std::filesystem::path(path).parent_path();
    if (!std::filesystem::is_directory(folder) || ::access(folder.c_str(), W_OK) != 0)
      error = parameter + " '" + path + "': the folder '" + folder.string() +
              "' does not exist or is not writable; create it or choose another path";
  }
  broadcastString(comm, error);
  if (!error.empty()) throw Teuchos::Exceptions::InvalidParameterValue(error);
}

void broadcastString(const Teuchos::Comm<int>& comm, std::string& text) {
  int size = static_cast<int>(text.size());
  Teuchos::broadcast<int, int>(comm, 0, 1, &size);
  text.resize(static_cast<std::size_t>(size));
  if (size > 0) Teuchos::broadcast<int, char>(comm, 0, size, text.data());
}

double maxOverRanks(const Teuchos::Comm<int>& comm, double value) {
  double largest = value;
  Teuchos::reduceAll<int, double>(comm, Teuchos::REDUCE_MAX, 1, &value, &largest);
  return largest;
}

void requireReadableFile(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    throw std::invalid_argument("cannot read " + what + " '" + path + "': no such file; check the path");
  if (std::filesystem::is_directory(status))
    throw std::invalid_argument("cannot read " + what + " '" + path + "': it is a directory; give a file");
  // A device or a pipe (/dev/zero, say) can be endless: only files are read.
  if (!std::filesystem::is_regular_file(status))
    throw std::invalid_argument("cannot read " + what + " '" + path +
                                "': it is not a regular file (a device, a pipe or a socket); give a file");
  if (!std::ifstream(path))
    throw std::invalid_argument("cannot read " + what + " '" + path + "': it cannot be opened; check its permissions");
}

long long parseInteger(const std::string& what, const std::string& text, long long min, long long max) {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::out_of_range&) {
    throw std::invalid_argument(what + " = \"" + text + "\" is out of range: give " + range);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || std::isspace(static_cast<unsigned char>(text[0])))
    throw std::invalid_argument(what + " = \"" + text + "\" is not an integer: give " + range);
  if (value < min || value > max) throw std::invalid_argument(what + " = " + text + " is out of range: give " + range);
  return value;
}

double parseReal(const std::string& what, const std::string& text, double min, double max) {
  std::ostringstream range;
  range << "a number from " << min << " to " << max;
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || std::isspace(static_cast<unsigned char>(text[0])) || !std::isfinite(value))
    throw std::invalid_argument(what + " = \"" + text + "\" is not a finite number: give " + range.str());
  if (value < min || value > max)
    throw std::invalid_argument(what + " = " + text + " is out of range: give " + range.str());
  return value;
}

} // namespace Gnp
