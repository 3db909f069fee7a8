#!/usr/bin/env bash
# bench/agent_verify.sh: `candor-agent verify` against `openssl dgst -sha256`
# on the same image (wall time, page cache warm), plus peak RSS of the agent
# (/usr/bin/time -v "Maximum resident set size") at 16 MiB and 1 GiB.
# Targets (docs/PERFORMANCE.md "## candor-agent"): time <= 1.1x openssl,
# peak RSS <= 8 MiB at both sizes.
#
# usage: bench/agent_verify.sh [BUILD_DIR] [WORK_DIR] [RUNS]
#   BUILD_DIR  a configured+built tree with targets candor-agent and
#              candor-agent-fixture (default: build-agent)
#   WORK_DIR   where the images go; needs ~1.1 GiB free (default: mktemp -d)
#   RUNS       timed runs per tool and size, median reported (default: 5)
# env AGENT=PATH benchmarks another candor-agent binary (e.g. a static build).
set -euo pipefail

build=${1:-build-agent}
work=${2:-$(mktemp -d /tmp/candor-agent-bench.XXXXXX)}
runs=${3:-5}
agent=${AGENT:-$build/device-agent/candor-agent}
fixture=$build/tests/device-agent/candor-agent-fixture
for b in "$agent" "$fixture"; do
  [[ -x $b ]] || { echo "missing $b: cmake --build $build --target candor-agent candor-agent-fixture" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "agent: $agent ($(file -b "$agent" | cut -d, -f1-2))"
echo "openssl: $(openssl version)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-6s %12s %12s %7s %14s %14s\n' size agent_ms openssl_ms ratio agent_rss_KiB openssl_rss_KiB

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

  agent_ms=(); ossl_ms=()
  for ((i = 0; i < runs; i++)); do
    t0=$(now_ns); "${verify[@]}" > /dev/null; t1=$(now_ns)
    agent_ms+=($(( (t1 - t0) / 1000000 )))
    t0=$(now_ns); openssl dgst -sha256 "$img" > /dev/null; t1=$(now_ns)
    ossl_ms+=($(( (t1 - t0) / 1000000 )))
  done
  a=$(printf '%s\n' "${agent_ms[@]}" | median)
  o=$(printf '%s\n' "${ossl_ms[@]}" | median)
  rss_a=$(/usr/bin/time -v "${verify[@]}" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
  rss_o=$(/usr/bin/time -v openssl dgst -sha256 "$img" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
  ratio=$(awk -v a="$a" -v o="$o" 'BEGIN { printf "%.2f", (o > 0 ? a / o : 0) }')
  printf '%-6s %12s %12s %7s %14s %14s\n' "$label" "$a" "$o" "$ratio" "$rss_a" "$rss_o"
done

if [[ -z ${2:-} ]]; then rm -rf "$work"; fi
