#!/usr/bin/env bash
# Two (or more) candor-log builds side by side on the same log directory:
# durable appends over HTTP, the builds alternating round by round, so that
# a noisy machine's drift falls on all of them alike (docs/PERFORMANCE.md,
# "Side by side after the reshaping"). Prints each run and the server's CPU
# per accepted entry (from /proc/<pid>/stat around the run); summarise the
# per-round ratios rather than single runs.
#
#   bench/append_ab.sh LOG_BENCH DATA ROUNDS NAME=CANDOR_LOG [NAME=CANDOR_LOG...]
# e.g. bench/append_ab.sh build/bench/log_bench /tmp/lbs/d 20 \
#        base=/tmp/base/build-rel/transparency-log/candor-log new=build-rel/transparency-log/candor-log
# Entries per run: ENTRIES (default 30000); connections: CONNECTIONS (512).
set -euo pipefail
bench_bin=${1:?log_bench binary}; dir=${2:?log dir}; rounds=${3:?rounds}; shift 3
[[ $# -ge 1 ]] || { echo "usage: $0 LOG_BENCH DATA ROUNDS NAME=CANDOR_LOG..." >&2; exit 1; }
entries=${ENTRIES:-30000}; connections=${CONNECTIONS:-512}
source "$(dirname "$0")/append_run.sh"
for ((round = 1; round <= rounds; round++)); do
  for named in "$@"; do
    append_run "${named%%=*} round $round" "${named#*=}" "$bench_bin" "$dir" "$entries" "$connections"
  done
done
