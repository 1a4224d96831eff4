#ifndef GNP_MATRIXMARKETSCAN_HPP
#define GNP_MATRIXMARKETSCAN_HPP

#include <string>

namespace Gnp {

/// A MatrixMarket coordinate file checked line by line before Tpetra's reader
/// sees it. Tpetra's reader trusts the header: it allocates what the size line
/// promises, solves a file with missing entries as another matrix, sums both
/// triangles of a "symmetric" file twice and rejects CRLF line endings. The
/// scan turns each of those into an error that names the file and the line,
/// and reads a "pattern" file (positions only) as one whose entries are all 1.
struct MatrixMarketScan {
  long long rows = 0;    ///< from the size line
  long long columns = 0; ///< from the size line
  long long entries = 0; ///< stored entries (as the size line promises and the file holds)
  std::string symmetry;  ///< "general", "symmetric", "skew-symmetric" or "hermitian"
  std::string text;      ///< the file with CR line endings removed (a pattern file's entries as 1), for Tpetra's reader
};

/// Reads and checks `path` (no MPI: call it on one rank). std::invalid_argument,
/// starting with "cannot read MatrixMarket file 'path'" and naming the line, for:
/// a directory or unreadable path; no MatrixMarket banner; a banner Tpetra
/// cannot read; a malformed size line; fewer stored entries than the matrix
/// has rows (some row must then be empty, so it is refused before anything is
/// allocated); an entry line that does not parse, lies outside the matrix, or
/// holds NaN or Inf; an entry above the diagonal in symmetric storage; and a
/// file that holds fewer or more entries than its size line says.
MatrixMarketScan scanMatrixMarket(const std::string& path);

} // namespace Gnp

#endif
