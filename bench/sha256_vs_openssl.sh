#!/usr/bin/env bash
# Hashes the same 1 GiB file with candor-sha256 (candor::Sha256, streaming
# 1 MiB reads) and `openssl dgst -sha256`, alternating, ROUNDS times each, and
# prints the speed ratio candor/openssl from the best and the median runs
# (target >= 0.9). The file lives in the page cache after a warm-up read, so
# this measures hashing, not the disk.
#
# usage: bench/sha256_vs_openssl.sh [path/to/candor-sha256] [rounds]
# default binary: build-merkle-rel/bench/candor-sha256 (a Release build with
# -DCANDOR_BUILD_BENCH=ON). The 1 GiB file is created in /tmp and deleted.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build-merkle-rel/bench/candor-sha256}"
rounds="${2:-5}"
[ -x "$bin" ] || { echo "no candor-sha256 at $bin" >&2; exit 2; }

file="$(mktemp /tmp/candor-sha256-bench.XXXXXX)"
trap 'rm -f "$file"' EXIT
head -c 1073741824 /dev/urandom > "$file"
cat "$file" > /dev/null  # warm the page cache

# run_timed CMD...: sets T (wall seconds), C (user+sys CPU seconds) and OUT.
# CPU time is reported too because on a loaded machine wall time mostly
# measures the scheduler.
run_timed() {
  local tf
  tf=$(mktemp)
  TIMEFORMAT='%R %U %S'
  { time OUT=$("$@") ; } 2> "$tf"
  read -r T u s < "$tf"
  rm -f "$tf"
  C=$(echo "$u + $s" | bc -l)
}

candor_times=() openssl_times=() candor_cpu=() openssl_cpu=()
for r in $(seq 1 "$rounds"); do
  run_timed "$bin" "$file"
  tc=$T cc=$C dc=$(echo "$OUT" | awk '{print $1}')   # "<hex>  <file>"
  run_timed openssl dgst -sha256 "$file"
  to=$T co=$C do_=$(echo "$OUT" | awk '{print $NF}')  # "SHA2-256(<file>)= <hex>"
  if [ "$dc" != "$do_" ]; then echo "DIGEST MISMATCH: candor $dc openssl $do_" >&2; exit 1; fi
  printf 'round %d: candor-sha256 %.3f s (cpu %.3f)   openssl dgst -sha256 %.3f s (cpu %.3f)\n' \
    "$r" "$tc" "$cc" "$to" "$co"
  candor_times+=("$tc") openssl_times+=("$to") candor_cpu+=("$cc") openssl_cpu+=("$co")
done

stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)]}'; }
read -r cbest cmed < <(stats "${candor_times[@]}")
read -r obest omed < <(stats "${openssl_times[@]}")
gib() { echo "1 / $1" | bc -l; }
printf 'digest %s (both)\n' "$dc"
printf 'candor-sha256: best %.3f s (%.2f GiB/s), median %.3f s\n' "$cbest" "$(gib "$cbest")" "$cmed"
printf 'openssl dgst : best %.3f s (%.2f GiB/s), median %.3f s\n' "$obest" "$(gib "$obest")" "$omed"
read -r ccbest ccmed < <(stats "${candor_cpu[@]}")
read -r ocbest ocmed < <(stats "${openssl_cpu[@]}")
printf 'cpu (user+sys): candor best %.3f s median %.3f s; openssl best %.3f s median %.3f s\n' \
  "$ccbest" "$ccmed" "$ocbest" "$ocmed"
printf 'speed ratio candor/openssl (wall): best %.3f, median %.3f (target >= 0.9)\n' \
  "$(echo "$obest / $cbest" | bc -l)" "$(echo "$omed / $cmed" | bc -l)"
printf 'speed ratio candor/openssl (cpu):  best %.3f, median %.3f\n' \
  "$(echo "$ocbest / $ccbest" | bc -l)" "$(echo "$ocmed / $ccmed" | bc -l)"
