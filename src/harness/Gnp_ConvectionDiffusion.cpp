#include "Gnp_ConvectionDiffusion.hpp"

#include "Gnp_Types.hpp"

#include <vector>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> convectionDiffusion(
    int N, double bx, double by, const Teuchos::RCP<const Teuchos::Comm<int>>& comm) {
  using map_type = Tpetra::Map<LO, GO, NO>;
  const GO n = static_cast<GO>(N) * N;
  auto map = Teuchos::rcp(new map_type(n, 0, comm));
  auto A = Teuchos::rcp(new Tpetra::CrsMatrix<SC, LO, GO, NO>(map, 5));
  const double h = 1.0 / (N + 1);
  for (LO lid = 0; lid < static_cast<LO>(map->getNodeNumElements()); ++lid) {
    const GO row = map->getGlobalElement(lid);
    const int ix = static_cast<int>(row % N), iy = static_cast<int>(row / N);
    std::vector<GO> cols{row};
    std::vector<SC> vals{4.0};
    auto add = [&](bool inside, GO col, double v) {
      if (inside) cols.push_back(col), vals.push_back(v);
    };
    add(ix > 0, row - 1, -1.0 - bx * h / 2);
    add(ix < N - 1, row + 1, -1.0 + bx * h / 2);
    add(iy > 0, row - N, -1.0 - by * h / 2);
    add(iy < N - 1, row + N, -1.0 + by * h / 2);
    A->insertGlobalValues(row, Teuchos::ArrayView<const GO>(cols), Teuchos::ArrayView<const SC>(vals));
  }
  A->fillComplete();
  return A;
}

template Teuchos::RCP<Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>
convectionDiffusion(int, double, double, const Teuchos::RCP<const Teuchos::Comm<int>>&);

} // namespace Gnp
