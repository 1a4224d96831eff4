#!/usr/bin/env bash
# Faults around the driver/worker protocol of gnp-bench and gnp-solve --time-limit
# (Gnp::WorkerJob): each scenario injects one fault and checks the exit code, the
# message and what was (not) recorded, then cleans up after itself.
# sweep_faults_test.sh SCENARIO GNP_BENCH GNP_SOLVE MATRIX
set -u
scenario=$1 bench=$2 solve=$3 matrix=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/gnp-faults.XXXXXX")
mounted=""
cleanup() {
  pkill -KILL -f "$dir" 2>/dev/null
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "sweep_faults_test ($scenario): $1" >&2; exit 1; }
mkdir -p "$dir/m" && cp "$matrix" "$dir/m/a.mtx"

runs() { # runs FILE NAME:TYPE...: a run list
  local file=$1; shift
  { echo '<ParameterList name="runs">'
    for run in "$@"; do
      echo "  <ParameterList name=\"${run%%:*}\"><Parameter name=\"Preconditioner Type\" type=\"string\" value=\"${run#*:}\"/></ParameterList>"
    done
    echo '</ParameterList>'; } > "$file"
}
runs "$dir/fast.xml" None:None Jacobi:RELAXATION
# GNP that trains until stopped (at its defaults the base alone solves the shipped
# matrix and nothing is trained).
cat > "$dir/slow.xml" << 'EOF'
<ParameterList name="runs">
  <ParameterList name="GNP">
    <Parameter name="Preconditioner Type" type="string" value="GNP"/>
    <ParameterList name="Preconditioner Parameters">
      <Parameter name="gnp: base converged tolerance" type="double" value="0"/>
      <Parameter name="gnp: patience" type="int" value="0"/>
    </ParameterList>
  </ParameterList>
</ParameterList>
EOF
sweep() { "$bench" --matrices="$dir/m" --ranks=2 "$@"; }
# Waits until a worker of this test runs (at most 60 s).
wait_for_worker() {
  for _ in $(seq 600); do pgrep -f -- "--worker.*$dir" > /dev/null && return 0; sleep 0.1; done
  fail "no worker started"
}
no_workers_left() {
  sleep 5
  pgrep -f -- "--worker.*$dir" > /dev/null && fail "a job outlived its driver: $(pgrep -af -- "--worker.*$dir")"
  return 0
}
cases() { find "$dir/out/cases" -name '*.json' 2>/dev/null | wc -l; }

case $scenario in
launch_failure) # a job that never started is no result: exit 1, nothing filed, the rerun runs it
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" --mpiexec=/no/such/mpiexec 2>&1); status=$?
  printf '%s\n' "$out"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "^gnp-bench: error: a / None (its log: .*): the job did not start: cannot run /no/such/mpiexec" <<<"$out" ||
    fail "no launch-failure message"
  [ "$(cases)" -eq 0 ] || fail "a case was filed for a job that never started"
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" 2>&1) || fail "the corrected rerun failed: $out"
  grep -q "1 of 1 matrices complete" <<<"$out" || fail "the corrected rerun did not complete: $out"
  grep -q "a / None \[ones\]: .*(done before)" <<<"$out" && fail "the corrected rerun trusted a launch failure: $out"
  ;;
full_tmpdir) # a full TMPDIR keeps mpirun from starting the job: no result either
  mkdir -p "$dir/tmp"
  if ! mount -t tmpfs -o size=16k tmpfs "$dir/tmp" 2>/dev/null; then echo "cannot mount a small tmpfs here"; exit 77; fi
  mounted="$dir/tmp"
  dd if=/dev/zero of="$dir/tmp/fill" bs=4k 2> /dev/null
  out=$(TMPDIR="$dir/tmp" sweep --out="$dir/out" --params="$dir/fast.xml" 2>&1); status=$?
  printf '%s\n' "$out"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "^gnp-bench: error: a / None (its log: .*): the job did not start" <<<"$out" || fail "no did-not-start message"
  [ "$(cases)" -eq 0 ] || fail "a case was filed for a job that never started"
  ;;
