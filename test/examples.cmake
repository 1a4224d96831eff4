# The example programs end to end, and hostile input to gnp-solve (included by
# CMakeLists.txt when GNP_ENABLE_EXAMPLES is on).
set(solve $<TARGET_FILE:gnp-solve>)

# gnp-solve end to end: a small real matrix, every preconditioner and Auto, 1 and 2 ranks.
foreach(np 1 2)
  add_test(NAME gnp_solve.np${np}
           COMMAND ${MPIEXEC_EXECUTABLE} ${GNP_MPI_FLAGS} ${MPIEXEC_NUMPROC_FLAG} ${np} $<TARGET_FILE:gnp-solve>
                   ${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX} ${PROJECT_SOURCE_DIR}/example/compare.xml
                   --gnp-steps=30)
  set_tests_properties(gnp_solve.np${np} PROPERTIES
    ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS ${np} TIMEOUT 600 LABELS "mpi;np${np}"
    PASS_REGULAR_EXPRESSION "right-hand side \"ones\".*\nGNP +[0-9.]+ +[0-9]+ .*\nGNP paper +[0-9.]+ +[0-9]+ .*\nILUT .*\nJacobi .*\nMueLu .*\nGMRES .*\nNone .*\nAuto .*converged.*right-hand side \"random solution\".*\nGNP +[0-9.]+ +[0-9]+ .*\nGNP paper +[0-9.]+ +[0-9]+ .*\nILUT .*\nJacobi .*\nMueLu .*\nGMRES .*\nNone .*\nAuto +[0-9.]+ +[0-9]+ .* converged")
endforeach()
# --rhs picks the right-hand sides; an unknown one is an input error that lists the valid ones.
add_test(NAME gnp_solve.rhs_random
         COMMAND $<TARGET_FILE:gnp-solve> ${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX}
                 ${PROJECT_SOURCE_DIR}/example/none.xml --rhs=random)
set_tests_properties(gnp_solve.rhs_random PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1"
  PASS_REGULAR_EXPRESSION "right-hand sides: random\n.*right-hand side \"random\": b ~ N\\(0,1\\)\n.*\nNone +[0-9.]+ +100 ")
add_test(NAME gnp_solve.unknown_rhs
         COMMAND $<TARGET_FILE:gnp-solve> ${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX}
                 ${PROJECT_SOURCE_DIR}/example/none.xml --rhs=ones,zeros)
set_tests_properties(gnp_solve.unknown_rhs PROPERTIES
  PASS_REGULAR_EXPRESSION "error: unknown right-hand side \"zeros\": use \"ones\"")
# A missing matrix file is a clear error, not a crash.
add_test(NAME gnp_solve.missing_matrix COMMAND $<TARGET_FILE:gnp-solve> /no/such.mtx)
set_tests_properties(gnp_solve.missing_matrix PROPERTIES
  PASS_REGULAR_EXPRESSION "error: cannot read MatrixMarket file '/no/such.mtx': no such file")
# Each example XML file runs as shipped (GNP with a short training budget).
foreach(example gnp ilut jacobi muelu gmres none auto)
  add_test(NAME example_${example}.np2
           COMMAND ${MPIEXEC_EXECUTABLE} ${GNP_MPI_FLAGS} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:gnp-solve>
                   ${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX} ${PROJECT_SOURCE_DIR}/example/${example}.xml
                   --gnp-steps=20)
  set_tests_properties(example_${example}.np2 PROPERTIES
    ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300 LABELS "mpi;np2;example"
    PASS_REGULAR_EXPRESSION "\n[A-Za-z]+ +[0-9.]+ +[0-9]+ +[0-9.e+-]+ +[0-9.e+-]+ +-?[0-9.]+ +[0-9.]+ +[0-9.e+-]+ +[0-9.e+-]+  (converged|not converged)")
endforeach()
# The Stratimikos example XML with each registered preconditioner (GNP with a short budget).
foreach(prec GNP Ifpack2 MueLu Auto)
  add_test(NAME example_stratimikos_${prec}.np2
           COMMAND ${MPIEXEC_EXECUTABLE} ${GNP_MPI_FLAGS} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:gnp-stratimikos>
                   --matrix=${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX}
                   --params=${PROJECT_SOURCE_DIR}/example/stratimikos.xml --preconditioner=${prec} --gnp-steps=20)
  # ILUT and MueLu converge on jpwh_991; GNP after 20 training steps need not.
  set(outcome "converged")
  if(prec STREQUAL "GNP")
    set(outcome "(not )?converged")
  endif()
  set_tests_properties(example_stratimikos_${prec}.np2 PROPERTIES
    ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300 LABELS "mpi;np2;example"
    PASS_REGULAR_EXPRESSION "preconditioner ${prec}, 2 MPI rank\\(s\\): ${outcome} after [0-9]+ iterations")
