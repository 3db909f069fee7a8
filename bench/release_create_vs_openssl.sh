#!/usr/bin/env bash
# `candor release create` vs `openssl dgst -sha256` on the same image, run
# alternately, 5 rounds; prints wall, user and sys seconds and peak RSS of each.
# Usage: bench/release_create_vs_openssl.sh [CANDOR_BINARY] [SIZE_MIB]
set -euo pipefail
candor=$(realpath "${1:-build/cli/candor}")
size_mib=${2:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > fw.bin
printf '# 1.0\nfirst release\n' > CHANGELOG.md
"$candor" keygen --name acme.example/firmware --out vendor >/dev/null 2>&1
for i in 1 2 3 4 5; do
  rm -f r.entry
  /usr/bin/time -f "candor-release-create %e wall %U user %S sys %M KiB" \
    "$candor" release create --key vendor.key --product p1 --version "1.0.$i" --rollback 1 \
    --image fw.bin --changelog CHANGELOG.md --out r.entry 2>&1 >/dev/null | tail -1
  /usr/bin/time -f "openssl-dgst-sha256   %e wall %U user %S sys %M KiB" \
    openssl dgst -sha256 fw.bin 2>&1 >/dev/null | tail -1
done
