#!/usr/bin/env bash
# SWUpdate installs only what the log holds: candor-agent verifies the whole
# .swu against the device's policy, then runs the real `swupdate -i` on the
# verified staged copy (flash-command), into a file-backed slot. On this
# machine only (127.0.0.1, a temporary directory). docs/FRAMEWORKS.md explains
# the setup.
#
#   1. A log (candor-log) cosigned by two witnesses. ACME registers its release
#      key, and has an X.509 signer for SWUpdate's own CMS signature (Debian's
#      swupdate is built with CONFIG_SIGNED_IMAGES and refuses unsigned .swu).
#   2. ACME builds update-1.0.swu with SWUpdate's own format (sw-description
#      pinning the image's SHA-256, its CMS signature, a newc/crc cpio), logs
#      the whole .swu as release 1.0 and ships update-1.0.swu.bundle beside it.
#   3. The gateway installs it: candor-agent install --image update-1.0.swu
#      --bundle update-1.0.swu.bundle; the slot (a regular file) holds 1.0.
#   4. Refused, slot and state byte-for-byte untouched: a .swu signed by ACME
#      but logged only in a log the device does not trust (exit 5), the same
#      .swu with 1.0's bundle (exit 6), 1.0 with one byte flipped (exit 6),
#      and swupdate started without candor-agent (no signer certificate).
#   5. 1.1 is logged and installed, with a consistency proof.
#
# Usage: examples/swupdate/run.sh [BUILD_DIR]
#   BUILD_DIR (or $CANDOR_BUILD_DIR): a CMake build directory with candor,
#   candor-log, candor-witness and candor-agent. Default: build/. KEEP=1 keeps
#   the temporary directory. Needs swupdate, cpio and openssl; exits 77 (skip)
#   when swupdate is missing, unless CANDOR_REQUIRE_FRAMEWORK is set (CI).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=examples/lib.sh
source "$here/../lib.sh"
example_binaries "${1:-}"
require_framework swupdate swupdate cpio openssl
SWUPDATE=$(command -v swupdate)

example_start swupdate
start_log_and_witnesses

say "ACME: a Candor release key (registered with the log) and an SWUpdate signer"
"$CANDOR" keygen --name acme.example --out acme >/dev/null 2>&1
"$LOG" vendors add --dir log acme.pub | indent
# SWUpdate verifies sw-description's CMS signature against this certificate
# (-k); emailProtection is SWUpdate's default --cert-purpose.
openssl req -x509 -newkey rsa:3072 -nodes -keyout swu-signer.key -out swu-signer.crt \
  -subj /CN=acme-swupdate -days 365 -addext keyUsage=digitalSignature \
  -addext extendedKeyUsage=emailProtection 2>/dev/null
policy_with_vendor device.policy acme.pub gateway-g1

# build_swu OUT.swu VERSION IMAGE: SWUpdate's own artifact. sw-description
# first, then its CMS signature, then the image, in a newc cpio with CRCs
# (the format `swupdate -i` reads); the raw handler writes the image to the
# slot after checking the sha256 that sw-description pins.
build_swu() {
  local out=$1 version=$2 image=$3 dir
  dir=$(mktemp -d swu.XXXXXX)
  cp "$image" "$dir/rootfs.img"
  cat >"$dir/sw-description" <<DESC
software =
{
	version = "$version";
	description = "ACME gateway firmware";
	hardware-compatibility: [ "1.0" ];
	images: (
		{
			filename = "rootfs.img";
			type = "raw";
			device = "$work/device/slot.img";
			sha256 = "$(sha256sum "$image" | cut -d' ' -f1)";
		}
	);
}
DESC
  openssl cms -sign -in "$dir/sw-description" -out "$dir/sw-description.sig" \
    -signer swu-signer.crt -inkey swu-signer.key -outform DER -nosmimecap -binary
  (cd "$dir" && printf '%s\n' sw-description sw-description.sig rootfs.img |
    cpio --quiet -o -H crc) >"$out"
  rm -rf "$dir"
}

