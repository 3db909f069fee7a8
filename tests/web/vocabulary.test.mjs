// The explorer's disclosure vocabulary (transparency-log/web/release.js) must
// agree with docs/FORMATS.md ("Disclosure vocabulary"), like libverify's does
// (tests/libverify/disclosure_test.cc). Also unit-tests the release.js diff and
// restrictiveness rules and tlog.js tile paths and bundle parsing. Needs only
// Node (no browser): CTest "web_unit".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const web = join(root, 'transparency-log', 'web');
const { VOCABULARY, isRestrictive, diffDisclosures, isDelayed, kindTitle, compareReleases } =
  await import(join(web, 'release.js'));
const { tileIndexPath, tilePath, bundlePath, parseEntryBundle, parseCheckpoint, base64ToBytes } =
  await import(join(web, 'tlog.js'));

function formatsTable() {
  const md = readFileSync(join(root, 'docs', 'FORMATS.md'), 'utf8');
  const section = md.slice(md.indexOf('## Disclosure vocabulary'));
  const rows = {};
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    // | kind | value | meaning | restrictive | effective | single-valued | state or event |
    if (cells.length !== 9 || !/^`[a-z]/.test(cells[1]) || cells[1].startsWith('`x-')) continue;
    rows[cells[1].replaceAll('`', '')] = {
      restrictive: cells[4],
      effective: cells[5],
      single: cells[6],
      meaning: cells[7],
    };
  }
  return rows;
}

test('vocabulary kinds and flags match docs/FORMATS.md', () => {
  const doc = formatsTable();
  assert.deepEqual(Object.keys(VOCABULARY).sort(), Object.keys(doc).sort());
  for (const [kind, info] of Object.entries(VOCABULARY)) {
    const row = doc[kind];
    const restrictive =
      info.restrictive === 'always' ? 'yes' : info.restrictive === 'never' ? 'no' : `unless \`${info.neutral}\``;
    assert.equal(row.restrictive, restrictive, kind);
    assert.equal(row.effective, info.effective ? 'yes' : 'no', kind);
    assert.equal(row.single, info.single ? 'yes' : 'no', kind);
    assert.equal(row.meaning, info.meaning, kind);
  }
});

test('restrictive rules', () => {
  const cases = [
    [{ kind: 'consumables.third-party', value: 'allowed' }, false],
    [{ kind: 'consumables.third-party', value: 'blocked' }, true],
    [{ kind: 'telemetry', value: 'none' }, false],
    [{ kind: 'telemetry', value: 'crash to a.example' }, true],
    [{ kind: 'security-fix', value: 'unassigned' }, false],
    [{ kind: 'end-of-support', value: '2030-01-01' }, false],
    [{ kind: 'feature-removal', value: 'scan to email' }, true],
    [{ kind: 'x-acme.example/thing', value: 'anything' }, true],
    [{ kind: 'made-up', value: 'x' }, true],
  ];
  for (const [d, want] of cases) assert.equal(isRestrictive(d), want, JSON.stringify(d));
  assert.equal(kindTitle('x-acme.example/ink-check'), 'Vendor-specific (acme.example) ink-check');
});

