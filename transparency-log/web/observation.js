// Candor observations (docs/FORMATS.md "Observation"), the log's third entry
// type: a registered researcher's or owner's signed counter-claim about a
// logged release, a signed note whose text starts with
// "candor.dev/observation/v1". The explorer shows each observation on its own
// page and, on the page of the release it is about, beside the vendor's
// disclosures: third-party claims, marked as such, each finding confirmed or
// contradicted against what the product disclosed.
//
// The log checked each observation on admission (the observer's registration,
// the signature, the target); the page parses carefully, verifies the
// signature itself when the browser has Ed25519 (as it does releases'), and
// checks the target (the release leaf hash) against the entry it read.
// Mirrors libverify/include/candor/observation.h; `candor audit show` is the
// reference. Pure data handling: no DOM access.

import { parseSignedNote, decodeUtf8, parseVerifierKey, verifyNoteSignature } from './tlog.js';
import { VOCABULARY, isRestrictive, meaningOf } from './release.js';

export const OBSERVATION_MAGIC = 'candor.dev/observation/v1\n';
const magicBytes = new TextEncoder().encode(OBSERVATION_MAGIC);
const MAX_OBSERVATION = 8192;  // kMaxObservationSize: the whole signed note
const MAX_FINDINGS = 16;
const MAX_SUMMARY = 280;

// True when the entry starts with the observation header (IsObservationEntry).
export function isObservationEntry(entry) {
  if (entry.length < magicBytes.length) return false;
  for (let i = 0; i < magicBytes.length; i++) if (entry[i] !== magicBytes[i]) return false;
  return true;
}

const HEX64 = /^[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DNS = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

// The disclosure line order (FormatDisclosureLine, byte-wise): findings are
// strictly ascending in it.
const findingLine = (d) => `disclose ${d.kind} ${d.value}`;

// Parses one observation entry. Returns { observer, observerKey, logOrigin,
// releaseIndex (number), releaseLeaf (hex), product, observed, findings
// ([{kind, value, effective: null}]), evidence (hex), summary, note,
// signature, entry } or throws Error with the reason. The signature is not
// verified here (verifyObservation).
export function parseObservation(entry) {
  if (!isObservationEntry(entry)) throw new Error('not a Candor observation (bad header)');
  if (entry.length > MAX_OBSERVATION) throw new Error('observation larger than 8192 bytes');
  const note = parseSignedNote(decodeUtf8(entry));
  const lines = note.body.slice(0, -1).split('\n');
  let at = 1;
  const field = (name) => {
    const line = lines[at++] ?? '';
    if (!line.startsWith(`${name} `) || line.length === name.length + 1) {
      throw new Error(`observation line ${at}: expected "${name}"`);
    }
    return line.slice(name.length + 1);
  };
  const observer = field('observer');
  if (!DNS.test(observer)) throw new Error('observer must be a lower-case DNS name');
  const observerKey = field('observer-key');
  const keyName = observerKey.split('+')[0];
  if (keyName !== observer && !keyName.startsWith(`${observer}/`)) {
    throw new Error('observer key is not named like the observer');
  }
  const logOrigin = field('log');
  if (!/^[\x21-\x7e]{1,255}$/.test(logOrigin)) throw new Error('bad log origin');
  const index = field('release-index');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(index) || !Number.isSafeInteger(Number(index))) {
    throw new Error('bad release index');
  }
  const releaseLeaf = field('release-leaf');
  if (!HEX64.test(releaseLeaf)) throw new Error('bad release leaf hash');
  const product = field('product');
  if (!/^[a-z0-9][a-z0-9._/-]*$/.test(product)) throw new Error('bad product id');
  const observed = field('observed');
  if (!TIME.test(observed) || Number.isNaN(Date.parse(observed))) throw new Error('bad observed time');
  const findings = [];
  while (at < lines.length && lines[at].startsWith('finding ')) {
    const rest = lines[at++].slice(8);
    const sp = rest.indexOf(' ');
    if (sp <= 0 || sp === rest.length - 1) throw new Error(`observation line ${at}: malformed finding`);
    const d = { kind: rest.slice(0, sp), value: rest.slice(sp + 1), effective: null };
    if (!VOCABULARY[d.kind]) throw new Error(`observation line ${at}: "${d.kind}" is not a vocabulary kind`);
    if (/ effective=/.test(d.value)) throw new Error(`observation line ${at}: a finding has no effective date`);
    if (findings.length && !(findingLine(findings.at(-1)) < findingLine(d))) {
      throw new Error(`observation line ${at}: findings must be strictly ascending`);
    }
    findings.push(d);
  }
  if (findings.length > MAX_FINDINGS) throw new Error('more than 16 findings');
  const evidence = field('evidence-sha256');
  if (!HEX64.test(evidence)) throw new Error('bad evidence hash');
  const summary = field('summary');
  if (new TextEncoder().encode(summary).length > MAX_SUMMARY || /^ | $|  /.test(summary)) {
    throw new Error('bad summary');
  }
  if (at !== lines.length) throw new Error(`observation line ${at + 1}: unexpected line`);
  if (note.signatures.length !== 1) throw new Error('an observation carries exactly one signature line');
  const signature = note.signatures[0];
  const [, keyId] = observerKey.split('+');
  if (signature.name !== keyName || signature.keyId !== keyId) {
    throw new Error('the signature is not by the observer key');
  }
  return {
    observer, observerKey, logOrigin, releaseIndex: Number(index), releaseLeaf, product,
    observed, findings, evidence, summary, note, signature, entry,
  };
}

