// GoogleTest under MPI: Tpetra (and MPI) live for the whole run; only rank 0
// prints, but every rank runs every test (they are collectives) and a failure
// on any rank fails the process.
#include <gtest/gtest.h>

#include <Tpetra_Core.hpp>

int main(int argc, char** argv) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (Tpetra::getDefaultComm()->getRank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  return RUN_ALL_TESTS();
}
