#!/usr/bin/env bash
# RAUC installs only what the log holds: the device's system.conf runs
# candor-rauc-pre-install (device-agent/glue/rauc) before RAUC writes any
# slot; it refuses a bundle whose manifest.raucm is not a logged Candor
# release, or whose images differ from it. The real `rauc service` and
# `rauc install`, on a private D-Bus system bus, into file-backed A/B slots.
# On this machine only (127.0.0.1, a temporary directory). docs/FRAMEWORKS.md
# explains the setup.
#
#   1. A log (candor-log) cosigned by two witnesses. ACME registers its release
#      key and has an X.509 signer for RAUC bundles (the device's keyring).
#   2. ACME builds update-1.0.raucb with `rauc bundle`, logs its
#      manifest.raucm (which pins the image's sha256) as release 1.0, and
#      bundles again with the Candor proof inside as candor.bundle.
#   3. The device installs it with `rauc install`: slot B holds 1.0, and the
#      post-install handler recorded 1.0 in candor-agent's state.
#   4. Refused, slot B and the state byte-for-byte untouched: a RAUC bundle
#      ACME signed but never logged (with no proof, with 1.0's proof), one
#      logged only in a log the device does not trust, 1.0 with one byte
#      flipped, and 1.0 with one byte flipped in its image and signed again
#      with ACME's RAUC key.
#   5. The pre-install handler alone, on a bundle's contents: an image that
#      differs from the logged manifest is refused, and so are a RAUC manifest
#      that would install another digest than the logged one and a manifest
#      with bundle hooks.
#
# Needs rauc, dbus-daemon, mksquashfs (squashfs-tools), openssl, root and a
# usable loop device (RAUC mounts bundles). RAUC's verity format needs
# device-mapper; without /dev/mapper/control the example uses RAUC's plain
# format and says so. Exits 77 (skip) when rauc is missing unless
# CANDOR_REQUIRE_FRAMEWORK is set, and when this machine cannot mount a loop
# device (not root, no /dev/loop-control, or a test mount is refused): RAUC
# cannot install here at all.
#
# Usage: examples/rauc/run.sh [BUILD_DIR]   (KEEP=1 keeps the temporary directory)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
glue=$(cd "$here/../../device-agent/glue/rauc" && pwd)
# shellcheck source=examples/lib.sh
source "$here/../lib.sh"
example_binaries "${1:-}"
require_framework rauc rauc dbus-daemon mksquashfs openssl
if [[ $(id -u) != 0 || ! -e /dev/loop-control ]]; then
  echo "SKIP: RAUC mounts bundles on a loop device; this machine has none usable (needs root and /dev/loop-control)"
  exit 77
fi
format=verity
if [[ ! -e /dev/mapper/control ]]; then
  format=plain
fi

example_start rauc
# RAUC mounts each bundle (a squashfs) through a loop device: try one first,
# so that a container without that right skips instead of failing later.
mkdir -p probe/dir probe/mnt
echo probe >probe/dir/file
mksquashfs probe/dir probe/fs.sqfs -quiet >/dev/null 2>&1
if ! mount -t squashfs -o loop,ro probe/fs.sqfs probe/mnt 2>probe/err; then
  echo "SKIP: RAUC mounts bundles on a loop device; this machine cannot: $(head -1 probe/err)"
  exit 77
fi
umount probe/mnt
start_log_and_witnesses

say "ACME: a Candor release key (registered with the log) and a RAUC signer"
"$CANDOR" keygen --name acme.example --out acme >/dev/null 2>&1
"$LOG" vendors add --dir log acme.pub | indent
openssl req -x509 -newkey rsa:3072 -nodes -keyout rauc-signer.key -out rauc-signer.crt \
  -subj /CN=acme-rauc -days 365 2>/dev/null
policy_with_vendor device.policy acme.pub gateway-g2

