#!/usr/bin/env bash
# Runs one set-up or build step quietly: prints one line with the step's name
# and how long it took, keeps the step's full output in a log file, and on
# failure prints the end of that log. Usage: bash tools/step.sh LABEL LOG CMD...
set -u
label=$1; log=$2; shift 2
mkdir -p "$(dirname "$log")"
start=$(date +%s)
printf '%-52s' "$label"
if "$@" >"$log" 2>&1; then
  printf 'done  %4ds\n' "$(( $(date +%s) - start ))"
else
  rc=$?
  printf 'FAILED %3ds\n' "$(( $(date +%s) - start ))"
  echo "---- last 40 lines of ${log#"$PWD"/} ----"
  tail -n 40 "$log"
  echo "---- full log: ${log#"$PWD"/} ----"
  exit "$rc"
fi
