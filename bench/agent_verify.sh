#!/usr/bin/env bash
# bench/agent_verify.sh: `candor-agent verify` against `openssl dgst -sha256`
# on the same image (page cache warm), by wall time and by CPU time
# (user+sys), plus peak RSS (/usr/bin/time "Maximum resident set size"), at
# 16 MiB and 1 GiB. Targets (docs/PERFORMANCE.md "## candor-agent"): time <=
# 1.1x openssl, peak RSS <= 8 MiB at both sizes.
#
# usage: bench/agent_verify.sh [BUILD_DIR] [WORK_DIR] [RUNS]
#   BUILD_DIR  a configured+built tree with targets candor-agent and
#              candor-agent-fixture (default: build-agent)
#   WORK_DIR   where the images go; needs ~1.1 GiB free (default: a temporary
#              directory, deleted at the end; a given WORK_DIR is kept and its
#              images reused)
#   RUNS       timed runs per tool and size, median reported (default: 5)
# env AGENT=PATH benchmarks another candor-agent binary (e.g. a static build).
set -euo pipefail

build=${1:-build-agent}
work=${2:-}
runs=${3:-5}
agent=${AGENT:-$build/device-agent/candor-agent}
fixture=$build/tests/device-agent/candor-agent-fixture
for b in "$agent" "$fixture"; do
  [[ -x $b ]] || { echo "missing $b: cmake --build $build --target candor-agent candor-agent-fixture" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cleanup=""
if [[ -z $work ]]; then
  work=$(mktemp -d /tmp/candor-agent-bench.XXXXXX)
  cleanup=$work
fi
trap '[[ -n $cleanup ]] && rm -rf "$cleanup"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Prints "wall_ms cpu_ms maxrss_KiB" of one run of "$@" (stdout discarded).
# Wall time from date(1) in ns (time(1) only has 10 ms resolution); CPU time
# (user+sys) and peak RSS from /usr/bin/time.
measure() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$work/time.out" "$@" > /dev/null
  t1=$(date +%s%N)
  awk -v w=$(( (t1 - t0) / 1000000 )) '{printf "%d %d %d\n", w, ($1 + $2) * 1000, $3}' "$work/time.out"
}

echo "agent: $agent ($(file -b "$agent" | cut -d, -f1-2,5 | sed 's/  */ /g'))"
echo "openssl: $(openssl version)"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s | %9s %9s %6s | %9s %9s %6s | %9s %9s\n' size agent_ms ossl_ms ratio \
  agent_cpu ossl_cpu ratio agent_KiB ossl_KiB

for spec in 16M:16MiB 1G:1GiB; do
  size=${spec%%:*}; label=${spec##*:}
  dir=$work/$label
  mkdir -p "$dir"
  img=$dir/image
  [[ -f $img ]] || head -c "$size" /dev/urandom > "$img"
  "$fixture" "$img" "$dir"
  cat "$img" > /dev/null  # warm the page cache for both tools

  verify=("$agent" --config "$dir/agent.conf" verify --image "$img" --bundle "$dir/bundle")
  "${verify[@]}" > /dev/null  # must succeed before timing

  : > "$dir/agent.runs"; : > "$dir/ossl.runs"
  for ((i = 0; i < runs; i++)); do  # alternate, so load changes hit both alike
    measure "${verify[@]}" >> "$dir/agent.runs"
    measure openssl dgst -sha256 "$img" >> "$dir/ossl.runs"
  done
  aw=$(cut -d' ' -f1 "$dir/agent.runs" | median); ow=$(cut -d' ' -f1 "$dir/ossl.runs" | median)
  ac=$(cut -d' ' -f2 "$dir/agent.runs" | median); oc=$(cut -d' ' -f2 "$dir/ossl.runs" | median)
  ar=$(cut -d' ' -f3 "$dir/agent.runs" | sort -n | tail -1); orr=$(cut -d' ' -f3 "$dir/ossl.runs" | sort -n | tail -1)
  rw=$(awk -v a="$aw" -v o="$ow" 'BEGIN { printf "%.2f", (o > 0 ? a / o : 0) }')
  rc=$(awk -v a="$ac" -v o="$oc" 'BEGIN { printf "%.2f", (o > 0 ? a / o : 0) }')
  printf '%-6s | %9s %9s %6s | %9s %9s %6s | %9s %9s\n' "$label" "$aw" "$ow" "$rw" "$ac" "$oc" "$rc" "$ar" "$orr"
done
echo "(wall and cpu: median of $runs alternating runs, ms; RSS: maximum over the runs)"
