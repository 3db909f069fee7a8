# Shared by the example scripts (examples/*/run.sh), sourced after `set -euo
# pipefail`: a temporary working directory removed on exit (kept with KEEP=1),
# servers stopped on exit, and the output helpers.
#
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

pids=()
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
