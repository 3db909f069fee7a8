// tlog.js against an independent, naive implementation of the tlog-tiles
// definitions (RFC 6962 MTH by recursion over node:crypto SHA-256, tiles built
// from the spec's formula, tilelog.mjs), served through a stubbed fetch: entry bundles,
// partial/full fallback, every tile level, root comparison and tamper
// detection. Node only (CTest "web_unit").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { staticLogFiles } = await import(join(here, 'tilelog.mjs'));
const { LogClient, verifyTree, tilePath, bundlePath, subtreeHash, entryRange, verifyEntries } = await import(
  join(here, '..', '..', 'transparency-log', 'web', 'tlog.js'));

// The static files of a log of `size` entries (tilelog.mjs), built once per
// size (the naive recursion is slow at 65,836 entries); callers copy before
// tampering.
const built = new Map();
function buildLog(size) {
  if (!built.has(size)) {
    const entries = Array.from({ length: size }, (_, i) => Buffer.from(`entry ${i} `.repeat((i % 7) + 1)));
    built.set(size, { ...staticLogFiles(entries), entries });
  }
  return built.get(size);
}

function stubFetch(files) {
  globalThis.fetch = async (url) => {
    const path = new URL(url).pathname.replace(/^\/log\//, '');
    const body = files.get(path);
    return body
      ? new Response(body, { status: 200 })
      : new Response('not found\n', { status: 404 });
  };
}

const checkpoint = (size, root) => ({ size, root });

for (const size of [0, 1, 2, 255, 256, 257, 511, 512, 700, 65536 + 300]) {
  test(`entries, tiles and root for a tree of ${size}`, async () => {
    const log = buildLog(size);
    stubFetch(log.files);
    const client = new LogClient('http://mirror.test/log/');
    const entries = await client.entries(size);
    assert.equal(entries.length, size);
    for (const i of [0, size - 1].filter((i) => i >= 0 && i < size)) {
      assert.deepEqual(Buffer.from(entries[i]), log.entries[i]);
    }
    const report = await verifyTree(client, checkpoint(size, log.root), entries);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.tilesChecked, [...log.files.keys()].filter((p) => !p.startsWith('tile/entries/')).length);
  });
}

test('a partial bundle that is gone falls back to the full one', async () => {
  // The reader holds a checkpoint of 300; the log has since grown to 600 and
  // deleted the partials of 300 that a full tile replaced (bundle and level-0
  // tile 1); the level-1 partial of width 1 has no full tile yet, so it stays.
  const big = buildLog(600);
  const small = buildLog(300);
  const files = new Map(big.files);
  assert.equal(files.has(bundlePath(1, 44)), false);
  assert.equal(files.has(tilePath(0, 1, 44)), false);
  files.set(tilePath(1, 0, 1), small.files.get(tilePath(1, 0, 1)));
  stubFetch(files);
  const client = new LogClient('http://mirror.test/log/');
  const entries = await client.entries(300);
  assert.equal(entries.length, 300);
  const report = await verifyTree(client, checkpoint(300, small.root), entries);
  assert.deepEqual(report.problems, []);
});

test('tampering with any level is reported', async () => {
  const small = buildLog(700);
  const large = buildLog(65536 + 300);
  const cases = [
    [small, tilePath(0, 1, 256), /entry 256: leaf hash differs/],
    [small, tilePath(0, 2, 188), /entry 512: leaf hash differs/],
    [small, tilePath(1, 0, 2), /level 1 tile hash 0 differs/],
    [large, tilePath(1, 0, 256), /level 1 tile hash 5 differs/],
    [large, tilePath(2, 0, 1), /level 2 tile hash 0 differs/],
  ];
  for (const [log, path, want] of cases) {
    const size = log.entries.length;
    const files = new Map(log.files);
    const copy = Buffer.from(files.get(path));
    copy[path === tilePath(1, 0, 256) ? 5 * 32 : 0] ^= 1;
    files.set(path, copy);
    stubFetch(files);
    const client = new LogClient('http://mirror.test/log/');
    const report = await verifyTree(client, checkpoint(size, log.root), await client.entries(size));
    assert.equal(report.ok, false, path);
    assert.match(report.problems.join('\n'), want, path);
  }
  // A wrong checkpoint root with honest tiles.
  stubFetch(small.files);
  const client = new LogClient('http://mirror.test/log/');
  const wrong = Uint8Array.from(small.root);
  wrong[31] ^= 1;
  const report = await verifyTree(client, checkpoint(700, wrong), await client.entries(700));
  assert.equal(report.rootMatches, false);
  assert.match(report.problems.join('\n'), /root recomputed from the entries differs/);
});