test('disclosure diff', () => {
  const d = (kind, value, effective = null) => ({ kind, value, effective });
  const older = [d('consumables.third-party', 'allowed'), d('telemetry', 'crash to a.example'),
    d('security-fix', 'CVE-2026-0001'), d('feature-removal', 'fax'), d('feature-removal', 'scan')];
  const newer = [d('consumables.third-party', 'allowed'), d('consumables.third-party', 'blocked', '2026-09-13'),
    d('telemetry', 'crash,usage to a.example'), d('feature-removal', 'scan'), d('feature-removal', 'copy')];
  // Events (feature removals, security fixes) are the release's own: the
  // newer one's are listed, the older one's are never "removed".
  assert.deepEqual(diffDisclosures(older, newer), [
    { change: 'added', kind: 'consumables.third-party', effective: '2026-09-13', value: 'blocked' },
    { change: 'changed', kind: 'telemetry', effective: null, value: 'crash,usage to a.example', oldValue: 'crash to a.example' },
    { change: 'event', kind: 'feature-removal', effective: null, value: 'scan' },
    { change: 'event', kind: 'feature-removal', effective: null, value: 'copy' },
  ]);
  assert.deepEqual(diffDisclosures(newer, newer).filter((x) => x.change !== 'event'), []);
  // A restrictive state not restated is dropped (still in effect); a
  // non-restrictive one is simply carried; lifting is an explicit change.
  const blocked = [d('consumables.third-party', 'blocked', '2026-09-13'), d('end-of-support', '2031-12-31')];
  assert.deepEqual(diffDisclosures(blocked, []), [
    { change: 'dropped', kind: 'consumables.third-party', effective: '2026-09-13', value: 'blocked' },
  ]);
  assert.deepEqual(diffDisclosures(blocked, [d('consumables.third-party', 'allowed')]), [
    { change: 'added', kind: 'consumables.third-party', effective: null, value: 'allowed' },
    { change: 'removed', kind: 'consumables.third-party', effective: '2026-09-13', value: 'blocked' },
  ]);
  assert.deepEqual(diffDisclosures([d('security-fix', 'CVE-2026-0001')], []), []);
  assert.equal(isDelayed(d('k', 'v', '2026-09-13'), '2026-03-01T00:00:00Z'), true);
  assert.equal(isDelayed(d('k', 'v', '2026-03-01'), '2026-03-01T10:00:00Z'), false);
  assert.equal(isDelayed(d('k', 'v'), '2026-03-01T10:00:00Z'), false);
  // A vendor-chosen issue date in the future (the activation day itself) does
  // not hide a delay: until then, the reference is today.
  assert.equal(isDelayed(d('k', 'v', '2027-01-01'), '2027-01-01T00:00:00Z', '2026-12-04'), true);
  assert.equal(isDelayed(d('k', 'v', '2027-01-01'), '2027-01-01T00:00:00Z'), false);
  assert.equal(isDelayed(d('k', 'v', '2026-09-13'), '2026-03-01T00:00:00Z', '2026-12-04'), true);
  assert.equal(isDelayed(d('k', 'v', '2026-03-01'), '2026-03-01T10:00:00Z', '2026-12-04'), false);
  const rel = (rollback, index) => ({ index, release: { manifest: { rollbackBig: BigInt(rollback) } } });
  const sorted = [rel(3, 0), rel(2, 5), rel(2, 1), rel(10, 2)].sort(compareReleases);
  assert.deepEqual(sorted.map((r) => r.index), [1, 5, 0, 2]);
});

test('tile paths (c2sp.org/tlog-tiles)', () => {
  assert.equal(tileIndexPath(0), '000');
  assert.equal(tileIndexPath(1000), 'x001/000');
  assert.equal(tileIndexPath(1234067), 'x001/x234/067');
  assert.equal(tilePath(0, 0, 3), 'tile/0/000.p/3');
  assert.equal(tilePath(1, 2, 256), 'tile/1/002');
  assert.equal(bundlePath(1234067, 17), 'tile/entries/x001/x234/067.p/17');
});

test('entry bundles and checkpoints parse strictly', () => {
  const bundle = Uint8Array.of(0, 2, 0x61, 0x62, 0, 0, 0, 1, 0x63);
  assert.deepEqual(parseEntryBundle(bundle).map((e) => [...e]), [[0x61, 0x62], [], [0x63]]);
  assert.throws(() => parseEntryBundle(Uint8Array.of(0, 3, 0x61)), /truncated/);
  assert.throws(() => parseEntryBundle(Uint8Array.of(0)), /truncated/);
  assert.equal(base64ToBytes('AB=='), null);  // non-canonical trailing bits
  const root = 'A'.repeat(43) + '=';
  const sig = Buffer.alloc(68, 1).toString('base64');
  const cosig = Buffer.alloc(4 + 72, 0);
  cosig.writeBigUInt64BE(1700000000n, 4);
  const cp = parseCheckpoint(
    `example.org/log\n3\n${root}\n\n\u2014 example.org/log ${sig}\n\u2014 w1 ${cosig.toString('base64')}\n`);
  assert.equal(cp.size, 3);
  assert.equal(cp.origin, 'example.org/log');
  assert.deepEqual(cp.signatures.map((s) => s.type), ['ed25519', 'cosignature/v1']);
  assert.equal(cp.signatures[1].timestamp, 1700000000);
  assert.throws(() => parseCheckpoint(`example.org/log\n03\n${root}\n\n\u2014 a ${sig}\n`), /size/);
  assert.throws(() => parseCheckpoint(`example.org/log\n3\n${root}\n`), /signature/);
});
