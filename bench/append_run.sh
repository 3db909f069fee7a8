# Sourced by bench/append_scaling.sh and bench/append_ab.sh: one durable
# append run against a fresh candor-log, with the server's CPU per entry.
#
#   append_run LABEL CANDOR_LOG LOG_BENCH DATA ENTRIES CONNECTIONS [STORAGE]
# With STORAGE (a postgres:// URI) the server runs with --storage STORAGE.
# Prints "LABEL: <log_bench's summary>; server <N> us CPU/entry" (CPU from
# /proc/<pid>/stat around the run).
append_run() {
  local label=$1 log_bin=$2 bench_bin=$3 dir=$4 entries=$5 connections=$6 storage=${7:-}
  local port=18340 hz pid before after result
  local -a extra=()
  [[ -n "$storage" ]] && extra=(--storage "$storage")
  hz=$(getconf CLK_TCK)
  "$log_bin" serve --dir "$dir" "${extra[@]}" --listen 127.0.0.1:$port --rate 0 \
    --max-connections-per-ip 0 >/dev/null 2>&1 &
  pid=$!
  sleep 2
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  result=$("$bench_bin" append --url http://127.0.0.1:$port --dir "$dir" \
    --clients "$connections" --entries "$entries" 2>/dev/null | tail -1)
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$label: $result; server $(( (after - before) * 1000000 / hz / entries )) us CPU/entry"
}
