// Reading a C2SP tlog-tiles log from the browser: checkpoint (c2sp.org/tlog-checkpoint,
// a c2sp.org/signed-note), entry bundles and Merkle tiles (c2sp.org/tlog-tiles), and
// recomputing the tree (RFC 6962 hashing) with WebCrypto SHA-256 to compare it with the
// checkpoint's root. Only the public read API is used, so this works against candor-log,
// a mirror, or any static file server holding the log directory.
//
// Everything here is pure data handling: no DOM access.

export const TILE_WIDTH = 256;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

// ---------- bytes ----------

export function bytesToHex(b) {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function bytesToBase64(b) {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

// Strict base64 (padded, canonical): returns null on anything else.
export function base64ToBytes(s) {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  let bin;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (bytesToBase64(out) !== s) return null;  // non-canonical trailing bits
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function decodeUtf8(bytes) {
  return dec.decode(bytes);
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

// RFC 6962 §2.1: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || l || r).
export function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0), entry));
}

export function nodeHash(l, r) {
  return sha256(concat(Uint8Array.of(1), l, r));
}

// ---------- signed notes and checkpoints ----------

// Parses a signed note (c2sp.org/signed-note): text, blank line, signature lines
// "— <name> <base64(key ID || signature)>". Throws Error on malformed input.
export function parseSignedNote(text) {
  if (!text.endsWith('\n')) throw new Error('note does not end with a newline');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no signature block');
  const body = text.slice(0, split + 1);
  const sigLines = text.slice(split + 2, -1).split('\n');
  const signatures = [];
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const raw = base64ToBytes(m[2]);
    if (!raw || raw.length < 5) throw new Error('malformed signature encoding');
    signatures.push({
      name: m[1],
      keyId: bytesToHex(raw.slice(0, 4)),
      sig: raw.slice(4),
    });
  }
  return { body, signatures };
}

// c2sp.org/tlog-checkpoint: origin, decimal size, base64 root, optional extension lines.
export function parseCheckpoint(text) {
  const note = parseSignedNote(text);
  const lines = note.body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint body has fewer than three lines');
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new Error('empty origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new Error('bad tree size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error('tree size too large for this page');
  const root = base64ToBytes(rootText);
  if (!root || root.length !== 32) throw new Error('bad root hash');
  const signatures = note.signatures.map((s) => {
    // cosignature/v1 (c2sp.org/tlog-cosignature): 8-byte big-endian timestamp || Ed25519
    // signature (72 bytes); a plain Ed25519 note signature is 64 bytes.
    if (s.sig.length === 72) {
      const view = new DataView(s.sig.buffer, s.sig.byteOffset, 8);
      const t = view.getBigUint64(0);
      return {
        ...s, type: 'cosignature/v1', timestamp: Number(t), timestampText: t.toString(),
        ed25519: s.sig.slice(8),
      };
    }
    if (s.sig.length === 64) return { ...s, type: 'ed25519', ed25519: s.sig };
    return { ...s, type: 'unknown' };
  });
  return {
    text,
    body: note.body,
    origin,
    size,
    root,
    extensions: lines.slice(3),
    signatures,
  };
}

// Verifier key "<name>+<hex key ID>+<base64(type || 32-byte key)>".
export async function parseVerifierKey(vkey) {
  // The name has no "+"; the base64 part may contain "+".
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
  if (!m) throw new Error('verifier key must be name+keyid+base64');
  const [, name, idHex, b64] = m;
  const raw = base64ToBytes(b64);
  // Type 0x01: Ed25519 (signed-note); 0x04: cosignature/v1 (tlog-cosignature).
  if (!raw || raw.length !== 33 || (raw[0] !== 1 && raw[0] !== 4)) {
    throw new Error('not an Ed25519 or cosignature/v1 verifier key');
  }
  const id = await sha256(concat(enc.encode(name + '\n'), raw));
  if (bytesToHex(id.slice(0, 4)) !== idHex) throw new Error('verifier key ID does not match');
  return { name, keyId: idHex, type: raw[0], pub: raw.slice(1) };
}

// Whether this browser's WebCrypto implements Ed25519 (recent Chromium, Firefox, Safari).
let ed25519Support = null;
export async function hasEd25519() {
  if (ed25519Support === null) {
    try {
      await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, [
        'verify',
      ]);
      ed25519Support = true;
    } catch {
      ed25519Support = false;
    }
  }
  return ed25519Support;
}