rebuilt_binary) # gnp-bench rebuilt during a sweep: the next job does not start with another program
  cp "$bench" "$dir/gnp-bench"
  runs "$dir/two.xml" GNP:GNP None:None
  "$dir/gnp-bench" --matrices="$dir/m" --ranks=2 --out="$dir/out" --params="$dir/two.xml" --gnp-steps=300 \
    > "$dir/log" 2>&1 &
  driver=$!
  wait_for_worker
  touch "$dir/gnp-bench" # what a rebuild does to the file
  wait $driver; status=$?
  cat "$dir/log"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "a / None (its log: .*): the program file '$dir/gnp-bench' changed since this run started" "$dir/log" ||
    fail "no program-changed message"
  [ ! -e "$dir/out/cases/ones/a/None.json" ] || fail "a case was filed for a job that never started"
  ;;
killed_rank) # a rank killed from outside is no result either
  "$bench" --matrices="$dir/m" --ranks=2 --out="$dir/out" --params="$dir/slow.xml" --gnp-steps=1000000 > "$dir/log" 2>&1 &
  driver=$!
  wait_for_worker; sleep 2
  pkill -KILL -n -f -- "--worker.*$dir"
  wait $driver; status=$?
  cat "$dir/log"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "a / GNP (its log: .*): killed from outside by signal 9" "$dir/log" || fail "no killed-from-outside message"
  [ "$(cases)" -eq 0 ] || fail "a case was filed for a killed job"
  ;;
write_failure) # rank 0 cannot write its case: every rank ends at once, not at the case time limit
  mkdir -p "$dir/out/cases/ones/a/None.json.tmp"
  start=$(date +%s)
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" --case-time-limit=120 2>&1); status=$?
  printf '%s\n' "$out"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "a / None (its log: .*): cannot write '.*None.json': Is a directory; nothing was recorded" <<<"$out" ||
    fail "no write-failure message"
  [ $(($(date +%s) - start)) -lt 60 ] || fail "the job waited for its time limit"
  ;;
full_disk) # a rerun on a full disk keeps every finished case intact and says why it stops
  mkdir -p "$dir/out"
  if ! mount -t tmpfs -o size=1m tmpfs "$dir/out" 2>/dev/null; then echo "cannot mount a small tmpfs here"; exit 77; fi
  mounted="$dir/out"
  sweep --out="$dir/out" --params="$dir/fast.xml" > /dev/null 2>&1 || fail "the first sweep failed"
  before=$(find "$dir/out/cases" -name '*.json' -exec md5sum {} + | sort)
  dd if=/dev/zero of="$dir/out/fill" bs=4k 2> /dev/null
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" 2>&1); status=$?
  printf '%s\n' "$out"
  [ $status -eq 1 ] || fail "exit code $status, expected 1"
  grep -q "cannot write .*No space left on device" <<<"$out" || fail "no full-disk message"
  [ "$(find "$dir/out/cases" -name '*.json' -exec md5sum {} + | sort)" = "$before" ] || fail "a finished case changed"
  ;;
killed_driver) # SIGKILL or SIGHUP to the driver ends its job too
  for signal in KILL HUP; do
    rm -rf "$dir/out"
    "$bench" --matrices="$dir/m" --ranks=2 --out="$dir/out" --params="$dir/slow.xml" --gnp-steps=1000000 > "$dir/log" 2>&1 &
    driver=$!
    wait_for_worker; sleep 1
    kill -$signal $driver
    wait $driver 2> /dev/null
    no_workers_left
  done
  ;;
concurrent) # one driver per output folder; a dead owner does not hold it
  "$bench" --matrices="$dir/m" --ranks=2 --out="$dir/out" --params="$dir/slow.xml" --gnp-steps=1000000 > "$dir/log" 2>&1 &
  driver=$!
  wait_for_worker
  out=$(sweep --out="$dir/out" --params="$dir/slow.xml" --gnp-steps=1000000 2>&1); status=$?
  printf '%s\n' "$out"
  [ $status -eq 1 ] || fail "the second driver: exit code $status, expected 1"
  grep -q "^gnp-bench: error: '$dir/out' is in use by another gnp-bench (process $driver" <<<"$out" ||
    fail "no in-use message"
  kill -KILL $driver; wait $driver 2> /dev/null
  no_workers_left
  out=$(sweep --out="$dir/out" --params="$dir/slow.xml" --gnp-steps=1000000 --max-cases=0 2>&1) ||
    fail "after the owner died: $out"
  grep -q "stopped at --max-cases" <<<"$out" || fail "after the owner died: $out"
  ;;