# release_swu VERSION ROLLBACK: rootfs-VERSION.img (random), built into
# update-VERSION.swu, and the release entry VERSION.entry whose image is the
# whole .swu, signed with ACME's release key (not yet logged).
release_swu() {
  head -c 300000 /dev/urandom >"rootfs-$1.img"
  build_swu "update-$1.swu" "$1" "rootfs-$1.img"
  printf '# %s\n\n- Changes\n' "$1" >"CHANGELOG-$1.md"
  "$CANDOR" release create --key acme.key --product gateway-g1 --version "$1" --rollback "$2" \
    --image "update-$1.swu" --changelog "CHANGELOG-$1.md" --out "$1.entry" >/dev/null
}

say "ACME builds update-1.0.swu with SWUpdate's format and logs the whole .swu"
mkdir -p device
release_swu 1.0 100
"$CANDOR" publish --log "$LOG_URL" --policy device.policy 1.0.entry --out update-1.0.swu.bundle \
  2>&1 | indent
note "update-1.0.swu and update-1.0.swu.bundle travel side by side"

say "The gateway: candor-agent runs swupdate on the verified copy, into a file-backed slot"
head -c 4096 /dev/zero >device/slot.img
mkdir -p device/swupdate-tmp
# -k: the SWUpdate signer lives only in candor-agent's configuration, so a
# swupdate started any other way refuses to run. -H: the board and revision
# sw-description must list. -m -M: this machine has no U-Boot/GRUB
# environment for SWUpdate's state and transaction markers; keep them on a
# real device.
cp swu-signer.crt device/swu-signer.crt
cat >device/agent.conf <<CONF
policy $work/device.policy
product gateway-g1
state-dir $work/device/state
flash-command $SWUPDATE -k $work/device/swu-signer.crt -H gateway-g1:1.0 -m -M -i
CONF
sed 's/^/   > /' device/agent.conf
# SWUpdate puts its IPC sockets in $TMPDIR; a private one keeps parallel runs apart.
export TMPDIR=$work/device/swupdate-tmp
run_expect 0 "$AGENT" --config device/agent.conf install --image update-1.0.swu \
  --bundle update-1.0.swu.bundle
cmp rootfs-1.0.img device/slot.img
note "the slot now holds rootfs 1.0, byte for byte"
run_expect 0 "$AGENT" --config device/agent.conf status

# untouched TEXT: the slot and the agent's state are what they were after 1.0.
snapshot() { sha256sum device/slot.img device/state/state; }
snapshot >before.sha256
untouched() {
  snapshot | cmp -s - before.sha256 || { echo "UNEXPECTED: $1 changed the slot or state" >&2; exit 1; }
  note "slot and state untouched"
}

say "Refused: a .swu ACME signed but logged only where the device does not look"
release_swu 1.0.1 101
publish_to_rogue_log 1.0.1.entry update-1.0.1.swu.bundle acme.pub
run_expect 5 "$AGENT" --config device/agent.conf install --image update-1.0.1.swu \
  --bundle update-1.0.1.swu.bundle
untouched "an unlogged .swu"
note "Nor with the bundle of a logged release:"
run_expect 6 "$AGENT" --config device/agent.conf install --image update-1.0.1.swu \
  --bundle update-1.0.swu.bundle
untouched "an unlogged .swu with 1.0's bundle"

say "Refused: the logged 1.0 with one byte flipped in its image after logging"
cp update-1.0.swu update-tampered.swu
offset=$(($(stat -c %s update-tampered.swu) - 100000))
printf '\x55' | dd of=update-tampered.swu bs=1 seek="$offset" conv=notrunc status=none
run_expect 6 "$AGENT" --config device/agent.conf install --image update-tampered.swu \
  --bundle update-1.0.swu.bundle
untouched "a tampered .swu"

say "Bypassing candor-agent: swupdate on its own has no signer certificate"
run_expect 1 "$SWUPDATE" -H gateway-g1:1.0 -m -M -i update-1.0.1.swu
untouched "swupdate without candor-agent"

say "ACME logs 1.1; the gateway installs it (consistency proof from the tree it saw)"
release_swu 1.1 110
"$CANDOR" publish --log "$LOG_URL" --policy device.policy 1.1.entry --out update-1.1.swu.bundle \
  --previous-bundle update-1.0.swu.bundle --consistency-out update-1.1.swu.bundle.consistency \
  2>&1 | indent
run_expect 0 "$AGENT" --config device/agent.conf install --image update-1.1.swu \
  --bundle update-1.1.swu.bundle
cmp rootfs-1.1.img device/slot.img
note "the slot now holds rootfs 1.1"

say "Done: SWUpdate wrote only logged releases."
