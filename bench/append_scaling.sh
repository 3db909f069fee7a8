#!/usr/bin/env bash
# Durable appends over HTTP at two log sizes, alternating, several rounds
# (docs/PERFORMANCE.md, "Durable appends"). Prints each run and the server's
# CPU per accepted entry (from /proc/<pid>/stat around the run).
#
#   bench/append_scaling.sh BUILD_DIR SMALL_DATA BIG_DATA [ROUNDS] [ENTRIES] [CONNECTIONS]
# Grow the logs first, e.g.:
#   candor-log init --dir /tmp/lbs/d --origin bench.example/small && log_bench grow --dir /tmp/lbs/d --entries 1000
#   candor-log init --dir /tmp/lbb/d --origin bench.example/big && log_bench grow --dir /tmp/lbb/d --entries 10000000
set -euo pipefail
build=${1:?build dir}; small=${2:?small log dir}; big=${3:?big log dir}
rounds=${4:-3}; entries=${5:-100000}; connections=${6:-512}
log_bin=$build/transparency-log/candor-log
bench_bin=$build/bench/log_bench
source "$(dirname "$0")/append_run.sh"
for ((round = 1; round <= rounds; round++)); do
  for dir in "$small" "$big"; do
    size=$(sed -n 2p "$dir/checkpoint")
    append_run "round $round, log size $size" "$log_bin" "$bench_bin" "$dir" "$entries" "$connections"
  done
done
