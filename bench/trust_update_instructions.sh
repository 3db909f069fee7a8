#!/usr/bin/env bash
# Instructions per call of Verify (firmware) and VerifyTrustRootUpdate, counted
# by callgrind: a figure the load of a shared machine does not move
# (docs/PERFORMANCE.md "Trust update vs firmware verify").
# Usage: bench/trust_update_instructions.sh BUILD_DIR   (a Release build with
#        -DCANDOR_BUILD_BENCH=ON; needs valgrind)
set -euo pipefail
bench=${1:?usage: $0 BUILD_DIR}/bench/trust_update_bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-28s %8s %14s\n' case calls instructions/call
for c in VerifyFirmware/4096 VerifyFirmware/65536 VerifyFirmware/262144 \
         TrustRootUpdate/2 TrustRootUpdate/0 TrustRootUpdate/1; do
  # Only the calls themselves are counted: the world (a 2^20-leaf tree) is
  # built outside them.
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
    '--toggle-collect=candor::VerifyTrustRootUpdate*' '--toggle-collect=candor::Verify(*' \
    "$bench" --benchmark_filter="^BM_$c\$" --benchmark_min_time=0.01 \
    --benchmark_format=json >"$out/json" 2>/dev/null
  iterations=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["benchmarks"][0]["iterations"])' "$out/json")
  total=$(callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  printf '%-28s %8d %14d\n' "$c" "$iterations" $((total / iterations))
done
