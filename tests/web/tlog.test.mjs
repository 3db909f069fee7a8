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
const { LogClient, verifyTree, tilePath, bundlePath } = await import(
  join(here, '..', '..', 'transparency-log', 'web', 'tlog.js'));

// The static files of a log of `size` entries (tilelog.mjs).
function buildLog(size) {
  const entries = Array.from({ length: size }, (_, i) => Buffer.from(`entry ${i} `.repeat((i % 7) + 1)));
  return { ...staticLogFiles(entries), entries };
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