endforeach()

# The Belos-factory example XML as shipped (GNP with a short budget).
add_test(NAME example_belos.np2
         COMMAND ${MPIEXEC_EXECUTABLE} ${GNP_MPI_FLAGS} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:gnp-belos>
                 --matrix=${PROJECT_SOURCE_DIR}/example/${GNP_EXAMPLE_MATRIX}
                 --params=${PROJECT_SOURCE_DIR}/example/belos.xml --gnp-steps=20)
set_tests_properties(example_belos.np2 PROPERTIES
  ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300 LABELS "mpi;np2;example"
  PASS_REGULAR_EXPRESSION "solver \"GNP FGMRES\", 2 MPI rank\\(s\\): (not )?converged after [0-9]+ iterations")

# --gnp-steps must be a whole positive integer
foreach(value abc "" 99999999999 -5 0 12abc)
  string(MAKE_C_IDENTIFIER "steps_${value}" id)
  gnp_expect(hostile.gnp_solve.${id} 1 1 "^gnp-solve: error: --gnp-steps = .* give an integer from 1 to"
             ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --gnp-steps=${value})
endforeach()
gnp_expect(hostile.gnp_solve.steps_abc.np2 2 1 "^gnp-solve: error: --gnp-steps = \"abc\" is not an integer"
           ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --gnp-steps=abc)
# a header with far more rows than entries is refused before anything is allocated
foreach(np 1 2)
  gnp_expect(hostile.huge_header.np${np} ${np} 1 "huge_header.mtx' line 2: the header promises 1 stored entries for 2000000000 rows"
             ${solve} ${GNP_HOSTILE}/huge_header.mtx ${GNP_NONE_XML})
endforeach()
# fewer entries than the header promises
gnp_expect(hostile.truncated 1 1 "truncated.mtx': the size line promises 6 entries but the file holds 4"
           ${solve} ${GNP_HOSTILE}/truncated.mtx ${GNP_NONE_XML})
# a Gershgorin bound outside double precision is refused, not turned into 0 or Inf
gnp_expect(hostile.tiny_entries 1 1 "Gershgorin bound is about 1e-320.*multiply the matrix"
           ${solve} ${GNP_HOSTILE}/tiny_entries.mtx ${GNP_NONE_XML})
gnp_expect(hostile.huge_entries 1 1 "Gershgorin bound is about 1e\\+308.*multiply the matrix"
           ${solve} ${GNP_HOSTILE}/huge_entries.mtx ${GNP_NONE_XML})
# an entry above the diagonal in symmetric storage
gnp_expect(hostile.symmetric_upper 1 1 "symmetric_upper.mtx' line 6: the entry \\(1, 2\\) lies above the diagonal"
           ${solve} ${GNP_HOSTILE}/symmetric_upper.mtx ${GNP_NONE_XML})
# an all-zero column, on 1 and 2 ranks
foreach(np 1 2)
  gnp_expect(hostile.zero_column.np${np} ${np} 1 "has a zero column: column 2 \\(1-based\\)"
             ${solve} ${GNP_HOSTILE}/zero_column.mtx ${GNP_NONE_XML})
endforeach()
# Belos parameters are validated
gnp_expect(hostile.misspelled_belos 1 1 "run \"None\": invalid Belos parameters: .*Maximum Iteration"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/misspelled_belos.xml)
gnp_expect(hostile.negative_tolerance 1 1 "\"Convergence Tolerance\" = -1e-08 must lie in \\(0, 1\\)"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/negative_tolerance.xml)
# invalid preconditioner parameters are an input error (exit 1), before anything is built
gnp_expect(hostile.misspelled_ilut 1 1 "run \"ILUT\": invalid parameters for preconditioner \"ILUT\": .*level-of-fil"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/misspelled_ilut.xml)
gnp_expect(hostile.missing_model 1 1 "cannot read \"gnp: initial model\" file '/no/such/model.gnp': no such file"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/missing_model.xml)
# CRLF line endings are accepted
gnp_expect(hostile.crlf 1 0 "^None +[0-9.]+ +[0-9]+ .* converged"
           ${solve} ${GNP_HOSTILE}/crlf.mtx ${GNP_NONE_XML} --rhs=ones)
