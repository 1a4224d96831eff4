# gnp-bench's library and program, and the plain-LibTorch baseline (included by
# CMakeLists.txt when GNP_ENABLE_BENCH is on).
gnp_add_mpi_test(test_bench)
target_link_libraries(test_bench PRIVATE gnp_bench)
gnp_add_mpi_test(test_baseline_agreement)
target_link_libraries(test_baseline_agreement PRIVATE gnp_torch_baseline)

# gnp-bench end to end (the driver starts its own mpirun per case).
add_executable(test_bench_sweep test_bench_sweep.cpp)
target_link_libraries(test_bench_sweep PRIVATE GTest::gtest_main)
target_compile_options(test_bench_sweep PRIVATE ${GNP_WARNINGS})
target_compile_definitions(test_bench_sweep PRIVATE GNP_BENCH_EXE="$<TARGET_FILE:gnp-bench>")
foreach(np 1 2)
  add_test(NAME gnp_bench_sweep.np${np} COMMAND test_bench_sweep)
  set_tests_properties(gnp_bench_sweep.np${np} PROPERTIES
    ENVIRONMENT "GNP_TEST_RANKS=${np};OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
    PROCESSORS ${np} TIMEOUT 600 LABELS "mpi;np${np}")
endforeach()

gnp_expect(hostile.gnp_bench.steps_abc 1 1 "^gnp-bench: error: --gnp-steps = \"abc\" is not an integer"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --out=${CMAKE_CURRENT_BINARY_DIR}/hostile-bench --gnp-steps=abc)
