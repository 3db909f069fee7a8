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
port=18340
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
for ((round = 1; round <= rounds; round++)); do
  for named in "$@"; do
    name=${named%%=*}; log_bin=${named#*=}
    "$log_bin" serve --dir "$dir" --listen 127.0.0.1:$port --rate 0 --max-connections-per-ip 0 >/dev/null 2>&1 &
    pid=$!
    sleep 2
    before=$(ticks $pid)
    result=$("$bench_bin" append --url http://127.0.0.1:$port --dir "$dir" \
      --clients "$connections" --entries "$entries" 2>/dev/null | tail -1)
    after=$(ticks $pid)
    kill $pid; wait $pid 2>/dev/null || true
    echo "$name round $round: $result; server $(( (after - before) * 1000000 / hz / entries )) us CPU/entry"
  done
done
