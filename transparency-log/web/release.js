// Candor release entries (docs/FORMATS.md, "Release entry"), the disclosure vocabulary
// ("Disclosure vocabulary", mirrored here; tests/web/vocabulary.test.mjs checks that this
// table and FORMATS.md agree) and the disclosure diff between two releases.
//
// The log has already checked every entry strictly on admission; this parser is
// still careful (an explorer may be pointed at any mirror) and reports what it
// cannot read instead of guessing. Pure data handling: no DOM access.

import { parseSignedNote, decodeUtf8, sha256, bytesToHex } from './tlog.js';

const MAGIC = 'candor.dev/release-entry/v1\n';

// kind -> { title, restrictive: 'always' | 'never' | 'unless', neutral, effective, single,
//          meaning: 'state' | 'event' } (docs/FORMATS.md "State and event kinds")
export const VOCABULARY = {
  'account-required': { title: 'Account required', restrictive: 'always', effective: true, single: false, meaning: 'state' },
  'connectivity-required': { title: 'Connectivity required', restrictive: 'always', effective: true, single: true, meaning: 'state' },
  'consumables.third-party': { title: 'Third-party consumables', restrictive: 'unless', neutral: 'allowed', effective: true, single: true, meaning: 'state' },
  'end-of-support': { title: 'End of support', restrictive: 'never', effective: false, single: true, meaning: 'state' },
  'feature-removal': { title: 'Feature removal', restrictive: 'always', effective: true, single: false, meaning: 'event' },
  'performance-limit': { title: 'Performance limit', restrictive: 'always', effective: true, single: false, meaning: 'state' },
  'region-lock': { title: 'Region lock', restrictive: 'always', effective: true, single: true, meaning: 'state' },
  'remote-disable': { title: 'Remote disable', restrictive: 'unless', neutral: 'none', effective: true, single: true, meaning: 'state' },
  'repair.parts-pairing': { title: 'Parts pairing', restrictive: 'unless', neutral: 'allowed', effective: true, single: true, meaning: 'state' },
  'security-fix': { title: 'Security fix', restrictive: 'never', effective: false, single: true, meaning: 'event' },
  'subscription-required': { title: 'Subscription required', restrictive: 'always', effective: true, single: false, meaning: 'state' },
  telemetry: { title: 'Telemetry', restrictive: 'unless', neutral: 'none', effective: true, single: false, meaning: 'state' },
};

export function isVendorKind(kind) {
  return /^x-[a-z0-9.-]+\/[a-z0-9.-]+$/.test(kind);
}

// Mirrors IsRestrictive() (libverify/src/disclosure.cc): vendor-specific and
// unknown kinds always count as restrictive.
export function isRestrictive(d) {
  const info = VOCABULARY[d.kind];
  if (!info) return true;
  if (info.restrictive === 'never') return false;
  if (info.restrictive === 'always') return true;
  return d.value !== info.neutral;
}

export function kindTitle(kind) {
  const info = VOCABULARY[kind];
  if (info) return info.title;
  if (isVendorKind(kind)) {
    const slash = kind.indexOf('/');
    return `Vendor-specific (${kind.slice(2, slash)}) ${kind.slice(slash + 1)}`;
  }
  return `Unknown kind ${kind}`;
}

// Parses "disclose <kind> <value>[ effective=YYYY-MM-DD]" (without "disclose ").
function parseDisclosure(rest) {
  const sp = rest.indexOf(' ');
  if (sp <= 0) throw new Error('malformed disclose line');
  const kind = rest.slice(0, sp);
  let value = rest.slice(sp + 1);
  let effective = null;
  const m = / effective=(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (m) {
    effective = m[1];
    value = value.slice(0, m.index);
  }
  if (!value) throw new Error('empty disclosure value');
  return { kind, value, effective };
}

// Parses the manifest text (the body of the signed note).
function parseManifest(body) {
  const lines = body.slice(0, -1).split('\n');
  if (lines[0] !== 'candor.dev/release/v1') throw new Error('not a candor.dev/release/v1 manifest');
  const m = { products: [], disclosures: [] };
  const single = ['vendor', 'vendor-key', 'version', 'rollback', 'image-sha256', 'image-size',
    'changelog-sha256', 'issued'];
  for (const line of lines.slice(1)) {
    const sp = line.indexOf(' ');
    if (sp <= 0) throw new Error('malformed manifest line');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'product') m.products.push(value);
    else if (key === 'disclose') m.disclosures.push(parseDisclosure(value));
    else if (single.includes(key) && !(key in m)) m[key] = value;
    else throw new Error(`unexpected manifest line "${key}"`);
  }
  for (const k of single) if (!(k in m)) throw new Error(`manifest lacks "${k}"`);
  if (!/^(0|[1-9][0-9]*)$/.test(m.rollback)) throw new Error('bad rollback counter');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(m.issued)) throw new Error('bad issue time');
  m.rollbackBig = BigInt(m.rollback);
  return m;
}

