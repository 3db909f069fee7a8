# Sourced by the tile benchmarks (tiles_vs_nginx.sh, tiles_wrk_vs_nginx.sh,
# tiles_export_vs_dir.sh): nginx serving tlog-tiles trees as docs/LOG.md
# shows, and one wrk measurement.
#
#   nginx_tiles_conf WORK PORT:ROOT...   writes WORK/nginx.conf, one server per PORT:ROOT
#   nginx_workers PID                    the worker PIDs of the nginx started as PID
#   wrk_rate URL SECONDS PID...          "requests/s server-µs wrk-µs" (below)
#
# nginx is not daemonized: a daemon starts a session of its own, which the
# scheduler (autogroup) then weighs against the benchmark's as a whole, where
# candor-log and the load generator share one. Start it with
#   /usr/sbin/nginx -c WORK/nginx.conf &
nginx_tiles_conf() {
  local work=$1 server port root
  shift
  {
    cat <<CONF
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
CONF
    for server in "$@"; do
      port=${server%%:*}; root=${server#*:}
      cat <<CONF
  server {
    listen 127.0.0.1:$port;
    location = /checkpoint { root $root; default_type text/plain; add_header Cache-Control "no-cache"; }
    location /tile/ { root $root; default_type application/octet-stream;
                      add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
CONF
    done
    echo "}"
  } > "$work/nginx.conf"
}

# PID -> the worker PIDs of the nginx master PID, once it runs; exits when
# it does not (a port taken by a leftover server would be measured instead).
nginx_workers() {
  local master=$1 workers=
  for _ in $(seq 50); do
    kill -0 "$master" 2>/dev/null || { echo "nginx did not start" >&2; exit 1; }
    workers=$(pgrep -P "$master" | tr '\n' ' ')
    [[ -n $workers ]] && { echo "$workers"; return; }
    sleep 0.1
  done
  echo "nginx started no workers" >&2
  exit 1
}

# PID... -> user + system clock ticks of those processes and their threads.
cpu_ticks() {
  local t=0 pid
  for pid in "$@"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}

# URL SECONDS PID... -> "requests/s server-µs client-µs": wrk's Requests/sec
# (`wrk -t2 -c32`, keep-alive), the servers' CPU time per request over the run
# and wrk's own (on a 2-core machine both share the same cores); non-2xx
# answers abort.
wrk_rate() {
  local url=$1 seconds=$2 out t0 t1 requests hz
  shift 2
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$@")
  out=$(/usr/bin/time -f "wrk-cpu %U %S" /usr/bin/wrk -t2 -c32 -d"${seconds}s" "$url" 2>&1)
  t1=$(cpu_ticks "$@")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $url" >&2; exit 1; fi
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" -v t="$((t1 - t0))" \
    -v n="$requests" -v hz="$hz" -v w="$(awk '/^wrk-cpu/ {print $2 + $3}' <<<"$out")" \
    'BEGIN {printf "%s %.1f %.1f\n", rps, t / hz * 1e6 / n, w * 1e6 / n}'
}

# The median of the numbers on stdin (one per line or space-separated).
median() {
  tr ' ' '\n' | grep . | sort -n |
    awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