export async function ed25519Verify(pub, sig, msg) {
  const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
}

// Verifies the signature of `key` (parsed verifier key) on a parsed note/checkpoint.
// Returns 'valid', 'invalid' or 'absent'.
export async function verifyNoteSignature(note, key) {
  const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!sig) return 'absent';
  const msg = enc.encode(note.body);
  if (key.type === 4) {
    if (sig.type !== 'cosignature/v1') return 'invalid';
    const cosigned = concat(enc.encode(`cosignature/v1\ntime ${sig.timestampText}\n`), msg);
    return (await ed25519Verify(key.pub, sig.ed25519, cosigned)) ? 'valid' : 'invalid';
  }
  if (sig.sig.length !== 64) return 'invalid';
  return (await ed25519Verify(key.pub, sig.sig, msg)) ? 'valid' : 'invalid';
}

// ---------- tile paths (c2sp.org/tlog-tiles) ----------

// N as zero-padded 3-digit groups, all but the last prefixed with "x".
export function tileIndexPath(n) {
  let s = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    s = `x${String(n % 1000).padStart(3, '0')}/${s}`;
    n = Math.floor(n / 1000);
  }
  return s;
}

export function tilePath(level, n, width) {
  return `tile/${level}/${tileIndexPath(n)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

export function bundlePath(n, width) {
  return `tile/entries/${tileIndexPath(n)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

// Entry bundle: big-endian u16 length-prefixed entries. Throws on trailing bytes.
export function parseEntryBundle(bytes) {
  const out = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 2 > bytes.length) throw new Error('truncated entry length');
    const len = (bytes[o] << 8) | bytes[o + 1];
    o += 2;
    if (o + len > bytes.length) throw new Error('truncated entry');
    out.push(bytes.slice(o, o + len));
    o += len;
  }
  return out;
}

// ---------- fetching ----------

export class LogClient {
  // base: URL of the log prefix, ending in "/".
  constructor(base) {
    this.base = base;
    this.fetched = 0;
    this.tiles = new Map();  // tile() cache: key -> Promise of hashes
  }

  async get(path, { text = false, cache = 'default' } = {}) {
    const res = await fetch(new URL(path, this.base), { cache });
    if (!res.ok) {
      const err = new Error(`GET ${path}: HTTP ${res.status}`);
      err.status = res.status;
      throw err;
    }
    this.fetched++;
    return text ? res.text() : new Uint8Array(await res.arrayBuffer());
  }

  async checkpoint() {
    return parseCheckpoint(await this.get('checkpoint', { text: true, cache: 'no-cache' }));
  }

  // A partial resource that a later tree made full may be gone: fall back to
  // the full one and keep its prefix (tlog-tiles, "Partial Tiles").
  async getPartialOrFull(partialPath, fullPath) {
    try {
      return { data: await this.get(partialPath), full: false };
    } catch (e) {
      if (e.status !== 404 || partialPath === fullPath) throw e;
      return { data: await this.get(fullPath), full: true };
    }
  }

  // All entries of a tree of `size`, in order. onProgress(done, total).
  async entries(size, onProgress = () => {}) {
    const bundles = Math.ceil(size / TILE_WIDTH);
    const out = new Array(size);
    let done = 0;
    const fetchOne = async (n) => {
      const entries = await this.bundle(n, size);
      for (let i = 0; i < entries.length; i++) out[n * TILE_WIDTH + i] = entries[i];
      done += entries.length;
      onProgress(done, size);
    };
    await pool(bundles, 6, fetchOne);
    return out;
  }

