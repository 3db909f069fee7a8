#!/usr/bin/env bash
# Full-verification sync vs the Ed25519 bound, side by side (docs/PERFORMANCE.md,
# "candor audit"): each round measures the all-core Ed25519 bound, syncs the log
# into a new mirror (audit_sync run), measures the bound again and the one-core
# bound, then prints both ratios:
#   (a) sync entries/s (wall) / all-core verifies/s (mean of the two around it)
#   (b) entries per sync CPU-second / one-core verifies per CPU-second
#
#   bench/audit_sync.sh BUILD_DIR LOG_DIR MIRROR_PREFIX [ROUNDS]
# LOG_DIR comes from `audit_sync build --log LOG_DIR --size N`. Round r syncs
# into the new directory MIRROR_PREFIX.r; all are deleted at the end, not
# between rounds: on this machine's ext4 (no journal) a new inode skips every
# inode freed in the last 60 s, or 360 s if its inode-table block is dirty
# (fs/ext4/ialloc.c, recently_deleted()), so creating a mirror's files soon
# after deleting another's costs the sync up to 5% more CPU, a cost a first
# sync into a new directory does not pay.
set -euo pipefail
build=${1:?build dir}; log=${2:?log dir}; mirror=${3:?mirror prefix}; rounds=${4:-3}
bin=$build/bench/audit_sync
for ((r = 1; r <= rounds; r++)); do
  if [[ -e $mirror.$r ]]; then
    echo "$mirror.$r exists: delete old mirrors (ideally minutes) before measuring" >&2
    exit 2
  fi
done
trap 'for ((r = 1; r <= rounds; r++)); do rm -rf "$mirror.$r"; done' EXIT
rate() { sed -n 's/.*: \([0-9]*\) \/s wall, \([0-9]*\) \/s per cpu-second.*/\1 \2/p'; }
for ((r = 1; r <= rounds; r++)); do
  read -r b1 _ < <("$bin" ed25519 --n 40000 --threads 0 | rate)
  out=$("$bin" run --log "$log" --mirror "$mirror.$r" 2>/dev/null)
  read -r b2 _ < <("$bin" ed25519 --n 40000 --threads 0 | rate)
  read -r _ one < <("$bin" ed25519 --n 20000 | rate)
  echo "$out"
  wall=$(sed -n 's/.* \([0-9]*\) entries\/s wall.*/\1/p' <<<"$out")
  cpu=$(sed -n 's/.*cpu: sync [0-9.]* s (\([0-9]*\) entries per cpu-second.*/\1/p' <<<"$out")
  awk -v r="$r" -v w="$wall" -v c="$cpu" -v b1="$b1" -v b2="$b2" -v one="$one" 'BEGIN {
    b = (b1 + b2) / 2
    printf "round %d: wall %d entries/s vs all-core bound %d (%d, %d): (a) %.3fx; " \
           "%d entries per sync CPU-second vs one-core bound %d: (b) %.3fx\n",
           r, w, b, b1, b2, w / b, c, one, c / one }'
done
