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

# The command line is checked before any case runs; every input error exits 1.
gnp_expect(hostile.gnp_bench.ranks_abc 1 1 "^gnp-bench: error: --ranks = \"abc\" is not an integer"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --out=${CMAKE_CURRENT_BINARY_DIR}/hostile-bench --ranks=abc)
gnp_expect(hostile.gnp_bench.time_limit_nan 1 1 "^gnp-bench: error: --case-time-limit = \"nan\" is not a finite number"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --out=${CMAKE_CURRENT_BINARY_DIR}/hostile-bench --case-time-limit=nan)
gnp_expect(hostile.gnp_bench.unknown_option 1 1 "^gnp-bench: error: unknown option '--bogus' \\(see --help\\)"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --bogus)
gnp_expect(hostile.gnp_bench.missing_notes 1 1 "^gnp-bench: error: cannot read '/no/such/notes.md'"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --out=${CMAKE_CURRENT_BINARY_DIR}/hostile-bench-notes
           --notes=/no/such/notes.md)
gnp_expect(hostile.gnp_bench.under_mpirun 2 1 "^gnp-bench: error: gnp-bench starts one mpirun per case: run it without mpirun"
           $<TARGET_FILE:gnp-bench> --matrices=${GNP_SHIPPED} --out=${CMAKE_CURRENT_BINARY_DIR}/hostile-bench-mpirun)

# A sweep under faults: launch failures, kills, full disks, a second driver,
# changed inputs (sweep_faults_test.sh; full_disk needs to mount a tmpfs and is
# skipped where it cannot).
if(GNP_ENABLE_EXAMPLES)
  set(faults_solve $<TARGET_FILE:gnp-solve>)
else()
  set(faults_solve none)
endif()
foreach(scenario launch_failure full_tmpdir rebuilt_binary killed_rank write_failure full_disk killed_driver concurrent changed_input)
  add_test(NAME faults.${scenario}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep_faults_test.sh ${scenario} $<TARGET_FILE:gnp-bench>
                   ${faults_solve} ${GNP_SHIPPED})
  set_tests_properties(faults.${scenario} PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300
                       SKIP_RETURN_CODE 77 LABELS "hostile;np2")
endforeach()