changed_input) # a stored result is trusted only for the same matrix content and run
  sweep --out="$dir/out" --params="$dir/fast.xml" > /dev/null 2>&1 || fail "the first sweep failed"
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" 2>&1)
  [ "$(grep -c '(done before)' <<<"$out")" -eq 8 ] || fail "an unchanged rerun ran cases again: $out"
  [ -z "$(grep -E '^gnp-bench: \[.*\] a / ' <<<"$out" | grep -v '(done before)')" ] || fail "an unchanged rerun ran a case"
  # The same pattern, other values: the off-diagonal entries halved.
  awk 'NR <= 2 || /^%/ { print; next } $1 != $2 { $3 = $3 / 2 } { print }' "$matrix" > "$dir/m/a.mtx"
  out=$(sweep --out="$dir/out" --params="$dir/fast.xml" 2>&1) || fail "the rerun failed: $out"
  printf '%s\n' "$out"
  grep -q '(done before)' <<<"$out" && fail "results of the old matrix were trusted"
  runs "$dir/clash.xml" "A B:None" "A_B:None"
  out=$(sweep --out="$dir/clash" --params="$dir/clash.xml" 2>&1); status=$?
  [ $status -eq 1 ] || fail "two runs sharing a case file: exit code $status, expected 1"
  grep -q "runs \"A B\" and \"A_B\" would share the case file 'A_B.json'" <<<"$out" || fail "no clash message: $out"
  ;;
solve_interrupted) # gnp-solve --time-limit: SIGTERM ends the job and removes the temporary folder
  mkdir -p "$dir/tmp"
  TMPDIR="$dir/tmp" "$solve" "$matrix" "$dir/slow.xml" --gnp-steps=1000000 --time-limit=600 > "$dir/log" 2>&1 &
  driver=$!
  for _ in $(seq 600); do pgrep -f -- "$dir/slow.xml --worker-run" > /dev/null && break; sleep 0.1; done
  sleep 1
  kill -TERM $driver; wait $driver; status=$?
  cat "$dir/log"
  [ $status -eq 143 ] || fail "exit code $status, expected 143 (SIGTERM)"
  grep -q 'run "GNP": interrupted by signal 15' "$dir/log" || fail "no interruption message"
  [ -z "$(ls -A "$dir/tmp")" ] || fail "the temporary folder was left behind: $(ls -A "$dir/tmp")"
  sleep 3
  pgrep -f -- "$dir/slow.xml --worker-run" > /dev/null && fail "a job outlived its driver"
  ;;
solve_names) # run names are the user's text: quotes, an empty name and 200 KB all run as their own job
  long=$(head -c 200000 /dev/zero | tr '\0' x)
  cat > "$dir/names.xml" <<EOF
<ParameterList name="runs">
  <ParameterList name="&quot;quoted"><Parameter name="Preconditioner Type" type="string" value="None"/></ParameterList>
  <ParameterList name=""><Parameter name="Preconditioner Type" type="string" value="RELAXATION"/></ParameterList>
  <ParameterList name="$long"><Parameter name="Preconditioner Type" type="string" value="None"/></ParameterList>
</ParameterList>
EOF
  out=$("$solve" "$matrix" "$dir/names.xml" --rhs=ones --time-limit=60 --ranks=1 2>&1); status=$?
  [ $status -eq 0 ] || fail "exit code $status, expected 0: $(head -c 2000 <<<"$out")"
  [ "$(grep -cE '^"quoted +[0-9.]+ +100 ' <<<"$out")" -eq 1 ] || fail "no row for \"quoted"
  [ "$(grep -cE '^ +[0-9.]+ +[0-9]+ .*converged$' <<<"$out")" -eq 1 ] || fail "no row for the empty name"
  [ "$(grep -cE "^${long:0:1000}x* +[0-9.]+ +100 " <<<"$out")" -eq 1 ] || fail "no row for the long name"
  ;;
*) fail "unknown scenario" ;;
esac
echo "sweep_faults_test ($scenario): passed"
