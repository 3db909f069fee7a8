#!/usr/bin/env bash
# Tile reads per second: candor-log vs nginx serving the same log directory
# (docs/PERFORMANCE.md, "Tile reads"). Both on 127.0.0.1, measured one after
# the other with the same load generator (log_bench tiles: N keep-alive
# clients GETting random full tiles and entry bundles).
#
#   bench/tiles_vs_nginx.sh BUILD_DIR DATA_DIR [CLIENTS] [SECONDS]
set -euo pipefail
build=${1:?build dir}; data=${2:?log data dir}; clients=${3:-8}; seconds=${4:-8}
log_bin=$build/transparency-log/candor-log
bench_bin=$build/bench/log_bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port_log=18100; port_nginx=18200
# nginx not daemonized: a daemon starts a session of its own, which the
# scheduler (autogroup) weighs against this script's, where candor-log and
# the load generator share one (bench/tiles_wrk_vs_nginx.sh).
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
"$log_bin" serve --dir "$data" --listen 127.0.0.1:$port_log --rate 0 >"$work/log.out" 2>&1 &
sleep 1
echo "candor-log: $("$bench_bin" tiles --url http://127.0.0.1:$port_log --clients "$clients" --seconds "$seconds")"
echo "nginx:      $("$bench_bin" tiles --url http://127.0.0.1:$port_nginx --clients "$clients" --seconds "$seconds")"
