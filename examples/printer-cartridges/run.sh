#!/usr/bin/env bash
# The printer-cartridge story, end to end, on this machine only (127.0.0.1,
# a temporary directory):
#
#   1. A log operator runs candor-log, cosigned by a witness (candor-witness).
#   2. ACME (vendor) ships firmware 2.4.0 for its printer-x1; a printer
#      (candor-agent) installs it.
#   3. ACME ships 2.4.1, which blocks third-party cartridges from a date. The
#      printer refuses it until it is in the log, so the restriction is public
#      before any device runs it; then installs it and shows the disclosure.
#   4. ACME tries a "silent" 2.4.1 that omits the disclosure. It is signed, but
#      the printer refuses it because it is not in the log, and the log refuses
#      to record it (equivocation: 2.4.1 is already logged with the disclosure).
#      Under a new version number it can be logged, but then it is public, and
#      anyone can see that the disclosure vanished: `candor audit flags`
#      raises image-reuse (same image bytes as 2.4.1, other disclosures) and
#      disclosure-dropped (the block is still in effect, just unsaid).
#   5. A second printer's owner refuses cartridge blocks
#      (`refuse-disclosure consumables.third-party` in its agent.conf): it
#      refuses the genuine, logged 2.4.1 before flashing (exit 18), its slot
#      untouched.
#
# Usage: examples/printer-cartridges/run.sh [BUILD_DIR]
#   BUILD_DIR (or $CANDOR_BUILD_DIR) is a CMake build directory with candor,
#   candor-log, candor-witness (optional) and candor-agent (optional: without
#   it, `candor verify` plays the printer). Default: build/ in the repository.
#   KEEP=1 keeps the temporary directory for inspection; NO_AGENT=1 makes
#   `candor verify` play the printer even when candor-agent is built.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-${CANDOR_BUILD_DIR:-$root/build}}
build=$(cd "$build" && pwd)

CANDOR=$build/cli/candor
LOG=$build/transparency-log/candor-log
WITNESS=$build/witness/candor-witness
AGENT=$build/device-agent/candor-agent
for bin in "$CANDOR" "$LOG"; do
  [[ -x $bin ]] || { echo "missing $bin (build it first: cmake --build $build)" >&2; exit 2; }
done
[[ -x $WITNESS ]] || WITNESS=""
[[ -x $AGENT && ${NO_AGENT:-0} != 1 ]] || AGENT=""

# shellcheck source=examples/lib.sh
source "$here/../lib.sh"
example_start cartridges

today=$(date -u +%F)
block_date=$(date -u -d "+90 days" +%F)

say "The log operator creates a transparency log"
"$LOG" init --dir log --origin log.example/firmware | indent
log_vkey=$(cat log/log.pub)

witness_vkey=""
if [[ -n $WITNESS ]]; then
  say "An independent witness will cosign the log's checkpoints"
  witness_vkey=$("$WITNESS" init --dir witness --name witness.example/w1)
  "$WITNESS" logs add --dir witness --origin log.example/firmware --key "$log_vkey" >/dev/null
  "$WITNESS" serve --dir witness --listen 127.0.0.1:0 >witness.out 2>&1 &
  pids+=($!)
  witness_port=$(wait_for_port witness.out "listening on http://127.0.0.1:")
  note "witness key  $witness_vkey"
  note "listening on 127.0.0.1:$witness_port"
  printf 'log %s\nwitness w1 %s http://127.0.0.1:%s\nquorum w1\n' \
    "$log_vkey" "$witness_vkey" "$witness_port" >log.policy
fi

say "ACME generates its release signing key and registers it with the log"
"$CANDOR" keygen --name acme.example --out acme 2>/dev/null | indent
"$LOG" vendors add --dir log acme.pub | indent

log_args=(serve --dir log --listen 127.0.0.1:0 --checkpoint-interval 0.2)
[[ -n $WITNESS ]] && log_args+=(--policy log.policy)
"$LOG" "${log_args[@]}" >log.out 2>&1 &
pids+=($!)
log_port=$(wait_for_port log.out " on 127.0.0.1:")
LOG_URL=http://127.0.0.1:$log_port
note "log serving on $LOG_URL"