# a directory is named as one
gnp_expect(hostile.directory_matrix 1 1 "cannot read MatrixMarket file '.*hostile': it is a directory"
           ${solve} ${GNP_HOSTILE} ${GNP_NONE_XML})
gnp_expect(hostile.directory_xml 1 1 "cannot read XML parameter file '.*hostile': it is a directory"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE})
# messages name the file, without source locations or binary garbage; NaN is called NaN
gnp_expect(hostile.malformed_xml 1 1 "^gnp-solve: error: cannot read XML parameter file '.*malformed.xml': XML parse error"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/malformed.xml)
gnp_expect(hostile.binary_matrix 1 1 "^gnp-solve: error: cannot read MatrixMarket file '.*binary.mtx' line 1: no MatrixMarket banner \\(the line starts \"\\?ELF[?]+"
           ${solve} ${GNP_HOSTILE}/binary.mtx ${GNP_NONE_XML})
gnp_expect(hostile.nan_entry 1 1 "nan_entry.mtx' line 4: the entry \\(2, 2\\) is NaN or Inf"
           ${solve} ${GNP_HOSTILE}/nan_entry.mtx ${GNP_NONE_XML})
# --help starts with gnp-solve's own usage, not Kokkos' options
gnp_expect(hostile.help 1 0 "^Usage: .*gnp-solve" ${solve} --help)
set_tests_properties(hostile.help PROPERTIES FAIL_REGULAR_EXPRESSION "kokkos")

# gnp-solve --time-limit: a run past it is killed and reported, the others go on;
# it runs each preconditioner as its own mpirun job, so it refuses to run under one
add_test(NAME hostile.time_limit
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/time_limit_test.sh ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/time_limit.xml)
set_tests_properties(hostile.time_limit PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300
                     LABELS "hostile;np2")
gnp_expect(hostile.time_limit_under_mpirun 2 1
           "^gnp-solve: error: --time-limit starts one mpirun per preconditioner: run gnp-solve itself without mpirun"
           ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --time-limit=10)
gnp_expect(hostile.time_limit_negative 1 1 "^gnp-solve: error: --time-limit = -5 is out of range: give an integer from 0 to"
           ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --time-limit=-5)
gnp_expect(hostile.time_limit_not_a_number 1 1 "^gnp-solve: error: --time-limit = \"abc\" is not an integer"
           ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --time-limit=abc)
gnp_expect(hostile.time_limit_ranks_zero 1 1 "^gnp-solve: error: --ranks = 0 is out of range"
           ${solve} ${GNP_SHIPPED} ${GNP_NONE_XML} --time-limit=10 --ranks=0)
# a failed run has no Iter-AUC ("-"), an exact solve a finite one
gnp_expect(hostile.failure_has_no_auc 1 0 "^RELAXATION +[0-9.]+ +[0-9]+ +[^ ]+ +[^ ]+ +- +.*solution failure"
           ${solve} ${GNP_HOSTILE}/zero_diagonal.mtx ${PROJECT_SOURCE_DIR}/example/jacobi.xml --rhs=ones)
gnp_expect(hostile.exact_solve_has_a_finite_auc 1 0 "^None +[0-9.]+ +[0-9]+ +[^ ]+ +[^ ]+ +-[0-9]+\\.[0-9] +.*converged"
           ${solve} ${GNP_HOSTILE}/diagonal.mtx ${GNP_NONE_XML} --rhs=ones)

# An exception during a solve is that run's row; the other runs go on (1 and 2
# ranks, and each run as its own job).
foreach(case np1 np2 jobs)
  set(launch 1)
  set(extra)
  if(case STREQUAL "np2")
    set(launch 2)
  elseif(case STREQUAL "jobs")
    set(extra --time-limit=60 --ranks=2)
  endif()
  gnp_expect(hostile.solve_time_error.${case} ${launch} 0
             "^BadOrtho .* solution failure: Invalid orthogonalization manager name"
             ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/solve_time_error.xml --rhs=ones ${extra})
  gnp_expect(hostile.solve_time_error_others_go_on.${case} ${launch} 0 "^None +[0-9.]+ +100 "
             ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/solve_time_error.xml --rhs=ones ${extra})
endforeach()
# A NaN in the solve shows its status in --time-limit mode too, without Teuchos' source location.
gnp_expect(hostile.time_limit_nan_status 1 0
           "^ILUT .* solution failure: Belos stopped with an error: StatusTestGenResNorm::checkStatus\\(\\): NaN has been detected"
           ${solve} ${GNP_HOSTILE}/zero_diagonal.mtx ${PROJECT_SOURCE_DIR}/example/ilut.xml --rhs=ones --time-limit=60 --ranks=1)
