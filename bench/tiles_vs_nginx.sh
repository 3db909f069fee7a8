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
source "$(dirname "$0")/nginx_tiles.sh"
nginx_tiles_conf "$work" "$port_nginx:$data"
/usr/sbin/nginx -c "$work/nginx.conf" &
"$log_bin" serve --dir "$data" --listen 127.0.0.1:$port_log --rate 0 >"$work/log.out" 2>&1 &
sleep 1
echo "candor-log: $("$bench_bin" tiles --url http://127.0.0.1:$port_log --clients "$clients" --seconds "$seconds")"
echo "nginx:      $("$bench_bin" tiles --url http://127.0.0.1:$port_nginx --clients "$clients" --seconds "$seconds")"
