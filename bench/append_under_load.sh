#!/usr/bin/env bash
# Appends while two busy-loop processes compete for the CPUs: counts the runs
# in which connections stalled (answers that never came until the server's
# idle timeout closed the connection, so log_bench reconnected and resent).
# This is the harness that showed libmicrohttpd 0.9.75's epoll thread pool
# stalling (3 of 50 runs) and poll() loops not (0 of 65); see
# docs/PERFORMANCE.md "poll(), not epoll".
#
#   bench/append_under_load.sh BUILD_DIR DATA_DIR [RUNS] [ENTRIES] [CONNECTIONS]
set -euo pipefail
build=${1:?build dir}; data=${2:?log data dir}
runs=${3:-25}; entries=${4:-20000}; connections=${5:-512}
log_bin=$build/transparency-log/candor-log
bench_bin=$build/bench/log_bench
port=18344
busy=()
for _ in 1 2; do
  (while :; do :; done) &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null || true' EXIT
stalled=0
for ((i = 1; i <= runs; i++)); do
  "$log_bin" serve --dir "$data" --listen 127.0.0.1:$port --rate 0 --max-connections-per-ip 0 >/dev/null 2>&1 &
  pid=$!
  sleep 1.5
  line=$(timeout 120 "$bench_bin" append --url http://127.0.0.1:$port --dir "$data" \
    --clients "$connections" --entries "$entries" 2>/dev/null | tail -1)
  kill $pid; wait $pid 2>/dev/null || true
  reconnects=$(sed -n 's/.* \([0-9]*\) reconnects.*/\1/p' <<<"$line")
  if [[ "${reconnects:-0}" != 0 ]]; then
    stalled=$((stalled + 1))
    echo "run $i: $line"
  fi
done
echo "$stalled of $runs runs stalled"
