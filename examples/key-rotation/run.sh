#!/usr/bin/env bash
# A leaked vendor key, end to end, on this machine only (127.0.0.1, a
# temporary directory). docs/TRUST.md explains the rules.
#
#   1. A log (candor-log) cosigned by two witnesses (candor-witness). ACME holds
#      two offline root keys and one release key. Its printers are provisioned
#      with trust root version 1 (logged like a release) and install 1.0.
#   2. ACME's release key leaks. The attacker signs "1.0.1" and logs it in the
#      public log: the log accepts it (the key is registered), and a printer
#      would install it.
#   3. ACME writes trust root version 2 without the leaked key (and with a new
#      release key), signs it with both root keys, and publishes it. The log
#      operator removes the leaked key.
#   4. The printer applies version 2 (candor-agent trust-update): from then on
#      it refuses the attacker's release, and installs ACME's 1.1 signed with
#      the new key.
#   5. An auditor's view: the trust history of acme.example/printers shows the
#      change, and the attacker's release stays in the log as evidence.
#
# Usage: examples/key-rotation/run.sh [BUILD_DIR]
#   BUILD_DIR (or $CANDOR_BUILD_DIR) is a CMake build directory with candor,
#   candor-log, candor-witness and candor-agent. Default: build/ in the
#   repository. KEEP=1 keeps the temporary directory for inspection.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=examples/lib.sh
source "$here/../lib.sh"
example_binaries "${1:-}"
example_start key-rotation

expires_1=$(date -u -d "+365 days" +%FT%TZ)
expires_2=$(date -u -d "+730 days" +%FT%TZ)

start_log_and_witnesses

say "ACME: two offline root keys, one release key; all registered with the log"
for k in root-a root-b; do "$CANDOR" keygen --name "$k.acme.example" --out "$k" >/dev/null 2>&1; done
"$CANDOR" keygen --name acme.example --out acme >/dev/null 2>&1
for k in root-a root-b acme; do "$LOG" vendors add --dir log "$k.pub" | indent; done

# policy FILE VENDOR_PUB: the printers' trust policy with one release key.
policy() { policy_with_vendor "$1" "$2" printer-x1; }

say "Trust root version 1: the printers' policy, signed by both root keys"
policy v1.policy acme.pub
"$CANDOR" trust create --domain acme.example/printers --version 1 --expires "$expires_1" \
  --root-threshold 2 --root root-a.pub --root root-b.pub --policy v1.policy \
  --key root-a.key --out 1.root | indent
"$CANDOR" trust sign --key root-b.key 1.root | indent
note "Logged like a release, so its content is public from day one:"
"$CANDOR" publish --log "$LOG_URL" --policy v1.policy 1.root --out 1.root.bundle 2>&1 | indent

say "A printer is provisioned with root version 1 and installs ACME's 1.0"
mkdir -p device
: >device/flash.img
cat >device/agent.conf <<CONF
trust-root $work/1.root
product printer-x1
state-dir $work/device/state
flash-target $work/device/flash.img
CONF
head -c 200000 /dev/urandom >fw-1.0.bin
printf '# 1.0\n\n- First release\n' >CHANGELOG-1.0.md
"$CANDOR" release create --key acme.key --product printer-x1 --version 1.0 --rollback 100 \
  --image fw-1.0.bin --changelog CHANGELOG-1.0.md --out 1.0.entry >/dev/null
"$CANDOR" publish --log "$LOG_URL" --policy v1.policy 1.0.entry --out 1.0.bundle 2>&1 | indent
run_expect 0 "$AGENT" --config device/agent.conf install --image fw-1.0.bin --bundle 1.0.bundle
run_expect 0 "$AGENT" --config device/agent.conf status

say "ACME's release key leaks; the attacker logs a release signed with it"
head -c 200000 /dev/urandom >evil.bin
printf '# 1.0.1\n\n- Security improvements\n' >CHANGELOG-evil.md
"$CANDOR" release create --key acme.key --product printer-x1 --version 1.0.1 --rollback 101 \
  --image evil.bin --changelog CHANGELOG-evil.md --out evil.entry >/dev/null
"$CANDOR" publish --log "$LOG_URL" --policy v1.policy evil.entry --out evil.bundle \
  --previous-bundle 1.0.bundle --consistency-out evil.bundle.consistency 2>&1 | indent
note "The key is registered, so the log takes it; under root version 1 the printer would install it:"
run_expect 0 "$AGENT" --config device/agent.conf verify --image evil.bin --bundle evil.bundle \
  --consistency-proof evil.bundle.consistency

say "ACME revokes the key: root version 2 names a new release key instead"
"$CANDOR" keygen --name acme.example --out acme-2026 >/dev/null 2>&1
"$LOG" vendors add --dir log acme-2026.pub | indent
"$LOG" vendors remove --dir log acme.pub | indent
policy v2.policy acme-2026.pub
"$CANDOR" trust create --domain acme.example/printers --version 2 --expires "$expires_2" \
  --root-threshold 2 --root root-a.pub --root root-b.pub --policy v2.policy \
  --key root-a.key --out 2.root | indent
"$CANDOR" trust sign --key root-b.key 2.root | indent
"$CANDOR" trust show 2.root | indent
note "Published in the same log, with a consistency proof from the tree the printer saw:"
"$CANDOR" publish --log "$LOG_URL" --policy v1.policy 2.root --out 2.root.bundle \
  --previous-bundle 1.0.bundle --consistency-out 2.root.bundle.consistency 2>&1 | indent

say "The printer applies root version 2"
run_expect 0 "$AGENT" --config device/agent.conf trust-update --root 2.root --bundle 2.root.bundle \
  --consistency-proof 2.root.bundle.consistency
run_expect 0 "$AGENT" --config device/agent.conf status

say "Now the printer refuses the attacker's release"
run_expect 5 "$AGENT" --config device/agent.conf install --image evil.bin --bundle evil.bundle \
  --consistency-proof evil.bundle.consistency
note "(exit 5: untrusted-key; nothing flashed)"
note "Replaying root version 1 does not bring the key back:"
run_expect 10 "$AGENT" --config device/agent.conf trust-update --root 1.root --bundle 1.root.bundle

say "ACME ships 1.1, signed with the new key; the printer installs it"
head -c 200000 /dev/urandom >fw-1.1.bin
printf '# 1.1\n\n- Fixes\n' >CHANGELOG-1.1.md
"$CANDOR" release create --key acme-2026.key --product printer-x1 --version 1.1 --rollback 110 \
  --image fw-1.1.bin --changelog CHANGELOG-1.1.md --out 1.1.entry >/dev/null
"$CANDOR" publish --log "$LOG_URL" --policy v2.policy 1.1.entry --out 1.1.bundle \
  --previous-bundle 2.root.bundle --consistency-out 1.1.bundle.consistency 2>&1 | indent
run_expect 0 "$AGENT" --config device/agent.conf install --image fw-1.1.bin --bundle 1.1.bundle \
  --consistency-proof 1.1.bundle.consistency

say "An auditor's view of the public log"
"$CANDOR" audit sync --log "$LOG_URL" --log-key log/log.pub --policy v1.policy --dir mirror 2>&1 |
  indent
note "The trust history of acme.example/printers, with what changed:"
"$CANDOR" audit trust --dir mirror 2>&1 | indent
note "The attacker's release is in the log for good, signed with the revoked key:"
"$CANDOR" audit show 2 --dir mirror 2>&1 | sed -n '1,5p' | indent

say "Done: the revocation reached the printer through the public log."
