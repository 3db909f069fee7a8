// Candor trust roots (docs/FORMATS.md "Trust root"), the log's second entry
// type beside release entries: a signed note whose text starts with
// "candor.dev/trust-root/v1". The explorer shows each root (domain, version,
// expiry, root keys, policy) and each domain's versions with the lines that
// changed between consecutive ones.
//
// The log checked each root on admission; the page still parses carefully and
// reports what it cannot read. It does not check the rotation rule (root key
// signatures and thresholds): `candor audit trust` does. Pure data handling: no
// DOM access.

import { parseSignedNote, decodeUtf8 } from './tlog.js';

export const TRUST_ROOT_MAGIC = 'candor.dev/trust-root/v1\n';
const magicBytes = new TextEncoder().encode(TRUST_ROOT_MAGIC);

// True when the entry starts with the trust root header (the log's and the
// auditor's dispatch, IsTrustRootEntry).
export function isTrustRootEntry(entry) {
  if (entry.length < magicBytes.length) return false;
  for (let i = 0; i < magicBytes.length; i++) if (entry[i] !== magicBytes[i]) return false;
  return true;
}

// Parses one trust root entry. Returns { domain, version (string),
// versionBig, expires, rootThreshold, rootKeys, policy (lines), note,
// signatures, entry } or throws Error with the reason.
export function parseTrustRoot(entry) {
  if (!isTrustRootEntry(entry)) throw new Error('not a Candor trust root (bad header)');
  const note = parseSignedNote(decodeUtf8(entry));
  const lines = note.body.slice(0, -1).split('\n');
  let at = 1;
  const field = (name) => {
    const line = lines[at++] ?? '';
    if (!line.startsWith(`${name} `)) throw new Error(`trust root line ${at}: expected "${name}"`);
    return line.slice(name.length + 1);
  };
  const domain = field('domain');
  const version = field('version');
  if (!/^[1-9][0-9]*$/.test(version)) throw new Error('bad trust root version');
  const expires = field('expires');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(expires)) throw new Error('bad expiry time');
  const threshold = field('root-threshold');
  if (!/^[1-9][0-9]*$/.test(threshold)) throw new Error('bad root-threshold');
  const rootKeys = [];
  while (at < lines.length && lines[at].startsWith('root ')) rootKeys.push(lines[at++].slice(5));
  if (!rootKeys.length) throw new Error('trust root has no root key');
  return {
    domain,
    version,
    versionBig: BigInt(version),
    expires,
    rootThreshold: Number(threshold),
    rootKeys,
    policy: lines.slice(at),
    note,
    signatures: note.signatures,
    entry,
  };
}

// The lines that differ between two roots of one domain: header fields, root
// keys and policy lines, each "added" or "removed" (a changed value is one of
// each), in the order of the root's text. Returns [{ change, line }].
export function diffTrustRoots(older, newer) {
  const text = (r) => [
    `expires ${r.expires}`,
    `root-threshold ${r.rootThreshold}`,
    ...r.rootKeys.map((k) => `root ${k}`),
    ...r.policy,
  ];
  const a = text(older);
  const b = text(newer);
  const out = [];
  for (const line of a) if (!b.includes(line)) out.push({ change: 'removed', line });
  for (const line of b) if (!a.includes(line)) out.push({ change: 'added', line });
  return out;
}

// Groups records with a `root` by domain: Map domain -> records in log order.
export function trustDomains(records) {
  const domains = new Map();
  for (const r of records) {
    if (!r.root) continue;
    if (!domains.has(r.root.domain)) domains.set(r.root.domain, []);
    domains.get(r.root.domain).push(r);
  }
  return new Map([...domains.entries()].sort());
}
