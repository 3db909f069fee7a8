// A synthetic tlog-tiles log of any size for the explorer's large-log test
// (docs/EXPLORER.md "Large logs"), served over HTTP by a small Node server
// without writing a file: 10^6 entries would be ~450 MB of bundles on disk and
// 10^6 Ed25519 signatures (the bench generator, bench/audit_sync build, takes
// ~100 s for that). Instead the log cycles through POOL real release entries,
// each signed with node:crypto Ed25519 in the format of docs/FORMATS.md
// "Release entry", so every entry a page shows parses and its signature and
// changelog hash verify; a few "needles" (distinct releases, found by search)
// and an observation about one of them sit among the newest entries. Bundles are cut and tiles sliced on request
// from the leaf hashes, which are computed once (32 bytes per entry), and the
// higher tile levels and the root are computed from them as RFC 6962 defines.
// The checkpoint's signature is 68 zero bytes: the page checks it only with
// ?key=, which this test does not pass.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { createServer } from 'node:http';

const POOL = 512;  // two entry bundles' worth of distinct signed releases
const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const u16 = (n) => Buffer.of(n >> 8, n & 255);

// An Ed25519 signer from a 32-byte seed (PKCS#8 wrapping of the raw seed).
function signer(name, seedByte) {
  const seed = Buffer.alloc(32, seedByte);
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  const raw = Buffer.concat([Buffer.of(1), pub]);
  const keyId = sha(Buffer.from(`${name}\n`), raw).subarray(0, 4);
  return {
    vkey: `${name}+${keyId.toString('hex')}+${raw.toString('base64')}`,
    // c2sp.org/signed-note: "— <name> base64(key ID || signature)".
    signNote: (body) => `${body}\n\u2014 ${name} ${Buffer.concat([keyId, sign(null, Buffer.from(body), key)]).toString('base64')}\n`,
  };
}

// One release entry: "candor.dev/release-entry/v1\n", u16 + signed manifest,
// u16 + changelog.
export function releaseEntry(vendorSigner, vendor, { products, version, rollback, image, issued, disclose = [] }) {
  const changelog = Buffer.from(`Release ${version} of ${products.join(', ')}.\n`);
  const body = ['candor.dev/release/v1', `vendor ${vendor}`, `vendor-key ${vendorSigner.vkey}`,
    ...products.map((p) => `product ${p}`), `version ${version}`, `rollback ${rollback}`,
    `image-sha256 ${sha(Buffer.from(image)).toString('hex')}`, `image-size ${Buffer.byteLength(image)}`,
    `changelog-sha256 ${sha(changelog).toString('hex')}`, `issued ${issued}`,
    ...disclose.map((d) => `disclose ${d}`)].join('\n') + '\n';
  const note = Buffer.from(vendorSigner.signNote(body));
  return Buffer.concat([Buffer.from('candor.dev/release-entry/v1\n'), u16(note.length), note,
    u16(changelog.length), changelog]);
}

const bulk = signer('bulk.example', 7);
const pool = Array.from({ length: POOL }, (_, i) => releaseEntry(bulk, 'bulk.example', {
  products: [`sensor-${i % 16}`],
  version: `1.${i}`,
  rollback: i + 1,
  image: `bulk image ${i}`,
  issued: '2026-11-01T00:00:00Z',
  disclose: i % 10 === 0 ? ['telemetry crash to t.example'] : [],
}));
const probe = signer('needle.example', 9);
// The needles: distinct releases at fixed distances from the newest entry.
export const NEEDLES = [
  { back: 250, products: ['probe-1'], version: '9.9.9', image: 'needle image one' },
  { back: 3000, products: ['probe-2'], version: '4.2.0', image: 'needle image two' },
];
const needleEntries = NEEDLES.map((n, i) => releaseEntry(probe, 'needle.example', {
  ...n, rollback: i + 1, issued: '2026-11-02T00:00:00Z',
}));
export const needleImage = (i) => sha(Buffer.from(NEEDLES[i].image)).toString('hex');

// An observation (docs/FORMATS.md "Observation") about the second needle,
// 1,000 entries after it: what a large log's release page finds by scanning
// the bundles after the release (docs/EXPLORER.md "Observations").
export const OBSERVATION = { back: 2000, about: 1, observer: 'lab.example' };
const lab = signer(OBSERVATION.observer, 11);
function observationEntry(size) {
  const release = needleEntries[OBSERVATION.about];
  const body = ['candor.dev/observation/v1', `observer ${OBSERVATION.observer}`, `observer-key ${lab.vkey}`,
    'log big.example/log', `release-index ${size - NEEDLES[OBSERVATION.about].back}`,
    `release-leaf ${sha(Buffer.of(0), release).toString('hex')}`,
    `product ${NEEDLES[OBSERVATION.about].products[0]}`, 'observed 2026-11-20T10:00:00Z',
    'finding consumables.third-party blocked', `evidence-sha256 ${sha(Buffer.from('evidence')).toString('hex')}`,
    'summary 4.2.0 rejects third-party cartridges'].join('\n') + '\n';
  return Buffer.from(lab.signNote(body));
}

