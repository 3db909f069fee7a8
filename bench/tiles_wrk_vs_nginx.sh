#!/usr/bin/env bash
# Tile reads per second under an independent load generator: candor-log vs
# nginx serving the same log directory (docs/PERFORMANCE.md, "Tile reads under
# wrk"). Debian's wrk (`wrk -t2 -c32`) GETs one full tile (/tile/0/<N>) and,
# separately, one entry bundle (/tile/entries/<N>) over keep-alive
# connections. Both servers run side by side, 2 event loops / 2 workers each,
# and the rounds alternate (candor, nginx, candor, nginx, ...) so that a
# change in the machine's state falls on both.
#
#   bench/tiles_wrk_vs_nginx.sh BUILD_DIR DATA_DIR [ROUNDS] [SECONDS] [TILE_INDEX]
#
# Prints one line per round and path with both rates, each server's CPU time
# per request (user + system of all its threads or workers over the run, in
# µs: less sensitive than the rate to what else the machine runs) and wrk's,
# the ratio and the load average at the start of the round; then the median
# ratio per path.
# REQUIRES: /usr/bin/wrk, /usr/sbin/nginx; DATA_DIR a log with at least
# 256 * (TILE_INDEX + 1) entries (candor-log init, then log_bench grow).
set -euo pipefail
build=${1:?build dir}; data=${2:?log data dir}; rounds=${3:-5}; seconds=${4:-10}; n=${5:-100}
data=$(realpath "$data")
log_bin=$build/transparency-log/candor-log
printf -v idx '%03d' "$n"
paths=("/tile/0/$idx" "/tile/entries/$idx")
for p in "${paths[@]}"; do
  [[ -f $data$p ]] || { echo "missing $data$p (grow the log)" >&2; exit 1; }
done
work=$(mktemp -d)
log_pid=; nginx_pid=
cleanup() {
  [[ -n $log_pid ]] && kill "$log_pid" 2>/dev/null
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port_log=${CANDOR_PORT_LOG:-18110}; port_nginx=${CANDOR_PORT_NGINX:-18210}
source "$(dirname "$0")/nginx_tiles.sh"
nginx_tiles_conf "$work" "$port_nginx:$data"
/usr/sbin/nginx -c "$work/nginx.conf" &
nginx_pid=$!
"$log_bin" serve --dir "$data" --listen 127.0.0.1:$port_log --rate 0 --threads 2 \
  >"$work/log.out" 2>&1 &
log_pid=$!
sleep 1
for p in "${paths[@]}"; do  # both answer 200 with the same bytes
  cmp <(curl -sf "http://127.0.0.1:$port_log$p") <(curl -sf "http://127.0.0.1:$port_nginx$p") ||
    { echo "the servers disagree on $p" >&2; exit 1; }
done

nginx_workers=$(nginx_workers "$nginx_pid")

echo "round path candor_rps candor_cpu_us wrk_cpu_us nginx_rps nginx_cpu_us wrk_cpu_us ratio load1"
declare -A ratios
for ((r = 1; r <= rounds; r++)); do
  for p in "${paths[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r c c_cpu c_wrk < <(wrk_rate "http://127.0.0.1:$port_log$p" "$seconds" "$log_pid")
    # shellcheck disable=SC2086
    read -r g g_cpu g_wrk < <(wrk_rate "http://127.0.0.1:$port_nginx$p" "$seconds" $nginx_workers)
    ratio=$(awk -v c="$c" -v g="$g" 'BEGIN {printf "%.3f", c / g}')
    ratios[$p]+="$ratio "
    echo "$r $p $c $c_cpu $c_wrk $g $g_cpu $g_wrk $ratio $load"
  done
done
for p in "${paths[@]}"; do
  echo "median ratio $p: $(median <<<"${ratios[$p]}")"
done