say "The printer trusts this log, the witness quorum, and ACME for printer-x1"
{
  echo "log $log_vkey"
  if [[ -n $witness_vkey ]]; then
    echo "witness w1 $witness_vkey"
    echo "quorum w1"
    echo "max-checkpoint-age 3600"
  else
    echo "quorum none"
  fi
  echo "vendor $(cat acme.pub) printer-x1"
} >trust.policy
indent <trust.policy
mkdir -p device
: >device/flash.img
cat >device/agent.conf <<CONF
policy $work/trust.policy
product printer-x1
state-dir $work/device/state
flash-target $work/device/flash.img
CONF
# A second printer, whose owner says no to cartridge blocks.
mkdir -p owner
: >owner/flash.img
cat >owner/agent.conf <<CONF
policy $work/trust.policy
product printer-x1
state-dir $work/owner/state
flash-target $work/owner/flash.img
# The owner's choice: never install anything that restricts third-party cartridges.
refuse-disclosure consumables.third-party
CONF

# device_install IMAGE BUNDLE EXPECTED_EXIT: the printer installs (or refuses).
device_install() {
  local image=$1 bundle=$2 want=$3
  if [[ -n $AGENT ]]; then
    run_expect "$want" "$AGENT" --config device/agent.conf install --image "$image" --bundle "$bundle"
  else
    local min=0
    [[ -f device/rollback ]] && min=$(cat device/rollback)
    run_expect "$want" "$CANDOR" verify --policy trust.policy --product printer-x1 \
      --image "$image" --bundle "$bundle" --min-rollback "$min"
    if [[ $want == 0 ]]; then
      cp "$image" device/flash.img
      "$CANDOR" release show --json "$bundle" | grep -o '"rollback": [0-9]*' | grep -o '[0-9]*$' >device/rollback
    fi
  fi
}

say "ACME releases firmware 2.4.0 (nothing to disclose)"
head -c 1500000 /dev/urandom >fw-2.4.0.bin
printf '# 2.4.0\n\n- Faster duplex printing\n- Colour profile fixes\n' >CHANGELOG-2.4.0.md
"$CANDOR" release create --key acme.key --product printer-x1 --version 2.4.0 --rollback 240 \
  --image fw-2.4.0.bin --changelog CHANGELOG-2.4.0.md --out 2.4.0.entry | indent
"$CANDOR" publish --log "$LOG_URL" --policy trust.policy 2.4.0.entry --out 2.4.0.bundle 2>&1 | indent

say "The printer installs 2.4.0"
device_install fw-2.4.0.bin 2.4.0.bundle 0

say "ACME prepares 2.4.1: it blocks third-party cartridges from $block_date"
head -c 1500000 /dev/urandom >fw-2.4.1.bin
printf '# 2.4.1\n\n- Improved print quality with genuine ACME cartridges\n- Cartridge authentication\n' \
  >CHANGELOG-2.4.1.md
"$CANDOR" release create --key acme.key --product printer-x1 --version 2.4.1 --rollback 241 \
  --image fw-2.4.1.bin --changelog CHANGELOG-2.4.1.md \
  --disclose "consumables.third-party=blocked,effective=$block_date" --out 2.4.1.entry | indent
"$CANDOR" release show 2.4.1.entry | sed -n '/^Disclosures/,/^$/p' | indent

say "Before it is logged, the printer refuses 2.4.1"
note "ACME pushes the signed 2.4.1 with a bundle borrowed from 2.4.0's log proof:"
extra=$(base64 -w0 2.4.1.entry)
sed "2s|^extra .*|extra $extra|" 2.4.0.bundle >2.4.1-unlogged.bundle
device_install fw-2.4.1.bin 2.4.1-unlogged.bundle 7
note "(exit 7: not included in the log; nothing flashed, device state unchanged)"
note "ACME logs 2.4.1 in a private log of its own, which nobody audits:"
"$LOG" init --dir private-log --origin acme.example/private-log >/dev/null
"$LOG" vendors add --dir private-log acme.pub >/dev/null
"$LOG" serve --dir private-log --listen 127.0.0.1:0 --checkpoint-interval 0.2 >private-log.out 2>&1 &
private_pid=$!
pids+=($private_pid)
private_port=$(wait_for_port private-log.out " on 127.0.0.1:")
"$CANDOR" publish --log "http://127.0.0.1:$private_port" --log-key private-log/log.pub \
  2.4.1.entry --out 2.4.1-private.bundle 2>/dev/null | indent
device_install fw-2.4.1.bin 2.4.1-private.bundle 5
note "(exit 5: the checkpoint is signed by a log the printer does not trust)"
kill -TERM "$private_pid" && wait "$private_pid" 2>/dev/null || true

say "ACME publishes 2.4.1: the restriction is now public, witnessed, permanent"
note "With a consistency proof from the tree the printer saw with 2.4.0 (beside the bundle):"
"$CANDOR" publish --log "$LOG_URL" --policy trust.policy 2.4.1.entry --out 2.4.1.bundle \
  --previous-bundle 2.4.0.bundle --consistency-out 2.4.1.bundle.consistency 2>&1 | indent