function tileIndex(path) {
  // "x001/x234/567" -> 1234567 (c2sp.org/tlog-tiles).
  return Number(path.split('/').map((p) => p.replace(/^x/, '')).join(''));
}

// Builds the log of `size` entries and serves it on 127.0.0.1 under /big/.
// Returns { url, size, stop(), requests: [paths] }.
export async function serveBigLog(size) {
  const observation = observationEntry(size);
  const entryAt = (i) => {
    if (i === size - OBSERVATION.back) return observation;
    const n = NEEDLES.findIndex((x) => size - x.back === i);
    return n >= 0 ? needleEntries[n] : pool[i % POOL];
  };
  const poolLeaves = pool.map((e) => sha(Buffer.of(0), e));
  const leaves = Buffer.alloc(size * 32);
  for (let i = 0; i < size; i++) {
    const n = NEEDLES.findIndex((x) => size - x.back === i);
    const special = i === size - OBSERVATION.back ? observation : n >= 0 ? needleEntries[n] : null;
    (special ? sha(Buffer.of(0), special) : poolLeaves[i % POOL]).copy(leaves, i * 32);
  }
  const hashAt = (buf, i) => buf.subarray(i * 32, i * 32 + 32);
  // levels[l]: floor(size / 256^l) hashes, each the perfect tree over 256
  // hashes of the level below.
  const levels = [leaves];
  for (let l = 1; 256 ** l <= size; l++) {
    const below = levels[l - 1];
    const count = Math.floor(size / 256 ** l);
    const out = Buffer.alloc(count * 32);
    for (let t = 0; t < count; t++) {
      let row = Array.from({ length: 256 }, (_, k) => hashAt(below, t * 256 + k));
      while (row.length > 1) {
        const up = [];
        for (let k = 0; k < row.length; k += 2) up.push(sha(Buffer.of(1), row[k], row[k + 1]));
        row = up;
      }
      row[0].copy(out, t * 32);
    }
    levels.push(out);
  }
  // RFC 6962 MTH over leaves [lo, hi), with aligned 256^l blocks from levels.
  const mth = (lo, hi) => {
    const n = hi - lo;
    if (n === 1) return hashAt(leaves, lo);
    for (let l = levels.length - 1; l >= 1; l--) {
      if (n === 256 ** l && lo % n === 0) return hashAt(levels[l], lo / n);
    }
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha(Buffer.of(1), mth(lo, lo + k), mth(lo + k, hi));
  };
  const root = size ? mth(0, size) : sha(Buffer.alloc(0));
  const origin = 'big.example/log';
  const checkpoint = `${origin}\n${size}\n${root.toString('base64')}\n\n\u2014 ${origin} ${Buffer.alloc(68).toString('base64')}\n`;
  const requests = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname.replace(/^\/big\//, '');
    requests.push(path);
    const headers = { 'Access-Control-Allow-Origin': '*' };
    if (path === 'checkpoint') return res.writeHead(200, headers).end(checkpoint);
    const m = /^tile\/(entries|[0-9])\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([0-9]+))?$/.exec(path);
    if (!m) return res.writeHead(404, headers).end();
    const n = tileIndex(m[2]);
    const level = m[1] === 'entries' ? 0 : Number(m[1]);
    const count = m[1] === 'entries' ? size : levels[level] ? levels[level].length / 32 : 0;
    const width = Math.min(256, count - n * 256);
    if (width <= 0 || (m[3] ? Number(m[3]) !== width || width === 256 : width !== 256)) {
      return res.writeHead(404, headers).end();
    }
    if (m[1] === 'entries') {
      const parts = [];
      for (let i = n * 256; i < n * 256 + width; i++) {
        const e = entryAt(i);
        parts.push(u16(e.length), e);
      }
      return res.writeHead(200, headers).end(Buffer.concat(parts));
    }
    return res.writeHead(200, headers).end(levels[level].subarray(n * 256 * 32, (n * 256 + width) * 32));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/big/`,
    size,
    requests,
    stop: () => new Promise((r) => server.close(r)),
  };
}