  // The hashes of tile `n` of `level` in a tree of `size` (an array of 32-byte
  // hashes), fetched once per client: a tile at a given tree size never changes.
  async tile(level, n, size) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    const width = Math.min(TILE_WIDTH, count - n * TILE_WIDTH);
    if (width <= 0) throw new Error(`tile ${level}/${n} is beyond a tree of ${size}`);
    const key = `${level}/${n}/${width}`;
    if (!this.tiles.has(key)) {
      this.tiles.set(key, (async () => {
        const { data } = await this.getPartialOrFull(tilePath(level, n, width), tilePath(level, n, TILE_WIDTH));
        if (data.length < width * 32 || data.length % 32 !== 0 || data.length > TILE_WIDTH * 32) {
          throw new Error(`tile ${level}/${n} has ${data.length} bytes, expected ${width * 32}`);
        }
        return Array.from({ length: width }, (_, i) => data.slice(i * 32, i * 32 + 32));
      })());
      this.tiles.get(key).catch(() => this.tiles.delete(key));
    }
    return this.tiles.get(key);
  }

  // The entries of bundle `n` of a tree of `size` (only those below `size`).
  async bundle(n, size) {
    const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
    if (width <= 0) throw new Error(`entry bundle ${n} is beyond a tree of ${size}`);
    const { data } = await this.getPartialOrFull(bundlePath(n, width), bundlePath(n, TILE_WIDTH));
    const entries = parseEntryBundle(data);
    if (entries.length < width || (entries.length > width && width === TILE_WIDTH)) {
      throw new Error(`entry bundle ${n} holds ${entries.length} entries, expected ${width}`);
    }
    return entries.slice(0, width);
  }

  // The hashes of level `level` for a tree of `size` (floor(size / 256^level) of them).
  async tileHashes(level, size) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    const tiles = Math.ceil(count / TILE_WIDTH);
    const out = new Array(count);
    await pool(tiles, 6, async (n) => {
      const width = Math.min(TILE_WIDTH, count - n * TILE_WIDTH);
      const { data } = await this.getPartialOrFull(
        tilePath(level, n, width),
        tilePath(level, n, TILE_WIDTH),
      );
      if (data.length < width * 32 || data.length % 32 !== 0 || data.length > TILE_WIDTH * 32) {
        throw new Error(`tile ${level}/${n} has ${data.length} bytes, expected ${width * 32}`);
      }
      for (let i = 0; i < width; i++) out[n * TILE_WIDTH + i] = data.slice(i * 32, i * 32 + 32);
    });
    return out;
  }
}