say "The printer installs 2.4.1, and shows what it discloses"
device_install fw-2.4.1.bin 2.4.1.bundle 0
if [[ -n $AGENT ]]; then
  note "Its status: the disclosures in effect, and the countdown to the block:"
  "$AGENT" --config device/agent.conf status | grep -E '^ +(disclosure|in effect|pending)' | indent

  say "A second printer, whose owner refuses cartridge blocks"
  note "Its agent.conf says: refuse-disclosure consumables.third-party (local, never sent anywhere)"
  run_expect 0 "$AGENT" --config owner/agent.conf install --image fw-2.4.0.bin --bundle 2.4.0.bundle
  slot_before=$(sha256sum owner/flash.img)
  state_before=$(sha256sum owner/state/state)
  run_expect 18 "$AGENT" --config owner/agent.conf install --image fw-2.4.1.bin \
    --bundle 2.4.1.bundle --consistency-proof 2.4.1.bundle.consistency
  [[ $(sha256sum owner/flash.img) == "$slot_before" && $(sha256sum owner/state/state) == "$state_before" ]] ||
    { echo "UNEXPECTED: the refused install changed the owner's printer" >&2; exit 1; }
  note "(exit 18, owner-refused: genuine and logged, but refused before flashing; slot and state untouched)"
fi

say "ACME tries a silent 2.4.1: same image, signed, but without the disclosure"
"$CANDOR" release create --key acme.key --product printer-x1 --version 2.4.1 --rollback 241 \
  --image fw-2.4.1.bin --changelog CHANGELOG-2.4.1.md --out silent-2.4.1.entry | indent
note "Shipped with the real 2.4.1 log proof, the printer refuses it: this entry is not in the log."
extra=$(base64 -w0 silent-2.4.1.entry)
sed "2s|^extra .*|extra $extra|" 2.4.1.bundle >silent-2.4.1.bundle
device_install fw-2.4.1.bin silent-2.4.1.bundle 7
note "Submitting it to the log fails: 2.4.1 is already logged, with its disclosure."
run_expect 11 "$CANDOR" publish --log "$LOG_URL" --policy trust.policy silent-2.4.1.entry \
  --out silent-2.4.1.published.bundle --retries 2

say "ACME tries again as 2.4.2, still without the disclosure"
printf '# 2.4.2\n\n- Stability improvements\n' >CHANGELOG-2.4.2.md
"$CANDOR" release create --key acme.key --product printer-x1 --version 2.4.2 --rollback 242 \
  --image fw-2.4.1.bin --changelog CHANGELOG-2.4.2.md --out 2.4.2.entry | indent
"$CANDOR" publish --log "$LOG_URL" --policy trust.policy 2.4.2.entry --out 2.4.2.bundle 2>&1 | indent
note "It is logged, so it is public: the log now shows, for printer-x1,"
for v in 2.4.0 2.4.1 2.4.2; do
  d=$("$CANDOR" release show --json "$v.entry" |
    sed -n 's/^ *"description": "\(.*\)",\{0,1\}$/\1/p' | paste -sd ';' -)
  printf '   %-6s %s\n' "$v" "${d:-(no disclosures)}"
done
note "2.4.2 ships the same image bytes as 2.4.1 (same image-sha256) with the disclosure dropped:"
grep -h 'image' <("$CANDOR" release show 2.4.1.entry) <("$CANDOR" release show 2.4.2.entry) | indent

say "A journalist audits the public log"
note "candor audit sync mirrors and re-verifies everything (signatures, witness quorum, every tile):"
"$CANDOR" audit sync --log "$LOG_URL" --log-key log/log.pub --policy trust.policy --dir mirror 2>&1 | indent
note "What changed between ACME's printer-x1 releases:"
"$CANDOR" audit diff --dir mirror acme.example/printer-x1 2>&1 | indent
note "Releases that deserve a human look:"
"$CANDOR" audit flags --dir mirror >flags.txt 2>&1
indent <flags.txt
for flag in image-reuse disclosure-dropped; do
  grep -Eq "^[0-9]+ +$flag +acme.example/printer-x1 2.4.2 " flags.txt ||
    { echo "UNEXPECTED: no $flag flag for 2.4.2" >&2; exit 1; }
done
note "2.4.2 is flagged image-reuse (2.4.1's bytes, without its disclosure) and"
note "disclosure-dropped (the block is still in effect on every printer that ran 2.4.1)."
note "On $block_date the block switches on; a journalist's watch alerts that day:"
"$CANDOR" audit flags --dir mirror --now "$(date -u -d "$block_date" +%s)" | grep -E '^[0-9]+ +activation ' | indent

say "Done: every release the printer ran is in the public log, with what it does."
