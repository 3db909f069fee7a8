#!/usr/bin/env bash
# `candor release create` vs `openssl dgst -sha256` on the same image, run
# alternately, 5 rounds; prints wall, user and sys seconds and peak RSS of each.
# When SoftHSM2 is installed, each round also signs with a key generated on a
# SoftHSM token (`--key pkcs11:…`, docs/SIGNING.md), side by side.
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
module=/usr/lib/softhsm/libsofthsm2.so
pkcs11_key=""
if [[ -r $module ]] && command -v softhsm2-util >/dev/null; then
  mkdir tokens
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$work" > softhsm2.conf
  export SOFTHSM2_CONF=$work/softhsm2.conf CANDOR_PKCS11_PIN=123456
  softhsm2-util --init-token --free --label bench --pin 123456 --so-pin 87654321 >/dev/null
  "$candor" keygen --pkcs11 "pkcs11:token=bench?module-path=$module" \
    --name acme.example/firmware --out hsm >/dev/null 2>&1
  pkcs11_key="pkcs11:token=bench;object=acme.example%2Ffirmware?module-path=$module"
fi
for i in 1 2 3 4 5; do
  rm -f r.entry
  /usr/bin/time -f "candor-release-create %e wall %U user %S sys %M KiB" \
    "$candor" release create --key vendor.key --product p1 --version "1.0.$i" --rollback 1 \
    --image fw.bin --changelog CHANGELOG.md --out r.entry 2>&1 >/dev/null | tail -1
  if [[ -n $pkcs11_key ]]; then
    rm -f r.entry
    /usr/bin/time -f "candor-create-pkcs11  %e wall %U user %S sys %M KiB" \
      "$candor" release create --key "$pkcs11_key" --product p1 --version "1.0.$i" \
      --rollback 1 --image fw.bin --changelog CHANGELOG.md --out r.entry 2>&1 >/dev/null | tail -1
  fi
  /usr/bin/time -f "openssl-dgst-sha256   %e wall %U user %S sys %M KiB" \
    openssl dgst -sha256 fw.bin 2>&1 >/dev/null | tail -1
done
