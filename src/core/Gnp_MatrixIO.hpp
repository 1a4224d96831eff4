#ifndef GNP_MATRIXIO_HPP
#define GNP_MATRIXIO_HPP

#include <Tpetra_CrsMatrix.hpp>

#include <string>

namespace Gnp {

/// Throws std::invalid_argument, naming the problem and what to do, unless A is a
/// square, non-empty matrix with finite entries and no zero row (a collective;
/// every rank throws the same message). GNP, the factory and gnp-solve call it on
/// every matrix they are given.
template <class SC, class LO, class GO, class NO>
void checkMatrix(const Tpetra::RowMatrix<SC, LO, GO, NO>& A, const std::string& name = "the matrix");

/// Reads a MatrixMarket file with Tpetra's reader, rows distributed evenly over
/// the ranks of comm, and checks it (checkMatrix). Missing or malformed files are
/// std::invalid_argument errors that name the file.
template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> readMatrixMarket(const std::string& path,
                                                                 const Teuchos::RCP<const Teuchos::Comm<int>>& comm);

} // namespace Gnp

#endif