async function pool(count, parallel, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

// ---------- recomputing the tree ----------

function largestPowerOfTwoBelow(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// RFC 6962 MTH over hashes[lo, hi). `levels[l]` (if present) holds the roots of
// aligned subtrees of 256^l leaves, used as a shortcut for such subtrees.
async function mth(leaves, lo, hi, levels) {
  const n = hi - lo;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return leaves[lo];
  for (let l = levels.length - 1; l >= 1; l--) {
    const span = TILE_WIDTH ** l;
    if (n === span && lo % span === 0 && levels[l][lo / span]) return levels[l][lo / span];
  }
  const k = largestPowerOfTwoBelow(n);
  const [a, b] = await Promise.all([mth(leaves, lo, lo + k, levels), mth(leaves, lo + k, hi, levels)]);
  return nodeHash(a, b);
}

// Recomputes the leaf hashes from the entries, checks every tile level served by
// the log against them, and the root against the checkpoint. Returns a report
// { ok, problems: [string], leafHashes, tilesChecked }.
export async function verifyTree(client, checkpoint, entries) {
  const problems = [];
  const size = checkpoint.size;
  const leafHashes = await Promise.all(entries.map((e) => leafHash(e)));
  // levels[l][i] = MTH of leaves [i*256^l, (i+1)*256^l), computed locally.
  const levels = [leafHashes];
  while (levels[levels.length - 1].length >= TILE_WIDTH) {
    const below = levels[levels.length - 1];
    const above = [];
    for (let i = 0; i + TILE_WIDTH <= below.length; i += TILE_WIDTH) {
      above.push(await mth(below, i, i + TILE_WIDTH, []));
    }
    levels.push(above);
  }
  let tilesChecked = 0;
  for (let l = 0; l < levels.length; l++) {
    if (levels[l].length === 0) break;
    let served;
    try {
      served = await client.tileHashes(l, size);
    } catch (e) {
      problems.push(`cannot read level ${l} tiles: ${e.message}`);
      continue;
    }
    tilesChecked += Math.ceil(served.length / TILE_WIDTH);
    for (let i = 0; i < levels[l].length; i++) {
      if (!equalBytes(served[i], levels[l][i])) {
        problems.push(
          l === 0
            ? `entry ${i}: leaf hash differs from level 0 tile`
            : `level ${l} tile hash ${i} differs from the hashes below it`,
        );
        if (problems.length > 20) break;
      }
    }
  }
  const root = await mth(leafHashes, 0, size, levels);
  const rootMatches = equalBytes(root, checkpoint.root);
  if (!rootMatches) problems.push('the root recomputed from the entries differs from the checkpoint');
  return { ok: problems.length === 0, rootMatches, problems, leafHashes, tilesChecked, root };
}

// ---------- reading a few entries of a large log ----------
//
// A page of a log of millions of entries is rendered from the entry bundles it
// shows and O(log_256 N) tiles, never the whole log (docs/EXPLORER.md "Large
// logs"): the visible entries' leaf hashes are compared with their level-0
// tile, each tile's hash with the tile above it, and the checkpoint's root is
// recomputed from the tiles along the tree's right edge (RFC 6962 §2.1: every
// subtree of the root's decomposition is a perfect tree of 2^k leaves, whose
// hash is the perfect tree over 2^k / 256^l hashes of level l, all in one tile
// when 256^l <= 2^k < 256^(l+1)). The work and the requests do not depend on
// the log's size beyond the number of tile levels.

// Entries [lo, hi) of a tree of `size`, from the bundles that hold them.
export async function entryRange(client, size, lo, hi) {
  const out = [];
  for (let n = Math.floor(lo / TILE_WIDTH); n * TILE_WIDTH < hi; n++) {
    const entries = await client.bundle(n, size);
    for (let i = 0; i < entries.length; i++) {
      const index = n * TILE_WIDTH + i;
      if (index >= lo && index < hi) out.push({ index, entry: entries[i] });
    }
  }
  return out;
}

async function perfectRoot(hashes) {
  let level = hashes;
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
    level = await Promise.all(up);
  }
  return level[0];
}

// The hash of the RFC 6962 subtree [lo, hi) of a tree of `size`, from tiles.
// REQUIRES: [lo, hi) is a subtree of the tree's decomposition (hi - lo a power
// of two with lo a multiple of it, or hi == size).
export async function subtreeHash(client, size, lo, hi) {
  const n = hi - lo;
  if (n === 0) return sha256(new Uint8Array(0));
  if ((n & (n - 1)) === 0) {
    let l = 0;
    while (TILE_WIDTH ** (l + 1) <= n) l++;
    const span = TILE_WIDTH ** l;
    const first = lo / span;
    const tile = await client.tile(l, Math.floor(first / TILE_WIDTH), size);
    const at = first % TILE_WIDTH;
    return perfectRoot(tile.slice(at, at + n / span));
  }
  const k = largestPowerOfTwoBelow(n);
  const [a, b] = await Promise.all([subtreeHash(client, size, lo, lo + k), subtreeHash(client, size, lo + k, hi)]);
  return nodeHash(a, b);
}

// Checks that the bundles holding `entries` ([{index, entry}], consecutive)
// are in the tree the checkpoint signs: leaf hashes against level-0 tiles,
// every full tile on their path against the level above, and the root
// recomputed from the right edge's tiles. Returns { ok, problems, leafHashes
// (Map index -> hash), tiles (requests made for tiles so far) }.
export async function verifyEntries(client, checkpoint, entries) {
  const size = checkpoint.size;
  const problems = [];
  const leafHashes = new Map();
  await Promise.all(entries.map(async ({ index, entry }) => leafHashes.set(index, await leafHash(entry))));
  const checked = new Set();
  const check = async (level, n) => {
    // Tile n of `level` hashes to entry n of the tile above, if that exists.
    const key = `${level}/${n}`;
    if (checked.has(key)) return;
    checked.add(key);
    const tile = await client.tile(level, n, size);
    if (tile.length < TILE_WIDTH || Math.floor(size / TILE_WIDTH ** (level + 1)) <= n) return;
    const above = await client.tile(level + 1, Math.floor(n / TILE_WIDTH), size);
    if (!equalBytes(await perfectRoot(tile), above[n % TILE_WIDTH])) {
      problems.push(`level ${level + 1} tile hash ${n} differs from the hashes below it`);
    }
    await check(level + 1, Math.floor(n / TILE_WIDTH));
  };
  for (const [index, h] of leafHashes) {
    const tile = await client.tile(0, Math.floor(index / TILE_WIDTH), size);
    if (!equalBytes(tile[index % TILE_WIDTH], h)) problems.push(`entry ${index}: leaf hash differs from level 0 tile`);
    if (problems.length > 20) break;
  }
  for (const n of new Set([...leafHashes.keys()].map((i) => Math.floor(i / TILE_WIDTH)))) await check(0, n);
  const root = await subtreeHash(client, size, 0, size);
  const rootMatches = equalBytes(root, checkpoint.root);
  if (!rootMatches) problems.push('the root recomputed from the tiles differs from the checkpoint');
  return { ok: problems.length === 0, rootMatches, problems, leafHashes };
}