test('a short or malformed bundle is an error, not a silent gap', async () => {
  const log = buildLog(10);
  const files = new Map(log.files);
  files.set(bundlePath(0, 10), files.get(bundlePath(0, 10)).subarray(0, 30));
  stubFetch(files);
  await assert.rejects(new LogClient('http://mirror.test/log/').entries(10), /truncated|holds/);
});

// Large logs (docs/EXPLORER.md "Large logs"): a page is verified from its
// bundles and the tiles on its path and along the right edge, never the whole
// level 0.
for (const size of [1, 2, 255, 256, 257, 511, 512, 700, 65536, 65536 + 300]) {
  test(`root from the right edge's tiles and a page's inclusion, tree of ${size}`, async () => {
    const log = buildLog(size);
    const requested = [];
    stubFetch(log.files);
    const real = globalThis.fetch;
    globalThis.fetch = (url, o) => {
      requested.push(new URL(url).pathname.replace(/^\/log\//, ''));
      return real(url, o);
    };
    const client = new LogClient('http://mirror.test/log/');
    assert.deepEqual(Buffer.from(await subtreeHash(client, size, 0, size)), Buffer.from(log.root));
    for (const [lo, hi] of [[Math.max(0, size - 100), size], [0, Math.min(size, 10)]]) {
      const page = await entryRange(client, size, lo, hi);
      assert.deepEqual(page.map((e) => e.index), Array.from({ length: hi - lo }, (_, i) => lo + i));
      assert.deepEqual(Buffer.from(page[0].entry), log.entries[lo]);
      const report = await verifyEntries(client, checkpoint(size, log.root), page);
      assert.deepEqual(report.problems, [], `[${lo}, ${hi})`);
      assert.equal(report.leafHashes.size, hi - lo);
    }
    // Never a whole level: at most two tiles per level (a page's own path and
    // the right edge) for each of the two pages, and each tile at most once.
    const tiles = requested.filter((p) => !p.startsWith('tile/entries/'));
    assert.equal(new Set(tiles).size, tiles.length, tiles.join(' '));
    const levels = [...new Set(tiles.map((p) => p.split('/')[1]))].length;
    assert.ok(tiles.length <= 4 * levels, tiles.join(' '));
  });
}

test('a page of a large log: tampering on its path or a wrong root is reported', async () => {
  const small = buildLog(700);
  const large = buildLog(65536 + 300);
  const cases = [
    [small, [256, 300], tilePath(0, 1, 256), 0, /entry 256: leaf hash differs/],
    [small, [600, 700], tilePath(0, 2, 188), 0, /root recomputed from the tiles differs/],
    [small, [0, 10], tilePath(1, 0, 2), 0, /level 1 tile hash 0 differs/],
    [large, [1280, 1300], tilePath(1, 0, 256), 5 * 32, /level 1 tile hash 5 differs/],
    [large, [1280, 1300], tilePath(2, 0, 1), 0, /level 2 tile hash 0 differs/],
  ];
  for (const [log, [lo, hi], path, at, want] of cases) {
    const size = log.entries.length;
    const files = new Map(log.files);
    const copy = Buffer.from(files.get(path));
    copy[at] ^= 1;
    files.set(path, copy);
    stubFetch(files);
    const client = new LogClient('http://mirror.test/log/');
    const report = await verifyEntries(client, checkpoint(size, log.root), await entryRange(client, size, lo, hi));
    assert.equal(report.ok, false, path);
    assert.match(report.problems.join('\n'), want, path);
  }
  stubFetch(small.files);
  const client = new LogClient('http://mirror.test/log/');
  const wrong = Uint8Array.from(small.root);
  wrong[31] ^= 1;
  const report = await verifyEntries(client, checkpoint(700, wrong), await entryRange(client, 700, 690, 700));
  assert.equal(report.rootMatches, false);
});
