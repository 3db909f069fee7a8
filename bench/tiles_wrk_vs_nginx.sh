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
# The same nginx configuration as bench/tiles_vs_nginx.sh, but not daemonized:
# a daemon starts a session of its own, which the scheduler (autogroup) then
# weighs against this script's as a whole, where candor-log and wrk share
# one. Both servers and wrk run in this script's session.
cat > "$work/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 100000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$port_nginx;
    location = /checkpoint { root $data; default_type text/plain; add_header Cache-Control "no-cache"; }
    location /tile/ { root $data; default_type application/octet-stream;
                      add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
CONF
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

cpu_ticks() {  # PID... -> user + system clock ticks of those processes and their threads
  local t=0 pid
  for pid in "$@"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}
nginx_workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')
hz=$(getconf CLK_TCK)

# URL PID... -> "requests/s server-µs client-µs": wrk's Requests/sec, the
# servers' CPU time per request over the run and wrk's own (on a 2-core
# machine both share the same cores); non-2xx answers abort.
rate() {
  local url=$1 out t0 t1 requests
  shift
  t0=$(cpu_ticks "$@")
  out=$(/usr/bin/time -f "wrk-cpu %U %S" /usr/bin/wrk -t2 -c32 -d"${seconds}s" "$url" 2>&1)
  t1=$(cpu_ticks "$@")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $url" >&2; exit 1; fi
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" -v t="$((t1 - t0))" \
    -v n="$requests" -v hz="$hz" -v w="$(awk '/^wrk-cpu/ {print $2 + $3}' <<<"$out")" \
    'BEGIN {printf "%s %.1f %.1f\n", rps, t / hz * 1e6 / n, w * 1e6 / n}'
}

echo "round path candor_rps candor_cpu_us wrk_cpu_us nginx_rps nginx_cpu_us wrk_cpu_us ratio load1"
declare -A ratios
for ((r = 1; r <= rounds; r++)); do
  for p in "${paths[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r c c_cpu c_wrk < <(rate "http://127.0.0.1:$port_log$p" "$log_pid")
    # shellcheck disable=SC2086
    read -r g g_cpu g_wrk < <(rate "http://127.0.0.1:$port_nginx$p" $nginx_workers)
    ratio=$(awk -v c="$c" -v g="$g" 'BEGIN {printf "%.3f", c / g}')
    ratios[$p]+="$ratio "
    echo "$r $p $c $c_cpu $c_wrk $g $g_cpu $g_wrk $ratio $load"
  done
done
for p in "${paths[@]}"; do
  echo "median ratio $p: $(tr ' ' '\n' <<<"${ratios[$p]}" | grep . | sort -n |
    awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
done
