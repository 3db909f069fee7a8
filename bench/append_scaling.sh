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
port=18340
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
for ((round = 1; round <= rounds; round++)); do
  for dir in "$small" "$big"; do
    size=$(sed -n 2p "$dir/checkpoint")
    "$log_bin" serve --dir "$dir" --listen 127.0.0.1:$port --rate 0 --max-connections-per-ip 0 >/dev/null 2>&1 &
    pid=$!
    sleep 2
    before=$(ticks $pid)
    result=$("$bench_bin" append --url http://127.0.0.1:$port --dir "$dir" \
      --clients "$connections" --entries "$entries" 2>/dev/null | tail -1)
    after=$(ticks $pid)
    kill $pid; wait $pid 2>/dev/null || true
    hz=$(getconf CLK_TCK)
    echo "round $round, log size $size: $result; server $(( (after - before) * 1000000 / hz / entries )) us CPU/entry"
  done
done
