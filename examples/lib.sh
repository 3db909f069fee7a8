# Shared by the example scripts (examples/*/run.sh), sourced after `set -euo
# pipefail`: a temporary working directory removed on exit (kept with KEEP=1),
# servers stopped on exit, and the output helpers.
#
#   example_binaries [BUILD_DIR]
#                         sets $CANDOR, $LOG, $WITNESS and $AGENT from
#                         BUILD_DIR (or $CANDOR_BUILD_DIR, else build/ in
#                         the repository); exits 2 unless all four are built
#   example_start NAME    makes $work (mktemp under $TMPDIR), cds into it,
#                         installs the exit trap; servers started later are
#                         added to the `pids` array
#   say TEXT              a section heading
#   note TEXT             an indented remark
#   indent                indents its standard input as program output
#   run_expect CODE CMD…  runs CMD, shows its output, fails unless it exits CODE
#   wait_for_port FILE PATTERN
#                         the port a server printed after PATTERN (servers
#                         listen on port 0), waiting up to 10 s
#   require_framework NAME PROGRAM...
#                         exits 77 (CTest's skip) when a PROGRAM is missing,
#                         or 1 when CANDOR_REQUIRE_FRAMEWORK is set (CI)
#   start_log_and_witnesses
#                         a candor-log (origin log.example/firmware) cosigned
#                         by two candor-witnesses (w1, w2; both required);
#                         sets $LOG_URL, $log_vkey and $witness_lines (needs
#                         $LOG and $WITNESS)
#   policy_with_vendor FILE VENDOR_PUB PRODUCT
#                         a device policy for that log and its witnesses
#   publish_to_rogue_log ENTRY OUT VENDOR_PUB
#                         logs ENTRY in a second candor-log no device trusts
#                         (origin rogue.example/firmware, no witness) and
#                         writes its bundle to OUT: "logged, but not where
#                         anyone looks"

pids=()
example_binaries() {
  local repo build bin
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  build=${1:-${CANDOR_BUILD_DIR:-$repo/build}}
  build=$(cd "$build" && pwd)
  CANDOR=$build/cli/candor
  LOG=$build/transparency-log/candor-log
  WITNESS=$build/witness/candor-witness
  AGENT=$build/device-agent/candor-agent
  for bin in "$CANDOR" "$LOG" "$WITNESS" "$AGENT"; do
    [[ -x $bin ]] || { echo "missing $bin (build it first: cmake --build $build)" >&2; exit 2; }
  done
}
example_cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "(kept $work)"
  else
    rm -rf "$work"
  fi
}
example_start() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/candor-$1.XXXXXX")
  trap example_cleanup EXIT
  cd "$work"
}

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
indent() { sed 's/^/   | /'; }
run_expect() {
  local want=$1 got=0
  shift
  "$@" >out.txt 2>err.txt || got=$?
  cat out.txt err.txt | indent
  if [[ $got != "$want" ]]; then
    echo "UNEXPECTED: exit code $got, expected $want: $*" >&2
    exit 1
  fi
}
wait_for_port() {
  local file=$1 pattern=$2 i port
  for i in $(seq 1 100); do
    port=$(grep -o "$pattern[0-9]*" "$file" 2>/dev/null | head -1 | grep -o '[0-9]*$' || true)
    if [[ -n $port ]]; then
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start; its output:" >&2
  cat "$file" >&2
  return 1
}
require_framework() {
  local name=$1 prog
  shift
  for prog in "$@"; do
    command -v "$prog" >/dev/null && continue
    if [[ -n ${CANDOR_REQUIRE_FRAMEWORK:-} ]]; then
      echo "FAIL: $prog not found; the $name example needs it (scripts/install-deps)" >&2
      exit 1
    fi
    echo "SKIP: $prog not found; the $name example needs it (scripts/install-deps)"
    exit 77
  done
}
start_log_and_witnesses() {
  say "A transparency log, cosigned by two independent witnesses"
  "$LOG" init --dir log --origin log.example/firmware | indent
  log_vkey=$(cat log/log.pub)
  local w vkey port
  witness_lines=""
  for w in w1 w2; do
    vkey=$("$WITNESS" init --dir "$w" --name "witness.example/$w")
    "$WITNESS" logs add --dir "$w" --origin log.example/firmware --key "$log_vkey" >/dev/null
    "$WITNESS" serve --dir "$w" --listen 127.0.0.1:0 >"$w.out" 2>&1 &
    pids+=($!)
    port=$(wait_for_port "$w.out" "listening on http://127.0.0.1:")
    witness_lines+="witness $w $vkey http://127.0.0.1:$port"$'\n'
  done
  printf 'log %s\n%sgroup both 2 w1 w2\nquorum both\n' "$log_vkey" "$witness_lines" >log.policy
  "$LOG" serve --dir log --listen 127.0.0.1:0 --checkpoint-interval 0.2 --policy log.policy \
    >log.out 2>&1 &
  pids+=($!)
  port=$(wait_for_port log.out " on 127.0.0.1:")
  LOG_URL=http://127.0.0.1:$port
  note "log serving on $LOG_URL"
}
policy_with_vendor() {
  {
    echo "log $log_vkey"
    printf '%s' "$witness_lines"
    echo "group both 2 w1 w2"
    echo "quorum both"
    echo "vendor $(cat "$2") $3"
    echo "max-checkpoint-age 3600"
  } >"$1"
}
publish_to_rogue_log() {
  local port
  "$LOG" init --dir rogue --origin rogue.example/firmware >/dev/null
  "$LOG" vendors add --dir rogue "$3" >/dev/null
  printf 'log %s\nquorum none\n' "$(cat rogue/log.pub)" >rogue.policy
  "$LOG" serve --dir rogue --listen 127.0.0.1:0 --checkpoint-interval 0.2 --policy rogue.policy \
    >rogue.out 2>&1 &
  pids+=($!)
  port=$(wait_for_port rogue.out " on 127.0.0.1:")
  "$CANDOR" publish --log "http://127.0.0.1:$port" --policy rogue.policy "$1" --out "$2" 2>&1 |
    indent
}