// Parses one log entry. Returns { manifest, changelog, note, signature, entry } or
// throws Error with the reason.
export function parseReleaseEntry(entry) {
  const magic = new TextEncoder().encode(MAGIC);
  if (entry.length < magic.length + 4) throw new Error('entry too short');
  for (let i = 0; i < magic.length; i++) {
    if (entry[i] !== magic[i]) throw new Error('not a Candor release entry (bad magic)');
  }
  let o = magic.length;
  const mlen = (entry[o] << 8) | entry[o + 1];
  o += 2;
  if (mlen === 0 || o + mlen + 2 > entry.length) throw new Error('bad manifest length');
  const noteText = decodeUtf8(entry.subarray(o, o + mlen));
  o += mlen;
  const clen = (entry[o] << 8) | entry[o + 1];
  o += 2;
  if (clen === 0 || o + clen !== entry.length) throw new Error('bad changelog length');
  const changelogBytes = entry.subarray(o, o + clen);
  const changelog = decodeUtf8(changelogBytes);
  const note = parseSignedNote(noteText);
  if (note.signatures.length !== 1) throw new Error('manifest must carry exactly one signature');
  const manifest = parseManifest(note.body);
  return { manifest, changelog, changelogBytes, note, signature: note.signatures[0], entry };
}

// Cheap checks the page can do itself: the changelog hash. (Signatures need Ed25519.)
export async function changelogMatches(release) {
  return bytesToHex(await sha256(release.changelogBytes)) === release.manifest['changelog-sha256'];
}

// Days between two YYYY-MM-DD dates (b - a).
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

// The date a release's delays count from: its issue date, unless that lies
// after `now` (YYYY-MM-DD). `issued` is the vendor's claim: a vendor that
// dates a release on its activation day must not hide the delay, so a claimed
// issue date in the future counts as today (docs/EXPLORER.md). The auditor
// (`candor audit flags`) also knows when the entry was first logged.
export function delayReference(issued, now) {
  const day = issued.slice(0, 10);
  return now !== undefined && now < day ? now : day;
}

// A disclosure whose effective date is after the release's reference date
// (delayReference): the behaviour changes later, without a new update
// ("delayed activation").
export function isDelayed(d, issued, now) {
  return d.effective !== null && d.effective > delayReference(issued, now);
}

// Ordering of a product's releases: rollback counter, then log index.
export function compareReleases(a, b) {
  const ra = a.release.manifest.rollbackBig;
  const rb = b.release.manifest.rollbackBig;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.index - b.index;
}

// A kind's meaning over a product's releases: vocabulary kinds as the table
// says, vendor-specific (and unknown) kinds are states. Mirrors MeaningOf()
// (libverify/include/candor/disclosure.h).
export function meaningOf(kind) {
  return VOCABULARY[kind]?.meaning ?? 'state';
}

// Disclosure diff from the release `older` to the next release `newer`
// (arrays of {kind, value, effective}) under the state/event model of
// docs/FORMATS.md "State and event kinds" (libverify/src/disclosure_state.cc,
// auditor DiffDisclosures): a state kind that `newer` restates is compared
// per (kind, effective date): present only in the newer release: added; only
// in the older: removed; one value in each that differ: changed; otherwise
// value by value added/removed. A state kind `newer` does not restate is
// carried (still in effect); if restrictive, it was dropped. Events belong to
// their release: the newer one's are listed, the older one's never "removed".
// Returns [{ change: 'added'|'removed'|'changed'|'event'|'dropped', kind,
// effective, value, oldValue }]: states by (kind, date), then events, then
// dropped states.
export function diffDisclosures(older, newer) {
  const states = (list) => list.filter((d) => meaningOf(d.kind) === 'state');
  const restated = new Set(states(newer).map((d) => d.kind));
  const group = (list) => {
    const m = new Map();
    for (const d of list) {
      const key = `${d.kind}\u0000${d.effective ?? ''}`;
      if (!m.has(key)) m.set(key, []);
      m.get(key).push(d.value);
    }
    return m;
  };
  const a = group(states(older).filter((d) => restated.has(d.kind)));
  const b = group(states(newer));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out = [];
  for (const key of keys) {
    const [kind, eff] = key.split('\u0000');
    const effective = eff || null;
    const va = a.get(key) ?? [];
    const vb = b.get(key) ?? [];
    if (va.length === 1 && vb.length === 1) {
      if (va[0] !== vb[0]) out.push({ change: 'changed', kind, effective, value: vb[0], oldValue: va[0] });
      continue;
    }
    for (const v of vb) if (!va.includes(v)) out.push({ change: 'added', kind, effective, value: v });
    for (const v of va) if (!vb.includes(v)) out.push({ change: 'removed', kind, effective, value: v });
  }
  for (const d of newer) {
    if (meaningOf(d.kind) === 'event') out.push({ change: 'event', kind: d.kind, effective: d.effective, value: d.value });
  }
  const carried = states(older).filter((d) => !restated.has(d.kind));
  const droppedKinds = new Set(carried.filter(isRestrictive).map((d) => d.kind));
  for (const d of carried) {
    if (droppedKinds.has(d.kind)) out.push({ change: 'dropped', kind: d.kind, effective: d.effective, value: d.value });
  }
  return out;
}
