#!/usr/bin/env bash
# Tile reads under wrk from two tlog-tiles trees served by one nginx
# (docs/PERFORMANCE.md "The log on PostgreSQL"): a data directory and a
# `candor-log export` of a PostgreSQL log, as bench/append_pg_vs_posix.sh
# leaves them. Same nginx configuration as docs/LOG.md, one server block per
# tree; the rounds alternate (A, B, A, B, ...) so that a change in the
# machine's state falls on both.
#
#   bench/tiles_export_vs_dir.sh DIR_A DIR_B [ROUNDS] [SECONDS] [TILE_INDEX]
#
# Prints one line per round and path (the full level-0 tile TILE_INDEX and its
# entry bundle): both rates, nginx's CPU per request for each, the ratio B/A
# and the load average; then the median ratio per path.
# REQUIRES: /usr/bin/wrk, /usr/sbin/nginx; both trees hold the tile and bundle.
set -euo pipefail
a=$(realpath "${1:?first tree}"); b=$(realpath "${2:?second tree}")
rounds=${3:-3}; seconds=${4:-5}; n=${5:-100}
printf -v idx '%03d' "$n"
paths=("/tile/0/$idx" "/tile/entries/$idx")
for p in "${paths[@]}"; do
  for d in "$a" "$b"; do
    [[ -f $d$p ]] || { echo "missing $d$p" >&2; exit 1; }
  done
done
work=$(mktemp -d)
nginx_pid=
cleanup() {
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port_a=${CANDOR_PORT_A:-18221}; port_b=${CANDOR_PORT_B:-18222}
source "$(dirname "$0")/nginx_tiles.sh"
nginx_tiles_conf "$work" "$port_a:$a" "$port_b:$b"
/usr/sbin/nginx -c "$work/nginx.conf" &
nginx_pid=$!
sleep 1
workers=$(nginx_workers "$nginx_pid")
echo "bytes: $(for p in "${paths[@]}"; do printf '%s %s/%s ' "$p" "$(stat -c %s "$a$p")" "$(stat -c %s "$b$p")"; done)"
echo "round path a_rps a_cpu_us b_rps b_cpu_us ratio load1"
declare -A ratios
for ((r = 1; r <= rounds; r++)); do
  for p in "${paths[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    read -r x x_cpu _ < <(wrk_rate "http://127.0.0.1:$port_a$p" "$seconds" $workers)
    # shellcheck disable=SC2086
    read -r y y_cpu _ < <(wrk_rate "http://127.0.0.1:$port_b$p" "$seconds" $workers)
    ratio=$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.3f", y / x}')
    ratios[$p]+="$ratio "
    echo "$r $p $x $x_cpu $y $y_cpu $ratio $load"
  done
done
for p in "${paths[@]}"; do
  echo "median ratio $p: $(median <<<"${ratios[$p]}")"
done
