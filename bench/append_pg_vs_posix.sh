#!/usr/bin/env bash
# Durable appends over HTTP, PostgreSQL store against the data directory, side
# by side on the same machine (docs/PERFORMANCE.md "The log on PostgreSQL").
# Makes a PostgreSQL primary with a synchronous streaming standby in a
# temporary directory (127.0.0.1 ports; as the `postgres` user under root),
# one log on each store, and alternates rounds: posix, pg, posix, pg, ...
# The server's CPU per entry is printed as by append_ab.sh; PostgreSQL's own
# CPU is on the same 2 cores and is not counted there.
#
#   bench/append_pg_vs_posix.sh BUILD ROUNDS
# e.g. bench/append_pg_vs_posix.sh build-bench 3
# Entries per run: ENTRIES (default 30000); connections: CONNECTIONS (512).
# With TILES=1, afterwards: `candor-log export` of the PostgreSQL log, then
# nginx serving that export against nginx serving the data directory under
# wrk (bench/tiles_export_vs_dir.sh; the logs need 256 * 101 entries each).
set -euo pipefail
build=${1:?build dir}; rounds=${2:?rounds}
log_bin=$build/transparency-log/candor-log; bench_bin=$build/bench/log_bench
entries=${ENTRIES:-30000}; connections=${CONNECTIONS:-512}
source "$(dirname "$0")/append_run.sh"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/candor-pgbench-XXXXXX)
as_pg=()
if [[ $(id -u) == 0 ]]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
cleanup() {
  for c in primary standby; do
    [[ -d $work/$c ]] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/$c" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
p1=18451; p2=18452
"${as_pg[@]}" "$pgbin/initdb" -D "$work/primary" -U candor --auth=trust >/dev/null
cat >>"$work/primary/postgresql.conf" <<CONF
port = $p1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 4
CONF
echo "host replication candor 127.0.0.1/32 trust" >>"$work/primary/pg_hba.conf"
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w start >/dev/null
"${as_pg[@]}" "$pgbin/createdb" -h 127.0.0.1 -p $p1 -U candor candor
"${as_pg[@]}" "$pgbin/pg_basebackup" -h 127.0.0.1 -p $p1 -U candor -D "$work/standby" -R \
  -d "host=127.0.0.1 port=$p1 user=candor application_name=candor_standby"
cat >>"$work/standby/postgresql.conf" <<CONF
port = $p2
CONF
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/standby" -l "$work/standby.log" -w start >/dev/null
"${as_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p $p1 -U candor -d candor -qAt \
  -c "ALTER SYSTEM SET synchronous_standby_names = 'candor_standby'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 100); do
  state=$("${as_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p $p1 -U candor -d candor -qAt \
    -c "SELECT sync_state FROM pg_stat_replication")
  [[ $state == sync ]] && break
  sleep 0.1
done
[[ $state == sync ]] || { echo "the standby is not synchronous" >&2; exit 1; }
uri="postgresql://candor@127.0.0.1:$p1/candor"
"$log_bin" init --dir "$work/posix" --origin bench.example/posix >/dev/null
"$log_bin" init --dir "$work/pg" --origin bench.example/pg --storage "$uri" >/dev/null
echo "primary + synchronous standby on 127.0.0.1:$p1,$p2; $entries entries x $connections connections per run"
# CPU ticks of this benchmark's PostgreSQL servers: each postmaster's own and
# its reaped children's (backends of finished connections), plus its live
# children's.
pg_ticks() {
  local total=0 pm pid
  for pm in $(head -qn1 "$work/primary/postmaster.pid" "$work/standby/postmaster.pid"); do
    total=$((total + $(awk '{print $14+$15+$16+$17}' "/proc/$pm/stat")))
    for pid in $(pgrep -P "$pm"); do
      [[ -r /proc/$pid/stat ]] && total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat")))
    done
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
for ((round = 1; round <= rounds; round++)); do
  append_run "posix round $round" "$log_bin" "$bench_bin" "$work/posix" "$entries" "$connections"
  before=$(pg_ticks)
  line=$(append_run "pg    round $round" "$log_bin" "$bench_bin" "$work/pg" "$entries" "$connections" "$uri")
  after=$(pg_ticks)
  echo "$line; postgres $(( (after - before) * 1000000 / hz / entries )) us CPU/entry"
done
if [[ ${TILES:-0} == 1 ]]; then
  "$log_bin" export --storage "$uri" --dir "$work/export" --log-key "$work/pg/log.pub" >/dev/null
  # nginx's workers run unprivileged: let them reach both trees (the
  # clusters' own directories stay private).
  chmod o+x "$work"; chmod -R o+rX "$work/posix" "$work/export"
  echo "tile reads under wrk, nginx on the data directory (a) vs nginx on the PostgreSQL log's export (b):"
  "$(dirname "$0")/tiles_export_vs_dir.sh" "$work/posix" "$work/export" 3 5 100
fi