# stage_bundle DIR VERSION IMAGE: `rauc bundle` once, then `rauc extract`
# into DIR: DIR/manifest.raucm is the final manifest, with the image's sha256
# and size as RAUC computed them, the file Candor logs.
stage_bundle() {
  local dir=$1 version=$2 image=$3 src
  src=$(mktemp -d src.XXXXXX)
  cp "$image" "$src/rootfs.img"
  printf '[update]\ncompatible=acme-gateway-g2\nversion=%s\n\n[bundle]\nformat=%s\n\n[image.rootfs]\nfilename=rootfs.img\n' \
    "$version" "$format" >"$src/manifest.raucm"
  rauc bundle --cert rauc-signer.crt --key rauc-signer.key "$src" "$src.raucb" >/dev/null 2>&1
  rauc extract --keyring rauc-signer.crt "$src.raucb" "$dir" >/dev/null 2>&1
  rm -rf "$src" "$src.raucb"
}
# final_bundle DIR OUT: `rauc bundle` again, now with DIR/candor.bundle; the
# manifest RAUC writes must be the logged one, byte for byte.
final_bundle() {
  local dir=$1 out=$2
  rauc bundle --cert rauc-signer.crt --key rauc-signer.key "$dir" "$out" >/dev/null 2>&1
  rauc extract --keyring rauc-signer.crt "$out" "$out.check" >/dev/null 2>&1
  cmp -s "$dir/manifest.raucm" "$out.check/manifest.raucm" ||
    { echo "UNEXPECTED: rauc bundle rewrote the logged manifest" >&2; exit 1; }
  rm -rf "$out.check"
}

say "ACME builds update-1.0.raucb with rauc bundle ($format format) and logs its manifest"
if [[ $format == plain ]]; then
  note "no /dev/mapper/control here: RAUC's plain format (docs/FRAMEWORKS.md \"Bundle formats\")"
fi
head -c 300000 /dev/urandom >rootfs-1.0.img
stage_bundle b-1.0 1.0 rootfs-1.0.img
sed 's/^/   > /' b-1.0/manifest.raucm
printf '# 1.0\n\n- First release\n' >CHANGELOG-1.0.md
"$CANDOR" release create --key acme.key --product gateway-g2 --version 1.0 --rollback 100 \
  --image b-1.0/manifest.raucm --changelog CHANGELOG-1.0.md --out 1.0.entry >/dev/null
"$CANDOR" publish --log "$LOG_URL" --policy device.policy 1.0.entry --out b-1.0/candor.bundle \
  2>&1 | indent
final_bundle b-1.0 update-1.0.raucb
note "update-1.0.raucb carries candor.bundle next to manifest.raucm"

say "The device: A/B slots in regular files, RAUC's handlers from its own system.conf"
mkdir -p device/mnt device/data
head -c 4096 /dev/zero >device/slot-a.img
head -c 4096 /dev/zero >device/slot-b.img
cp rauc-signer.crt device/keyring.pem
cat >device/system.conf <<CONF
[system]
compatible=acme-gateway-g2
bootloader=noop
mountprefix=$work/device/mnt
data-directory=$work/device/data

[keyring]
path=$work/device/keyring.pem

[handlers]
pre-install=$glue/candor-rauc-pre-install
post-install=$glue/candor-rauc-post-install

[slot.rootfs.0]
device=$work/device/slot-a.img
type=raw
bootname=A

[slot.rootfs.1]
device=$work/device/slot-b.img
type=raw
bootname=B
CONF
sed 's/^/   > /' device/system.conf
# RAUC writes the slots; the agent only verifies and records.
cat >device/agent.conf <<CONF
policy $work/device.policy
product gateway-g2
state-dir $work/device/state
flash-command /bin/true
CONF
sed 's/^/   > /' device/agent.conf

# A private system bus for rauc service and the rauc client.
cat >bus.conf <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file=bus.conf --nofork >bus.out 2>&1 &
pids+=($!)
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$work/bus.sock
for _ in $(seq 1 100); do [[ -S bus.sock ]] && break; sleep 0.1; done
CANDOR_AGENT=$AGENT CANDOR_AGENT_CONFIG=$work/device/agent.conf \
  rauc --conf device/system.conf service --override-boot-slot=A >rauc.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do rauc status >/dev/null 2>&1 && break; sleep 0.1; done
note "rauc service on a private system bus, booted from slot A"

# rauc_install CODE BUNDLE: `rauc install`, which must exit CODE; shows its
# verdict and what the handlers printed (from the service's log).
rauc_install() {
  local lines got=0
  lines=$(wc -l <rauc.out)
  rauc install "$2" >out.txt 2>&1 || got=$?
  grep -E '^(LastError|Installing)' out.txt | indent || true
  # RAUC's log shows each line a handler printed after "# ".
  tail -n +"$((lines + 1))" rauc.out | sed -n 's/^# /handler: /p' | indent
  if [[ $got != "$1" ]]; then
    cat out.txt >&2
    echo "UNEXPECTED: rauc install exited $got, expected $1: $2" >&2
    exit 1
  fi
}

