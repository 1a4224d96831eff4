#include "Gnp_MatrixMarketScan.hpp"

#include "Gnp_Errors.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace Gnp {
namespace {

class Failure {
public:
  explicit Failure(std::string path) : path_(std::move(path)) {}
  [[noreturn]] void at(long long line, const std::string& what) const {
    throw std::invalid_argument("cannot read MatrixMarket file '" + path_ + "' line " + std::to_string(line) + ": " +
                                what);
  }
  [[noreturn]] void file(const std::string& what) const {
    throw std::invalid_argument("cannot read MatrixMarket file '" + path_ + "': " + what);
  }

private:
  std::string path_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The first characters of a line as printable text (binary files must not
// reach the terminal).
std::string shown(const std::string& line) {
  std::string s;
  for (unsigned char c : line.substr(0, 40)) s += std::isprint(c) ? static_cast<char>(c) : '?';
  return "\"" + s + (line.size() > 40 ? "...\"" : "\"");
}

bool blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
}

// A whole-token integer; false for "12abc", "", overflow.
bool parseInteger(const char*& p, long long& value) {
  while (*p == ' ' || *p == '\t') ++p;
  if (!*p) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoll(p, &end, 10);
  if (end == p || errno == ERANGE || (*end && !std::isspace(static_cast<unsigned char>(*end)))) return false;
  p = end;
  return true;
}

bool parseReal(const char*& p, double& value) {
  while (*p == ' ' || *p == '\t') ++p;
  if (!*p) return false;
  char* end = nullptr;
  value = std::strtod(p, &end);
  if (end == p || (*end && !std::isspace(static_cast<unsigned char>(*end)))) return false;
  p = end;
  return true;
}

bool restIsBlank(const char* p) {
  while (*p && std::isspace(static_cast<unsigned char>(*p))) ++p;
  return !*p;
}

} // namespace

MatrixMarketScan scanMatrixMarket(const std::string& path) {
  const Failure fail(path);
  requireReadableFile(path, "MatrixMarket file");
  std::ifstream in(path, std::ios::binary);

  MatrixMarketScan scan;
  std::string line;
  long long number = 0;
  auto next = [&]() {
    if (!std::getline(in, line)) return false;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    scan.text += line;
    scan.text += '\n';
    return true;
  };

  if (!next()) fail.file("the file is empty; expected a '%%MatrixMarket matrix coordinate real general' banner");
  std::istringstream banner(line);
  std::string magic, object, format, field, symmetry;
  banner >> magic >> object >> format >> field >> symmetry;
  if (magic != "%%MatrixMarket")
    fail.at(1, "no MatrixMarket banner (the line starts " + shown(line) +
                   "); a MatrixMarket file starts with '%%MatrixMarket matrix coordinate real general'");
  object = lower(object), format = lower(format), field = lower(field), symmetry = lower(symmetry);
  if (object != "matrix" || format != "coordinate")
    fail.at(1, "'" + object + " " + format + "' is not supported: only sparse 'matrix coordinate' files are");
  if (field != "real" && field != "integer" && field != "pattern")
    fail.at(1, "field '" + field + "' is not supported: use real, integer or pattern");
  if (symmetry != "general" && symmetry != "symmetric" && symmetry != "skew-symmetric" && symmetry != "hermitian")
    fail.at(1, "symmetry '" + symmetry + "' is not one of general, symmetric, skew-symmetric, hermitian");
  scan.symmetry = symmetry;

  // Comments, then the size line.
  do {
    if (!next()) fail.at(number, "the file ends before its size line 'rows columns entries'");
  } while ((!line.empty() && line[0] == '%') || blank(line));
  const char* p = line.c_str();
  if (!parseInteger(p, scan.rows) || !parseInteger(p, scan.columns) || !parseInteger(p, scan.entries) ||
      !restIsBlank(p) || scan.rows < 0 || scan.columns < 0 || scan.entries < 0)
    fail.at(number, "the size line " + shown(line) + " is not three non-negative integers 'rows columns entries'");
  if (scan.rows == 0 || scan.columns == 0)
    fail.at(number, "the matrix is empty (" + std::to_string(scan.rows) + " x " + std::to_string(scan.columns) +
                        "): give a square matrix with at least one row");
  // Each stored entry fills at most one row (two in symmetric storage): with
  // fewer, some row is empty and the matrix singular. Checked before anything
  // the header's size would allocate.
  const bool mirrored = symmetry != "general";
  const long long reachable = mirrored ? 2 * scan.entries : scan.entries;
  if (reachable < scan.rows)
    fail.at(number, "the header promises " + std::to_string(scan.entries) + " stored entries for " +
                        std::to_string(scan.rows) + " rows, so at least " + std::to_string(scan.rows - reachable) +
                        " rows are empty and the matrix is singular; check the size line");

  // A pattern file stores positions only: each entry is read as 1 (Tpetra's reader refuses the field).
  const bool pattern = field == "pattern";
  if (pattern) scan.text.replace(0, scan.text.find('\n'), "%%MatrixMarket matrix coordinate real " + symmetry);
  long long held = 0;
  while (next()) {
    if (blank(line) || line[0] == '%') continue;
    if (held == scan.entries)
      fail.at(number, "the file holds more entries than the " + std::to_string(scan.entries) +
                          " its size line promises; fix the size line");
    p = line.c_str();
    long long i = 0, j = 0;
    double value = 1.0;
    if (!parseInteger(p, i) || !parseInteger(p, j) || (!pattern && !parseReal(p, value)) || !restIsBlank(p))
      fail.at(number, "the entry " + shown(line) + " is not 'row column" + (pattern ? "'" : " value'"));
    if (i < 1 || i > scan.rows || j < 1 || j > scan.columns)
      fail.at(number, "the entry (" + std::to_string(i) + ", " + std::to_string(j) + ") lies outside the " +
                          std::to_string(scan.rows) + " x " + std::to_string(scan.columns) +
                          " matrix (indices are 1-based)");
    if (!std::isfinite(value))
      fail.at(number, "the entry (" + std::to_string(i) + ", " + std::to_string(j) +
                          ") is NaN or Inf; "
                          "fix the matrix before solving");
    if (mirrored && j > i)
      fail.at(number, "the entry (" + std::to_string(i) + ", " + std::to_string(j) +
                          ") lies above the diagonal, "
                          "but a '" +
                          symmetry +
                          "' file stores only the lower triangle (each entry stands for two); "
                          "if the file stores both triangles, change its banner to 'general'");
    if (pattern) scan.text.insert(scan.text.size() - 1, " 1");
    ++held;
  }
  if (held < scan.entries)
    fail.file("the size line promises " + std::to_string(scan.entries) + " entries but the file holds " +
              std::to_string(held) + " (is it truncated?)");
  return scan;
}

} // namespace Gnp
