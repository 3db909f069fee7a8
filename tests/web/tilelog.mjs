// An independent, naive implementation of the tlog-tiles definitions for the
// explorer's tests: RFC 6962 MTH by recursion over node:crypto SHA-256, and
// the static files (entry bundles, tiles of every level) of a log holding
// given entries, built from the spec's formulas. Used by tlog.test.mjs and
// explorer.test.mjs (a static log holding trust roots).
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { tilePath, bundlePath } = await import(
  join(here, '..', '..', 'transparency-log', 'web', 'tlog.js'));

export const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export function naiveMth(leaves, lo, hi) {
  const n = hi - lo;
  if (n === 0) return sha(Buffer.alloc(0));
  if (n === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha(Buffer.of(1), naiveMth(leaves, lo, lo + k), naiveMth(leaves, lo + k, hi));
}

// The static files of a log of these entries (Buffers or Uint8Arrays), as
// tlog-tiles defines them: Map path -> Buffer, and the tree's root.
export function staticLogFiles(entries) {
  const size = entries.length;
  const leaves = entries.map((e) => sha(Buffer.of(0), e));
  const files = new Map();
  for (let n = 0; n * 256 < size; n++) {
    const w = Math.min(256, size - n * 256);
    const parts = [];
    for (const e of entries.slice(n * 256, n * 256 + w)) {
      parts.push(Buffer.of(e.length >> 8, e.length & 255), Buffer.from(e));
    }
    files.set(bundlePath(n, w), Buffer.concat(parts));
  }
  for (let l = 0; 256 ** l <= size; l++) {
    const count = Math.floor(size / 256 ** l);
    for (let n = 0; n * 256 < count; n++) {
      const w = Math.min(256, count - n * 256);
      const hashes = [];
      for (let i = 0; i < w; i++) {
        const lo = (n * 256 + i) * 256 ** l;
        hashes.push(naiveMth(leaves, lo, lo + 256 ** l));
      }
      files.set(tilePath(l, n, w), Buffer.concat(hashes));
    }
  }
  return { files, root: naiveMth(leaves, 0, size) };
}
