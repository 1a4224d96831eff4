#!/usr/bin/env bash
# gnp-solve --time-limit (issue: a MueLu setup that never returns on 2 ranks had
# no way out): a run past the limit is killed and reported in its rows, the
# other runs go on, and gnp-solve ends normally.
# time_limit_test.sh GNP_SOLVE MATRIX XML
set -u
solve=$1 matrix=$2 xml=$3
output=$("$solve" "$matrix" "$xml" --time-limit=10 --ranks=2 2>&1)
status=$?
printf '%s\n' "$output"
fail() { echo "time_limit_test: $1" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "exit code $status, expected 0"
# One table per right-hand side (ones, random solution): in each, the slow run's
# row reports the limit and the other run's row its solve.
[ "$(grep -cE '^SlowGNP +- +- +- +- .*time limit: stopped after 10 s' <<<"$output")" -eq 2 ] ||
  fail "the slow run's rows do not report the time limit"
[ "$(grep -cE '^None +[0-9.]+ +[0-9]+ +[0-9.]+e[-+][0-9]+ .*(not )?converged$' <<<"$output")" -eq 2 ] ||
  fail "the other run's rows are missing"
pgrep -f 'gnp-solve.*--worker-run' > /dev/null && fail "a killed job left processes behind"
exit 0
