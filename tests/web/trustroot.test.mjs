// The explorer's trust root parsing and diff (transparency-log/web/trustroot.js)
// over the trust root test vectors of docs/FORMATS.md ("Trust root test
// vectors"). Needs only Node: CTest "web_unit".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { isTrustRootEntry, parseTrustRoot, diffTrustRoots, trustDomains } =
  await import(join(root, 'transparency-log', 'web', 'trustroot.js'));

const vector = (name) => new Uint8Array(readFileSync(join(root, 'tests', 'vectors', 'trust-root', name)));
const bytes = (s) => new TextEncoder().encode(s);

test('trust root vectors parse: domain, version, expiry, root keys, policy', () => {
  const v1 = parseTrustRoot(vector('v1.root'));
  assert.equal(v1.domain, 'acme.example/printers');
  assert.equal(v1.version, '1');
  assert.equal(v1.expires, '2028-01-01T00:00:00Z');
  assert.equal(v1.rootThreshold, 2);
  assert.deepEqual(v1.rootKeys.map((k) => k.split('+')[0]), ['root-a.acme.example', 'root-b.acme.example']);
  assert.equal(v1.policy[0].split(' ')[0], 'log');
  assert.equal(v1.policy.at(-1), 'max-checkpoint-age 604800');
  assert.deepEqual(v1.signatures.map((s) => s.name), ['root-a.acme.example', 'root-b.acme.example']);
});

test('isTrustRootEntry tells the two entry types apart', () => {
  const cases = [
    [vector('v1.root'), true],
    [bytes('candor.dev/trust-root/v1\n'), true],
    [bytes('candor.dev/trust-root/v2\n'), false],
    [bytes('candor.dev/release-entry/v1\n'), false],
    [bytes(''), false],
  ];
  for (const [entry, want] of cases) assert.equal(isTrustRootEntry(entry), want);
});

test('malformed trust roots are refused with a reason', () => {
  const good = new TextDecoder().decode(vector('v1.root'));
  const cases = [
    ['no signatures', good.slice(0, good.indexOf('\n\n') + 1)],
    ['bad version', good.replace('version 1\n', 'version 01\n')],
    ['bad expiry', good.replace('expires 2028-01-01T00:00:00Z', 'expires 2028-01-01')],
    ['missing domain', good.replace('domain acme.example/printers\n', '')],
    ['no root key', good.replace(/^root .*\n/gm, '')],
  ];
  for (const [name, text] of cases) {
    assert.throws(() => parseTrustRoot(bytes(text)), Error, name);
  }
});

test('diffTrustRoots: the lines v2 changes (root key rotated, vendor key replaced, expiry)', () => {
  const v1 = parseTrustRoot(vector('v1.root'));
  const v2 = parseTrustRoot(vector('v2.root'));
  const diff = diffTrustRoots(v1, v2).map((x) => `${x.change} ${x.line.split('+')[0]}`);
  assert.deepEqual(diff, [
    'removed expires 2028-01-01T00:00:00Z',
    'removed root root-a.acme.example',
    'removed vendor acme.example/firmware',
    'added expires 2029-01-01T00:00:00Z',
    'added root root-c.acme.example',
    'added vendor acme.example/firmware-2026',
  ]);
  assert.deepEqual(diffTrustRoots(v1, v1), []);
});

test('trustDomains groups roots by domain in log order, skipping releases', () => {
  const v1 = parseTrustRoot(vector('v1.root'));
  const v2 = parseTrustRoot(vector('v2.root'));
  const other = { ...v1, domain: 'globex.example/thermostats' };
  const records = [
    { index: 0, release: {}, root: null },
    { index: 1, root: other },
    { index: 2, root: v1 },
    { index: 3, root: v2 },
  ];
  const d = trustDomains(records);
  assert.deepEqual([...d.keys()], ['acme.example/printers', 'globex.example/thermostats']);
  assert.deepEqual(d.get('acme.example/printers').map((r) => r.index), [2, 3]);
});