// The one signature line under observer-key: 'valid' or 'invalid' (Ed25519 in
// this browser; the caller checks hasEd25519 first).
export async function verifyObservation(o) {
  const key = await parseVerifierKey(o.observerKey);
  if (key.type !== 1) return 'invalid';
  const v = await verifyNoteSignature(o.note, key);
  return v === 'valid' ? 'valid' : 'invalid';
}

// CheckObservationTarget as this page can make it: `origin` the checkpoint's,
// `target` the record at o.releaseIndex ({ release, leafHash (bytes) } or
// null when the log holds no entry there). Returns null when the target
// holds, else the reason.
export function targetProblem(o, origin, target, leafHex) {
  if (o.logOrigin !== origin) return `about another log (${o.logOrigin})`;
  if (!target) return `no entry ${o.releaseIndex} in this log`;
  if (leafHex !== o.releaseLeaf) {
    return `the log's entry ${o.releaseIndex} has another leaf hash than the one observed (a split view?)`;
  }
  if (!target.release) return `entry ${o.releaseIndex} is not a release`;
  if (!target.release.manifest.products.includes(o.product)) {
    return `release ${o.releaseIndex} does not name product ${o.product}`;
  }
  return null;
}

// The product's disclosures in effect after the release `index` (records of
// one vendor and product, in log order, up to at least it): the states of the
// latest release stating each kind ("restating replaces", docs/FORMATS.md
// "State and event kinds"), plus the release's own events. Mirrors the
// auditor's (audit::MarkFindings over ApplyReleaseDisclosures).
export function disclosedAfter(records, index) {
  const states = new Map();  // kind -> disclosures
  let events = [];
  for (const r of records) {
    if (r.index > index) break;
    const ds = r.release.manifest.disclosures;
    const stated = new Map();
    for (const d of ds) {
      if (meaningOf(d.kind) !== 'state') continue;
      if (!stated.has(d.kind)) stated.set(d.kind, []);
      stated.get(d.kind).push(d);
    }
    for (const [kind, list] of stated) states.set(kind, list);
    events = ds.filter((d) => meaningOf(d.kind) === 'event');
  }
  return [...[...states.values()].flat(), ...events];
}

// ObservationContradictions: each finding marked { finding, contradicted,
// disclosed } against `disclosed` on the observed day. Disclosures of the
// kind holding that day (undated or effective by then; of a single-valued
// kind only the latest-dated) that do not have the finding's value
// contradict it; with none of the kind, a restrictive finding is an
// undisclosed restriction, a neutral one agrees with silence.
export function markFindings(o, disclosed) {
  const day = o.observed.slice(0, 10);
  return o.findings.map((finding) => {
    const single = VOCABULARY[finding.kind]?.single ?? false;
    let holding = [];
    let latest = '';  // '' = undated: from install, before any date
    for (const d of disclosed) {
      if (d.kind !== finding.kind) continue;
      const from = d.effective ?? '';
      if (from > day) continue;
      if (single && from < latest) continue;
      if (single && from > latest) holding = [];
      if (from > latest) latest = from;
      holding.push(d);
    }
    const stated = holding.some((d) => d.value === finding.value);
    const contradicted = !stated && (holding.length > 0 || isRestrictive(finding));
    return { finding, contradicted, disclosed: contradicted ? holding : [] };
  });
}