gnp_expect(hostile.unknown_option 1 1 "^gnp-solve: error: unknown option '--bogus=1' \\(see --help\\)"
           ${solve} --bogus=1)

# The driver/worker protocol of --time-limit under faults (sweep_faults_test.sh).
foreach(scenario solve_interrupted solve_names)
  add_test(NAME faults.${scenario}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep_faults_test.sh ${scenario} none ${solve} ${GNP_SHIPPED})
  set_tests_properties(faults.${scenario} PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1" PROCESSORS 2 TIMEOUT 300
                       LABELS "hostile;np2")
endforeach()

# gnp-belos and gnp-stratimikos: a bad number or an unknown option is an input error (exit 1), not an abort.
foreach(program gnp-belos gnp-stratimikos)
  foreach(value abc 99999999999)
    gnp_expect(hostile.${program}.steps_${value} 1 1 "^${program}: error: --gnp-steps = .* give an integer from 1 to"
               $<TARGET_FILE:${program}> --gnp-steps=${value})
  endforeach()
  gnp_expect(hostile.${program}.unknown_option 2 1 "^${program}: error: unknown option '--bogus' \\(see --help\\)"
             $<TARGET_FILE:${program}> --bogus)
endforeach()

# Exact solvers score alike at the residual floor (-15.65 per iteration), and none is the artifact.
gnp_expect(hostile.exact_solvers_score_alike 1 0 "^Jacobi +[0-9.]+ +1 .* -1565\\.4 .* converged"
           ${solve} ${GNP_HOSTILE}/diagonal.mtx ${PROJECT_SOURCE_DIR}/example/compare.xml --gnp-steps=5)
set_tests_properties(hostile.exact_solvers_score_alike PROPERTIES FAIL_REGULAR_EXPRESSION "constant-output artifact")

# An initial model that is a device (it never ends) is refused before it is read, as an input error.
gnp_expect(hostile.device_model 1 1 "run \"GNP\": invalid parameters for preconditioner \"GNP\": cannot read \"gnp: initial model\" file '/dev/zero': it is not a regular file"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/device_model.xml)
# A pattern MatrixMarket file (positions only) is read with every entry 1.
gnp_expect(hostile.pattern_matrix 1 0 "^None +[0-9.]+ +[0-9]+ .* converged"
           ${solve} ${GNP_HOSTILE}/pattern.mtx ${GNP_NONE_XML} --rhs=ones)
gnp_expect(hostile.device_matrix 1 1 "cannot read MatrixMarket file '/dev/zero': it is not a regular file"
           ${solve} /dev/zero ${GNP_NONE_XML})
# A parameter given twice in one list is an error (Teuchos would keep the last); so is "Belos" as a value.
gnp_expect(hostile.duplicate_parameter 1 1 "\"gnp: training steps\" is given twice in the list \"Preconditioner Parameters\""
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/duplicate_parameter.xml)
gnp_expect(hostile.belos_string 1 1 "^gnp-solve: error: \"Belos\" must be a sublist"
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/belos_string.xml)
# GNP in a solver that is not flexible is an error, in Stratimikos and through Belos' factory.
gnp_expect(hostile.stratimikos_not_flexible 1 1 "^gnp-stratimikos: error: GNP is a nonlinear preconditioner and needs flexible GMRES"
           $<TARGET_FILE:gnp-stratimikos> --params=${GNP_HOSTILE}/stratimikos_not_flexible.xml)
gnp_expect(hostile.belos_gnp_in_block_gmres 1 1 "^gnp-belos: error: the \"GNP\" sublist is read only by the solver \"GNP FGMRES\""
           $<TARGET_FILE:gnp-belos> --params=${GNP_HOSTILE}/belos_gnp_in_block_gmres.xml)
# Auto: an unknown candidate is an input error naming it, before anything is built; a
# candidate that cannot serve (ILUT meets zero pivots on west0479) is a failed trial, and another is chosen.
gnp_expect(hostile.auto_unknown_candidate 1 1 "invalid parameters for preconditioner \"Auto\": \"auto: candidates\": unknown preconditioner type \"SuperILU\""
           ${solve} ${GNP_SHIPPED} ${GNP_HOSTILE}/auto_bad_candidate.xml)
gnp_expect(hostile.auto_zero_pivots 2 0 "^  ILUT: not built \\(its validation solve failed: .*NaN"
           ${solve} ${CMAKE_CURRENT_SOURCE_DIR}/data/west0479.mtx ${GNP_HOSTILE}/auto_zero_pivots.xml --rhs=random-solution)
