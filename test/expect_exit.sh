#!/usr/bin/env bash
# expect_exit.sh CODE REGEX COMMAND...: passes when COMMAND exits with CODE and
# its output (stdout and stderr) has a line matching the extended REGEX.
code=$1 pattern=$2
shift 2
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [ "$status" -ne "$code" ]; then echo "expect_exit: exit code $status, expected $code" >&2; exit 1; fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then echo "expect_exit: no line matches: $pattern" >&2; exit 1; fi
