#!/usr/bin/env bash
# `audit sync` over HTTPS vs plain HTTP through the same nginx, side by side
# (docs/PERFORMANCE.md "audit sync over HTTPS"). nginx runs the shipped
# examples/nginx/candor-tls.conf (ports and paths substituted) with one extra
# plain-HTTP listener in the log's server block, so both schemes go through
# the same proxy settings (keep-alive upstream) to the same static tlog-tiles
# server (`audit_sync serve`). Each round syncs the log into two new mirrors,
# one per scheme, alternating which goes first; prints each sync's entries/s,
# then the medians and the ratio HTTPS / HTTP.
#
#   bench/https_vs_http.sh BUILD_DIR LOG_DIR MIRROR_PREFIX [ROUNDS]
# LOG_DIR comes from `audit_sync build --log LOG_DIR --size N`; mirrors
# MIRROR_PREFIX.<round>.<scheme> must not exist (deleted at the end).
set -euo pipefail
build=${1:?build dir}; log=${2:?log dir}; mirror=${3:?mirror prefix}; rounds=${4:-5}
bin=$build/bench/audit_sync
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/https-vs-http.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ((r = 1; r <= rounds; r++)); do rm -rf "$mirror.$r.http" "$mirror.$r.https"; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A private CA and a certificate for 127.0.0.1 (P-256, as the tests make).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=bench-ca -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
  -keyout "$work/log.key" -out "$work/log.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/log.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/log.crt" 2>/dev/null
cp "$work/log.crt" "$work/witness.crt"; cp "$work/log.key" "$work/witness.key"

up=$(free_port); tls=$(free_port); plain=$(free_port)
"$bin" serve --log "$log" --port "$up" >/dev/null &
pids+=($!)
sed -e "s|listen 443 ssl;|listen 127.0.0.1:$tls ssl;|" \
    -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$up;|" \
    -e "s|/etc/ssl/candor/|$work/|" "$src/examples/nginx/candor-tls.conf" |
  awk -v p="$plain" '{ print } /listen 127.0.0.1:[0-9]+ ssl;/ && !done { print "    listen 127.0.0.1:" p ";"; done = 1 }' \
  >"$work/candor-tls.conf"
mkdir -p "$work/tmp"
user=""; [[ $(id -u) == 0 ]] && user="user root;"
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
$user
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  include $work/candor-tls.conf;
}
CONF
/usr/sbin/nginx -p "$work" -e "$work/error.log" -c "$work/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do [[ -s $work/nginx.pid ]] && break; sleep 0.1; done; sleep 0.2

rate() { sed -n 's/.* \([0-9]*\) entries\/s wall.*/\1/p'; }
sync_one() {  # scheme round
  local url="http://127.0.0.1:$plain"
  [[ $1 == https ]] && url="https://127.0.0.1:$tls"
  "$bin" run --log "$log" --mirror "$mirror.$2.$1" --url "$url" --ca-file "$work/ca.crt" 2>/dev/null | rate
}
http_rates=(); https_rates=()
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then h=$(sync_one http "$r"); s=$(sync_one https "$r")
  else s=$(sync_one https "$r"); h=$(sync_one http "$r"); fi
  echo "round $r: http $h entries/s, https $s entries/s ($(awk -v s="$s" -v h="$h" 'BEGIN { printf "%.3f", s / h }')x)"
  http_rates+=("$h"); https_rates+=("$s")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mh=$(median "${http_rates[@]}"); ms=$(median "${https_rates[@]}")
awk -v h="$mh" -v s="$ms" 'BEGIN { printf "median: http %d entries/s, https %d entries/s: ratio %.3fx\n", h, s, s / h }'
