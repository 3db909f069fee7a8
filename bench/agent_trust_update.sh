#!/usr/bin/env bash
# What a trust-root update costs a device as a whole process, beside a
# firmware verify (docs/PERFORMANCE.md "candor-agent: trust update vs firmware
# verify"). Alternating runs of
#   A: candor-agent trust-update --root 2.root --bundle 2.root.bundle
#      (root version 1 provisioned, empty state: parse, rotation rule, log
#      proof, one atomic state commit with fsync), and
#   B: candor-agent verify --image fw-1.1.bin --bundle 1.1.bundle
#      (root version 2 provisioned: a 200,000-byte image, no state written),
#   C: candor-agent install of the same image (flash write, state commit),
# on the files that examples/key-rotation/run.sh leaves behind with KEEP=1.
#
# Usage: KEEP=1 examples/key-rotation/run.sh BUILD   # prints "(kept DIR)"
#        bench/agent_trust_update.sh BUILD DIR [RUNS]
# Prints, per command, the median wall time (ms) over RUNS (default 200)
# alternating runs, and the ratio A/B. (GNU time's CPU figures have 10 ms
# resolution, too coarse for these processes; bench/trust_update_bench.cc
# measures the CPU cost of the verification itself.)
set -euo pipefail
build=$(cd "$1" && pwd)
dir=$(cd "$2" && pwd)
runs=${3:-200}
AGENT=$build/device-agent/candor-agent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/flash.img"
for v in 1 2; do
  printf 'trust-root %s/%s.root\nproduct printer-x1\nstate-dir %s/state%s\nflash-target %s/flash.img\n' \
    "$dir" "$v" "$work" "$v" "$work" >"$work/agent$v.conf"
done

# measure NAME CMD...: one run; appends its wall time in ms to $work/NAME.
measure() {
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  t1=$(date +%s%N)
  awk -v w=$(((t1 - t0) / 1000)) 'BEGIN {printf "%.3f\n", w / 1000}' >>"$work/$name"
}

for ((i = 0; i < runs; i++)); do
  rm -rf "$work/state1"
  measure update "$AGENT" --config "$work/agent1.conf" trust-update \
    --root "$dir/2.root" --bundle "$dir/2.root.bundle"
  measure verify "$AGENT" --config "$work/agent2.conf" verify \
    --image "$dir/fw-1.1.bin" --bundle "$dir/1.1.bundle"
  rm -rf "$work/state2"
  measure install "$AGENT" --config "$work/agent2.conf" install \
    --image "$dir/fw-1.1.bin" --bundle "$dir/1.1.bundle"
done

median() { sort -n "$work/$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for name in update verify install; do
  printf '%-7s wall %6.2f ms (median of %d)\n' "$name" "$(median "$name")" "$runs"
done
awk -v u="$(median update)" -v v="$(median verify)" \
  'BEGIN {printf "wall ratio update/verify %.2f\n", u / v}'
awk -v u="$(median update)" -v v="$(median install)" \
  'BEGIN {printf "wall ratio update/install %.2f\n", u / v}'
