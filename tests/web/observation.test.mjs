// The explorer's observation parsing, signature check, target check and
// finding marks (transparency-log/web/observation.js) over an observation and
// the release it is about as the C++ code makes them
// (tests/web/fixtures/observation/, written and checked by
// tests/auditor/observation_audit_test.cc). Needs only Node: CTest "web_unit".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const web = join(root, 'transparency-log', 'web');
const {
  isObservationEntry, parseObservation, verifyObservation, targetProblem, disclosedAfter, markFindings,
} = await import(join(web, 'observation.js'));
const { parseReleaseEntry } = await import(join(web, 'release.js'));
const { leafHash, bytesToHex, base64ToBytes, bytesToBase64 } = await import(join(web, 'tlog.js'));

const fixture = (name) => new Uint8Array(readFileSync(join(here, 'fixtures', 'observation', name)));
const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);
const ORIGIN = 'log.example/explorer-fixture';

test('the C++ observation parses: every field', () => {
  const o = parseObservation(fixture('observation.note'));
  assert.equal(o.observer, 'lab.example');
  assert.match(o.observerKey, /^lab\.example\+[0-9a-f]{8}\+/);
  assert.equal(o.logOrigin, ORIGIN);
  assert.equal(o.releaseIndex, 0);
  assert.match(o.releaseLeaf, /^[0-9a-f]{64}$/);
  assert.equal(o.product, 'printer-x1');
  assert.equal(o.observed, '2026-11-20T10:00:00Z');
  assert.deepEqual(o.findings.map((f) => `${f.kind} ${f.value}`),
    ['consumables.third-party blocked', 'telemetry none']);
  assert.match(o.evidence, /^[0-9a-f]{64}$/);
  assert.equal(o.summary, '2.4.2 still rejects third-party cartridges on a printer-x1 bought 2026-11');
  assert.equal(o.signature.name, 'lab.example');
});

test('isObservationEntry tells the three entry types apart', () => {
  assert.equal(isObservationEntry(fixture('observation.note')), true);
  assert.equal(isObservationEntry(fixture('release.entry')), false);
  assert.equal(isObservationEntry(bytes('candor.dev/trust-root/v1\n')), false);
  assert.equal(isObservationEntry(bytes('candor.dev/observation/v2\n')), false);
  assert.equal(isObservationEntry(bytes('')), false);
});

test('the signature verifies; a tampered signature or text does not', async () => {
  const good = fixture('observation.note');
  assert.equal(await verifyObservation(parseObservation(good)), 'valid');
  // One bit of the signature flipped (after the 4-byte key ID).
  const t = text(good);
  const at = t.lastIndexOf(' ') + 1;
  const raw = base64ToBytes(t.slice(at, -1));
  raw[10] ^= 1;
  const badSig = bytes(`${t.slice(0, at)}${bytesToBase64(raw)}\n`);
  assert.equal(await verifyObservation(parseObservation(badSig)), 'invalid');
  // The text changed under the same signature.
  const badText = bytes(t.replace('observed 2026-11-20T10:00:00Z', 'observed 2026-11-21T10:00:00Z'));
  assert.equal(await verifyObservation(parseObservation(badText)), 'invalid');
});

test('malformed observations are refused with a reason', () => {
  const good = text(fixture('observation.note'));
  const cases = [
    ['no signature', good.slice(0, good.indexOf('\n\n') + 1)],
    ['two signatures', `${good}${good.slice(good.lastIndexOf('\u2014'))}`],
    ['fields out of order', good.replace(/^(observer .*\n)(observer-key .*\n)/m, '$2$1')],
    ['bad release index', good.replace('release-index 0\n', 'release-index 00\n')],
    ['upper-case leaf', good.replace(/release-leaf ([0-9a-f]{64})/, (_, h) => `release-leaf ${h.toUpperCase()}`)],
    ['vendor kind finding', good.replace('finding telemetry none', 'finding x-lab.example/odd yes')],
    ['findings not ascending', good.replace(/(finding consumables.*\n)(finding telemetry.*\n)/, '$2$1')],
    ['finding with a date', good.replace('finding telemetry none', 'finding telemetry none effective=2026-01-01')],
    ['bad observed time', good.replace('observed 2026-11-20T10:00:00Z', 'observed 2026-11-20')],
    ['empty summary', good.replace(/summary .*\n/, 'summary \n')],
    ['extra line', good.replace(/(summary .*\n)/, '$1extra line\n')],
    ['signed by another key', good.replace(/\u2014 lab\.example /, '\u2014 other.example ')],
    ['observer key of another name', good.replace(/observer-key lab\.example\+/, 'observer-key evil.example+')],
  ];
  for (const [name, t] of cases) {
    assert.notEqual(t, good, `${name}: the case changes nothing`);
    assert.throws(() => parseObservation(bytes(t)), Error, name);
  }
  assert.throws(() => parseObservation(new Uint8Array(9000).fill(65)), Error);
});

test('target check: the release at the index, by leaf hash, origin and product', async () => {
  const o = parseObservation(fixture('observation.note'));
  const entry = fixture('release.entry');
  const release = { release: parseReleaseEntry(entry) };
  const leaf = bytesToHex(await leafHash(entry));
  assert.equal(leaf, o.releaseLeaf);
  assert.equal(targetProblem(o, ORIGIN, release, leaf), null);
  assert.match(targetProblem(o, 'log.example/other', release, leaf), /another log/);
  assert.match(targetProblem(o, ORIGIN, null, null), /no entry 0/);
  assert.match(targetProblem(o, ORIGIN, release, '00'.repeat(32)), /another leaf hash/);
  assert.match(targetProblem(o, ORIGIN, { release: null, root: {} }, leaf), /not a release/);
  assert.match(targetProblem({ ...o, product: 'printer-x2' }, ORIGIN, release, leaf), /does not name product/);
});

test('findings against the disclosures in effect: contradicted, confirmed, silence', () => {
  const o = parseObservation(fixture('observation.note'));
  const r = { index: 0, release: parseReleaseEntry(fixture('release.entry')) };
  const marks = markFindings(o, disclosedAfter([r], 0));
  assert.deepEqual(marks.map((m) => m.contradicted), [true, false]);
  assert.deepEqual(marks[0].disclosed.map((d) => d.value), ['allowed']);
  // The state model: an earlier release's block carried through a silent one
  // confirms the finding, where the silent release's own list would not.
  const mk = (index, disclosures) => ({ index, release: { manifest: { disclosures } } });
  const blocked = { kind: 'consumables.third-party', value: 'blocked', effective: null };
  const history = [mk(0, [blocked]), mk(1, [])];
  assert.deepEqual(markFindings(o, disclosedAfter(history, 1)).map((m) => m.contradicted), [false, false]);
  assert.deepEqual(markFindings(o, disclosedAfter([history[1]], 1)).map((m) => m.contradicted), [true, false]);
  // A block effective only after the observed day does not hold yet.
  const later = { ...blocked, effective: '2027-01-01' };
  assert.equal(markFindings(o, [{ ...blocked, value: 'allowed' }, later])[0].contradicted, true);
  // On a single-valued kind the latest dated value holding that day counts.
  const earlier = { ...blocked, effective: '2026-11-01' };
  assert.equal(markFindings(o, [{ ...blocked, value: 'allowed' }, earlier])[0].contradicted, false);
});