say "rauc install update-1.0.raucb"
rauc_install 0 update-1.0.raucb
cmp rootfs-1.0.img device/slot-b.img
note "slot B holds rootfs 1.0, byte for byte"
run_expect 0 "$AGENT" --config device/agent.conf status

snapshot() { sha256sum device/slot-a.img device/slot-b.img device/state/state; }
snapshot >before.sha256
untouched() {
  snapshot | cmp -s - before.sha256 || { echo "UNEXPECTED: $1 changed a slot or the state" >&2; exit 1; }
  note "slots and state untouched"
}

say "Refused: a RAUC bundle ACME signed but never logged"
head -c 300000 /dev/urandom >rootfs-evil.img
stage_bundle b-evil 1.0.1 rootfs-evil.img
rauc bundle --cert rauc-signer.crt --key rauc-signer.key b-evil update-unlogged.raucb >/dev/null 2>&1
rauc_install 1 update-unlogged.raucb
untouched "an unlogged bundle"
note "Nor with 1.0's proof copied in:"
cp b-1.0/candor.bundle b-evil/candor.bundle
rauc bundle --cert rauc-signer.crt --key rauc-signer.key b-evil update-copied.raucb >/dev/null 2>&1
rauc_install 1 update-copied.raucb
untouched "an unlogged bundle with 1.0's proof"

say "Refused: logged only in a log the device does not trust"
printf '# 1.0.1\n\n- Fixes\n' >CHANGELOG-evil.md
"$CANDOR" release create --key acme.key --product gateway-g2 --version 1.0.1 --rollback 101 \
  --image b-evil/manifest.raucm --changelog CHANGELOG-evil.md --out evil.entry >/dev/null
rm b-evil/candor.bundle
publish_to_rogue_log evil.entry b-evil/candor.bundle acme.pub
final_bundle b-evil update-rogue.raucb
rauc_install 1 update-rogue.raucb
untouched "a bundle logged in an untrusted log"

say "Refused: update-1.0.raucb with one byte flipped"
cp update-1.0.raucb update-tampered.raucb
printf '\x55' | dd of=update-tampered.raucb bs=1 seek=200000 conv=notrunc status=none
rauc_install 1 update-tampered.raucb
untouched "a tampered bundle"

say "Refused: 1.0 with one byte flipped in its image, re-bundled with ACME's RAUC key"
note "(a leaked RAUC signing key: RAUC's signature holds, the manifest is no longer the logged one)"
cp -r b-1.0 b-flipped
printf '\x55' | dd of=b-flipped/rootfs.img bs=1 seek=1000 conv=notrunc status=none
rauc bundle --cert rauc-signer.crt --key rauc-signer.key b-flipped update-resigned.raucb \
  >/dev/null 2>&1
rauc_install 1 update-resigned.raucb
untouched "a tampered, re-signed bundle"

say "The pre-install handler alone, on a bundle's contents (as RAUC mounts them)"
# What a leaked RAUC signing key could build around a logged manifest: the
# logged manifest.raucm and candor.bundle, another image. RAUC would install
# the digest its own (signed) manifest names; both cases are refused.
mkdir -p fake
cp b-1.0/manifest.raucm b-1.0/candor.bundle fake/
cp rootfs-evil.img fake/rootfs.img
handler_env() {
  env RAUC_BUNDLE_MOUNT_POINT="$work/fake" RAUC_TARGET_SLOTS=1 RAUC_IMAGE_NAME_1=rootfs.img \
    RAUC_IMAGE_DIGEST_1="$1" CANDOR_AGENT="$AGENT" CANDOR_AGENT_CONFIG="$work/device/agent.conf" \
    "$glue/candor-rauc-pre-install"
}
note "an image that is not the logged one (RAUC's digest = the logged one):"
run_expect 6 handler_env "$(sha256sum rootfs-1.0.img | cut -d' ' -f1)"
note "the logged image, but RAUC's own (signed) manifest names another digest:"
cp rootfs-1.0.img fake/rootfs.img
run_expect 6 handler_env "$(sha256sum rootfs-evil.img | cut -d' ' -f1)"
note "a manifest with a bundle hook (hook.sh is not pinned by the manifest):"
cp b-1.0/manifest.raucm fake/manifest.raucm
printf '\n[hooks]\nfilename=hook.sh\nhooks=install-check;\n' >>fake/manifest.raucm
run_expect 9 handler_env "$(sha256sum rootfs-1.0.img | cut -d' ' -f1)"
untouched "the handler"

say "Done: RAUC wrote only the logged release."
