// The Candor log explorer (docs/EXPLORER.md): a read-only view of a Candor
// transparency log built only from the public c2sp.org/tlog-tiles API
// (checkpoint, entry bundles, tiles), so it works against candor-log, a mirror,
// or a static file server. Client-side routes (#/...):
//   #/                      vendors
//   #/vendor/<vendor>       one vendor's products and keys
//   #/products              every product
//   #/product/<v>/<p>       release timeline of a product
//   #/release/<index>       one entry: a release (manifest, disclosures,
//                           observations about it, changelog, diff), a trust
//                           root or an observation
//   #/trust                 trust roots: each domain's versions and what changed
//   #/checkpoint            the latest checkpoint and its cosignatures
//   #/log[/<page>]          every entry, newest first, 100 a page, read and
//                           checked from the few bundles and tiles it shows
//   #/search/<query>        entries by image SHA-256, vendor, product, version
// The catalogue pages (vendors, products, timelines, trust roots, a release's
// diff) need every entry and read the whole log, up to MAX_ENTRIES; the log and
// search pages never do, so they work on logs of millions of entries
// (docs/EXPLORER.md "Large logs").
// Query parameters: ?log=<base URL of the log> (default: this page's directory),
// ?key=<log verifier key>, ?witness=<witness verifier key> (repeatable): when
// given, and the browser's WebCrypto has Ed25519, the page checks those
// signatures itself.

import { h, table, clear } from './dom.js';
import {
  LogClient,
  verifyTree,
  entryRange,
  verifyEntries,
  bytesToHex,
  bytesToBase64,
  hasEd25519,
  parseVerifierKey,
  verifyNoteSignature,
  leafHash,
} from './tlog.js';
import {
  parseReleaseEntry,
  isRestrictive,
  kindTitle,
  isDelayed,
  delayReference,
  daysBetween,
  compareReleases,
  diffDisclosures,
  changelogMatches,
} from './release.js';
import { isTrustRootEntry, parseTrustRoot, diffTrustRoots, trustDomains } from './trustroot.js';
import {
  isObservationEntry,
  parseObservation,
  verifyObservation,
  targetProblem,
  disclosedAfter,
  markFindings,
} from './observation.js';

const MAX_ENTRIES = 200000;  // the catalogue pages read at most this many entries
const PAGE_SIZE = 100;  // entries per page of #/log
const SEARCH_STEP = 16;  // entry bundles (4,096 entries) searched per step
const MAX_RESULTS = 100;  // a search stops at this many matches
const params = new URLSearchParams(location.search);

function logBase() {
  const given = params.get('log');
  const url = new URL(given || './', location.href);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

const state = {
  base: logBase(),
  phase: 'loading',  // loading | ready | error
  progress: '',
  error: null,
  checkpoint: null,
  records: [],  // { index, release | null, root | null, observation?, error | null, leafHash }
  verify: null,  // verifyTree report, or null while running
  verifyError: null,
  sig: { ed25519: null, log: null, witnesses: [], manifests: null },
  client: null,
  full: 'none',  // the whole log: none | loading | done (records, verify)
  lazyRoute: false,  // the current page reads only what it shows
  view: null,  // what a #/log page or a large log's #/release shows
  search: null,  // the search in progress or done
  obsScan: null,  // a large log's scan for the observations about a release
};

const tooBig = () => state.checkpoint.size > MAX_ENTRIES;

const app = document.getElementById('app');
const statusEl = document.getElementById('status');

// ---------- helpers ----------

const enc = encodeURIComponent;
const today = () => new Date().toISOString().slice(0, 10);

function link(route, text, attrs = {}) {
  return h('a', { href: `#/${route}`, ...attrs }, text);
}

function releaseLink(r, text) {
  return link(`release/${r.index}`, text ?? r.release.manifest.version);
}

function restrictiveBadge() {
  return h('span', { class: 'badge badge-restrictive' }, 'Restrictive');
}

function fmtTime(unix) {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

function releases() {
  return state.records.filter((r) => r.release);
}

// vendor -> product -> [records sorted by rollback, index]
function catalogue() {
  const vendors = new Map();
  for (const r of releases()) {
    const m = r.release.manifest;
    if (!vendors.has(m.vendor)) vendors.set(m.vendor, new Map());
    const products = vendors.get(m.vendor);
    for (const p of m.products) {
      if (!products.has(p)) products.set(p, []);
      products.get(p).push(r);
    }
  }
  for (const products of vendors.values()) {
    for (const list of products.values()) list.sort(compareReleases);
  }
  return vendors;
}

function productReleases(vendor, product) {
  return catalogue().get(vendor)?.get(product) ?? [];
}

function disclosureText(d) {
  return `${kindTitle(d.kind)}: ${d.value}`;
}

function effectiveText(d, issued) {
  if (!d.effective) return 'on install';
  const now = today();
  const delay = daysBetween(delayReference(issued, now), d.effective);
  const rel =
    d.effective > now ? `in ${daysBetween(now, d.effective)} days` : `active since ${d.effective}`;
  return delay > 0 ? `${d.effective} (${delay} days after issue; ${rel})` : d.effective;
}

// ---------- status banner ----------

function renderStatus() {
  clear(statusEl);
  const items = [];
  if (state.phase === 'loading') {
    items.push(h('p', { class: 'status-pending' }, state.progress || 'Loading the log…'));
  } else if (state.phase === 'error') {
    items.push(h('p', { class: 'status-bad' }, `Cannot read the log at ${state.base}: ${state.error}`));
  } else if (state.lazyRoute || (state.full === 'none' && tooBig())) {
    items.push(viewStatus());
    items.push(h('p', { class: 'status-note' }, signatureNote()));
  } else if (state.full !== 'done') {
    items.push(h('p', { class: 'status-pending' }, state.progress || 'Loading the log…'));
  } else {
    const cp = state.checkpoint;
    if (state.verifyError) {
      items.push(h('p', { class: 'status-bad', 'data-verify': 'error' },
        `Warning: could not recompute the tree: ${state.verifyError}`));
    } else if (!state.verify) {
      items.push(h('p', { class: 'status-pending' }, 'Recomputing the Merkle tree…'));
    } else if (state.verify.ok) {
      items.push(h('p', { class: 'status-ok', 'data-verify': 'ok' },
        `Verified: root matches the checkpoint (${cp.size} entries re-hashed, ` +
        `${state.verify.tilesChecked} tile${state.verify.tilesChecked === 1 ? '' : 's'} compared).`));
    } else {
      items.push(h('p', { class: 'status-bad', 'data-verify': 'mismatch' },
        `Warning: the log's data does not match its checkpoint: ${state.verify.problems.join('; ')}`));
    }
    items.push(h('p', { class: 'status-note' }, signatureNote()));
  }
  statusEl.append(...items);
}

// The banner of a page that read only some entries (#/log, #/search, a large
// log's release): what it checked, and that it read no more.
function viewStatus() {
  const v = state.view;
  const size = state.checkpoint.size;
  if (state.search && location.hash.startsWith('#/search')) {
    return h('p', { class: 'status-note', 'data-verify': 'search' },
      'Search results are read from the log\'s entry bundles, newest first; open an entry to check ' +
      'it against the checkpoint.');
  }
  if (!v || !state.lazyRoute) return h('p', { class: 'status-note' }, `Checkpoint read: ${size} entries.`);
  if (v.status === 'loading') return h('p', { class: 'status-pending' }, 'Reading the entries this page shows…');
  if (v.status === 'error') {
    return h('p', { class: 'status-bad', 'data-verify': 'error' }, `Cannot read these entries: ${v.error}`);
  }
  if (!v.verify) return h('p', { class: 'status-pending' }, 'Checking these entries against the checkpoint…');
  if (!v.verify.ok) {
    return h('p', { class: 'status-bad', 'data-verify': 'mismatch' },
      `Warning: the log's data does not match its checkpoint: ${v.verify.problems.join('; ')}`);
  }
  const range = v.hi - v.lo === 1 ? `entry ${v.lo} is` : `entries ${v.lo}–${v.hi - 1} are`;
  return h('p', { class: 'status-ok', 'data-verify': 'ok' },
    `Verified: ${range} in the tree whose root the checkpoint signs (${size} entries; ` +
    `${v.requests} files read, not the whole log).`);
}

function signatureNote() {
  const s = state.sig;
  if (s.ed25519 === false) {
    return 'Signatures are checked by candor audit, not by this page: this browser has no Ed25519 in WebCrypto.';
  }
  const parts = [];
  if (s.log) parts.push(`log signature: ${s.log}`);
  for (const w of s.witnesses) parts.push(`witness ${w.name}: ${w.result}`);
  if (s.manifests && !state.lazyRoute) parts.push(s.manifests);
  if (!s.log) {
    parts.push('the checkpoint signature is checked by candor audit, not by this page ' +
      '(add ?key=<log verifier key> to the URL to check it here)');
  }
  return `Signatures: ${parts.join('; ')}.`;
}

// ---------- pages ----------

function pageVendors() {
  const vendors = catalogue();
  const rows = [...vendors.entries()].sort().map(([vendor, products]) => {
    const all = new Set();
    for (const list of products.values()) for (const r of list) all.add(r);
    const latest = [...all].sort((a, b) => b.index - a.index)[0];
    const restrictive = [...all].reduce(
      (n, r) => n + r.release.manifest.disclosures.filter(isRestrictive).length, 0);
    return [
      { cell: link(`vendor/${enc(vendor)}`, vendor), header: true },
      String(products.size),
      String(all.size),
      h('span', {}, releaseLink(latest), ` (${latest.release.manifest.issued.slice(0, 10)})`),
      restrictive ? h('span', { class: 'restrictive-count' }, String(restrictive)) : '0',
    ];
  });
  return [
    h('h2', { tabindex: '-1' }, 'Vendors'),
    rows.length
      ? table('Vendors that published releases in this log',
        ['Vendor', 'Products', 'Releases', 'Latest release', 'Restrictive disclosures'], rows)
      : h('p', {}, 'No releases in this log yet.'),
    invalidEntries(),
  ];
}

function invalidEntries() {
  const bad = state.records.filter((r) => r.error);
  if (!bad.length) return null;
  return [
    h('h3', {}, 'Entries this page could not read'),
    table('Unreadable entries', ['Index', 'Problem'],
      bad.map((r) => ({ className: 'restrictive', cells: [String(r.index), r.error] }))),
  ];
}

function pageVendor(vendor) {
  const products = catalogue().get(vendor);
  if (!products) return notFound(`No releases by vendor ${vendor}.`);
  const keys = new Map();
  for (const list of products.values()) {
    for (const r of list) {
      const k = r.release.manifest['vendor-key'];
      if (!keys.has(k)) keys.set(k, []);
      keys.get(k).push(r.index);
    }
  }
  return [
    h('h2', { tabindex: '-1' }, `Vendor ${vendor}`),
    productsTable(`Products of ${vendor}`, [[vendor, products]]),
    h('h3', {}, 'Signing keys seen in its releases'),
    h('p', { class: 'hint' },
      'The key is embedded in each manifest so anyone can check its signature; whether a key ' +
      'may sign for a product is decided by each device\'s trust policy, not by the log.'),
    table('Vendor keys', ['Verifier key', 'Used in entries'],
      [...keys.entries()].map(([k, idx]) => [h('code', { class: 'hash' }, k),
        [...new Set(idx)].sort((a, b) => a - b).join(', ')])),
  ];
}

function productsTable(caption, vendorEntries) {
  const rows = [];
  for (const [vendor, products] of vendorEntries) {
    for (const [product, list] of [...products.entries()].sort()) {
      const latest = list[list.length - 1];
      const active = latest.release.manifest.disclosures.filter(isRestrictive);
      rows.push([
        { cell: link(`product/${enc(vendor)}/${enc(product)}`, product), header: true },
        link(`vendor/${enc(vendor)}`, vendor),
        String(list.length),
        releaseLink(latest),
        active.length ? h('span', { class: 'restrictive-count' }, String(active.length)) : '0',
      ]);
    }
  }
  return table(caption, ['Product', 'Vendor', 'Releases', 'Latest version', 'Restrictive (latest)'], rows);
}

function pageProducts() {
  const vendors = catalogue();
  return [
    h('h2', { tabindex: '-1' }, 'Products'),
    vendors.size
      ? productsTable('Every product named in a release', [...vendors.entries()].sort())
      : h('p', {}, 'No releases in this log yet.'),
  ];
}

function pageProduct(vendor, product) {
  const list = productReleases(vendor, product);
  if (!list.length) return notFound(`No releases of ${product} by ${vendor}.`);
  const items = list.map((r, i) => {
    const m = r.release.manifest;
    const restrictive = m.disclosures.filter(isRestrictive);
    const ref = delayReference(m.issued, today());
    const claimedLater = ref !== m.issued.slice(0, 10);
    const delayed = m.disclosures.filter((d) => isDelayed(d, m.issued, today()));
    const prev = i > 0 ? list[i - 1] : null;
    const diff = prev ? diffDisclosures(prev.release.manifest.disclosures, m.disclosures) : null;
    const summary = diff
      ? diff.length
        ? ['added', 'changed', 'removed', 'event', 'dropped']
          .map((c) => [c, diff.filter((x) => x.change === c).length])
          .filter(([, n]) => n)
          .map(([c, n]) => `${n} ${c}`)
          .join(', ')
        : 'no disclosure changes'
      : 'first release in the log';
    return h('li', { class: 'tl-release', 'data-index': r.index },
      h('div', { class: 'tl-head' },
        h('h3', {}, releaseLink(r, `Version ${m.version}`)),
        h('p', { class: 'tl-meta' },
          `rollback ${m.rollback} · issued ${m.issued.replace('T', ' ').replace('Z', ' UTC')} · entry #${r.index}`),
        h('p', { class: 'tl-diff' }, `Disclosures vs previous: ${summary}`)),
      restrictive.length
        ? h('ul', { class: 'chips', 'aria-label': 'Restrictive disclosures' },
          restrictive.map((d) => h('li', { class: 'chip chip-restrictive' },
            disclosureText(d), d.effective ? ` (from ${d.effective})` : '')))
        : null,
      delayed.length
        ? h('ul', { class: 'tl-markers', 'aria-label': 'Delayed activations' },
          delayed.map((d) => {
            const future = d.effective > today();
            return h('li', {
              class: `tl-marker ${future ? 'tl-future' : 'tl-past'}${isRestrictive(d) ? ' restrictive' : ''}`,
              'data-effective': d.effective,
            },
            h('strong', {}, future ? 'Future activation ' : 'Delayed activation '),
            h('time', { datetime: d.effective }, d.effective),
            `: ${disclosureText(d)} — ${daysBetween(ref, d.effective)} days after ` +
              (claimedLater ? `today (the release claims to be issued ${m.issued.slice(0, 10)}, a date still to come)`
                : 'the release was issued') +
              `${future ? `, in ${daysBetween(today(), d.effective)} days` : ''}.`);
          }))
        : null);
  });
  return [
    h('h2', { tabindex: '-1' }, `${product}: release timeline`),
    h('p', {}, 'by ', link(`vendor/${enc(vendor)}`, vendor), ` · ${list.length} release${list.length === 1 ? '' : 's'}`),
    h('p', { class: 'hint' },
      'Ordered by anti-rollback counter, then by log index. A disclosure with an effective date ' +
      'after the issue date is a delayed activation: the device changes behaviour later, with no ' +
      'further update.'),
    h('ol', { class: 'timeline', 'aria-label': `Release timeline of ${product}` }, items),
  ];
}

function disclosuresTable(m) {
  if (!m.disclosures.length) return h('p', {}, 'This release discloses nothing.');
  return table(`Disclosures of version ${m.version}`, ['Kind', 'Value', 'Effective', 'Restrictive'],
    m.disclosures.map((d) => {
      const r = isRestrictive(d);
      return {
        className: r ? 'restrictive' : '',
        cells: [
          { cell: [h('span', {}, kindTitle(d.kind)), h('br'), h('code', {}, d.kind)], header: true },
          d.value,
          effectiveText(d, m.issued),
          r ? restrictiveBadge() : 'no',
        ],
      };
    }), { className: 'disclosures' });
}

// In place of a comparison that needs every entry, when this page did not
// read them all (a log above MAX_ENTRIES).
function historyNote(heading, command) {
  return [heading, h('p', { class: 'hint' },
    `This log has ${state.checkpoint.size} entries; the comparison needs all of them, and this page ` +
    `reads at most ${MAX_ENTRIES}. `, h('code', {}, command), ' has it.')];
}

function diffSection(r, product) {
  if (state.full !== 'done') {
    return historyNote(h('h3', {}, `Changes since the previous ${product} release`),
      `candor audit diff ${r.release.manifest.vendor}/${product}`);
  }
  const list = productReleases(r.release.manifest.vendor, product);
  const at = list.findIndex((x) => x.index === r.index);
  const prev = at > 0 ? list[at - 1] : null;
  const heading = h('h3', {}, `Changes since the previous ${product} release`);
  if (!prev) return [heading, h('p', {}, `This is the first ${product} release in the log.`)];
  const diff = diffDisclosures(prev.release.manifest.disclosures, r.release.manifest.disclosures);
  const next = at + 1 < list.length ? list[at + 1] : null;
  const intro = h('p', {}, 'Previous version: ', releaseLink(prev),
    ` (rollback ${prev.release.manifest.rollback}, entry #${prev.index}).`,
    next ? [' Next version: ', releaseLink(next), '.'] : null);
  if (!diff.length) return [heading, intro, h('p', {}, 'No disclosure was added, removed or changed.')];
  const dropped = diff.some((x) => x.change === 'dropped')
    ? h('p', { class: 'dropped-note' }, 'DROPPED: a restriction the previous version stated and this one neither ' +
      'restates nor lifts. It is still in effect (docs/FORMATS.md "State and event kinds"); auditors flag it ' +
      'disclosure-dropped.')
    : null;
  return [heading, intro, dropped, table(`Disclosure changes from ${prev.release.manifest.version} to ${r.release.manifest.version}`,
    ['Change', 'Kind', 'Value', 'Effective'],
    diff.map((x) => {
      const restrictive = isRestrictive({ kind: x.kind, value: x.value });
      return {
        className: `diff-${x.change}${restrictive && x.change !== 'removed' ? ' restrictive' : ''}`,
        // 'dropped': not restated, still in effect (docs/FORMATS.md "State and event kinds").
        cells: [
          { cell: h('span', { class: `change change-${x.change}` }, x.change.toUpperCase()), header: true },
          kindTitle(x.kind),
          x.change === 'changed' ? `${x.oldValue} → ${x.value}` : x.value,
          x.effective ?? 'on install',
        ],
      };
    }), { className: 'diff' })];
}

function trustRootLink(r, text) {
  return link(`release/${r.index}`, text ?? `${r.root.domain} version ${r.root.version}`);
}

function rootChangesTable(caption, diff) {
  return table(caption, ['Change', 'Line'], diff.map((x) => ({
    className: `diff-${x.change}`,
    cells: [
      { cell: h('span', { class: `change change-${x.change}` }, x.change.toUpperCase()), header: true },
      h('code', { class: 'hash' }, x.line),
    ],
  })), { className: 'diff' });
}

// The previous root of the same domain in log order, if any.
function previousRoot(r) {
  const list = trustDomains(state.records).get(r.root.domain) ?? [];
  const at = list.findIndex((x) => x.index === r.index);
  return at > 0 ? list[at - 1] : null;
}

function pageTrustRoot(r) {
  const t = r.root;
  const prev = state.full === 'done' ? previousRoot(r) : null;
  const fields = [
    ['Domain', t.domain],
    ['Version', t.version],
    ['Expires', t.expires],
    ['Root threshold', `${t.rootThreshold} of ${t.rootKeys.length} root keys`],
    ['Root keys', t.rootKeys.map((k, i) => [i ? h('br') : null, h('code', { class: 'hash' }, k)])],
    ['Signatures', t.signatures.map((s) => s.name).join(', ') || 'none'],
    ['Log entry', h('span', {}, `#${r.index}, leaf hash `,
      h('code', { class: 'hash' }, r.leafHash ? bytesToHex(r.leafHash) : '(computing…)'))],
  ];
  const heading = h('h3', {}, 'Changes since the previous version in the log');
  const diff = prev ? diffTrustRoots(prev.root, t) : null;
  return [
    h('h2', { tabindex: '-1' }, `Trust root ${t.domain} version ${t.version}`),
    h('p', { class: 'hint' },
      'A trust root is the device trust policy of one product line, signed by its root keys and ' +
      'logged like a release. Whether each version follows the previous one (root key signatures ' +
      'and thresholds) is checked by candor audit trust, not by this page.'),
    table('Trust root', ['Field', 'Value'], fields.map(([k, v]) => [{ cell: k, header: true }, v]),
      { className: 'manifest' }),
    h('h3', {}, 'Policy'),
    h('pre', { class: 'note', tabindex: '0' }, t.policy.join('\n')),
    state.full !== 'done' ? historyNote(heading, 'candor audit trust')
      : !prev ? h('p', {}, `This is the first trust root of ${t.domain} in the log.`)
      : [h('p', {}, 'Previous version: ', trustRootLink(prev, `version ${prev.root.version}`),
        ` (entry #${prev.index}).`),
      diff.length ? rootChangesTable(`Changes from version ${prev.root.version} to ${t.version}`, diff)
        : h('p', {}, 'No line changed.')],
    h('h3', {}, 'Signed note'),
    h('pre', { class: 'note', tabindex: '0' }, r.root.note.body +
      `\n${r.root.signatures.length} signature line${r.root.signatures.length === 1 ? '' : 's'}`),
  ];
}

function pageTrust() {
  const domains = trustDomains(state.records);
  if (!domains.size) {
    return [h('h2', { tabindex: '-1' }, 'Trust roots'), h('p', {}, 'No trust roots in this log yet.')];
  }
  return [
    h('h2', { tabindex: '-1' }, 'Trust roots'),
    h('p', { class: 'hint' },
      'Each product line\'s device trust policy, version by version, in log order, with the lines ' +
      'that changed. candor audit trust also checks the rotation rule and flags weakening changes.'),
    [...domains.entries()].map(([domain, list]) => [
      h('h3', {}, domain),
      table(`Trust root versions of ${domain}`, ['Version', 'Entry', 'Expires', 'Root threshold', 'Changes'],
        list.map((r, i) => {
          const diff = i > 0 ? diffTrustRoots(list[i - 1].root, r.root) : null;
          return [
            { cell: trustRootLink(r, `version ${r.root.version}`), header: true },
            `#${r.index}`,
            r.root.expires,
            `${r.root.rootThreshold} of ${r.root.rootKeys.length}`,
            diff === null ? 'first in the log'
              : diff.length ? ['added', 'removed']
                .map((c) => [c, diff.filter((x) => x.change === c).length])
                .filter(([, n]) => n)
                .map(([c, n]) => `${n} line${n === 1 ? '' : 's'} ${c}`)
                .join(', ') : 'no change',
          ];
        })),
    ]),
  ];
}

function pageRelease(index) {
  const r = state.full === 'done' ? state.records[index] : state.view?.records[0];
  if (!r) return notFound(`No entry ${index} in this checkpoint.`);
  if (r.root) return pageTrustRoot(r);
  if (r.observation) return pageObservation(r);
  if (!r.release) {
    return [h('h2', { tabindex: '-1' }, `Entry ${index}`),
      h('p', { class: 'status-bad' }, `This page cannot read entry ${index}: ${r.error}`)];
  }
  const m = r.release.manifest;
  const fields = [
    ['Vendor', link(`vendor/${enc(m.vendor)}`, m.vendor)],
    ['Products', m.products.map((p, i) => [i ? ', ' : '', link(`product/${enc(m.vendor)}/${enc(p)}`, p)])],
    ['Version', m.version],
    ['Rollback counter', m.rollback],
    ['Issued', m.issued],
    ['Image', h('span', {}, `${m['image-size']} bytes, SHA-256 `, h('code', { class: 'hash' }, m['image-sha256']))],
    ['Changelog SHA-256', h('span', {}, h('code', { class: 'hash' }, m['changelog-sha256']),
      r.changelogOk === false ? h('strong', { class: 'bad' }, ' does not match the changelog!') :
        r.changelogOk ? ' (matches the changelog below)' : '')],
    ['Vendor key', h('code', { class: 'hash' }, m['vendor-key'])],
    ['Manifest signature', r.signature ?? 'checked by candor audit, not by this page'],
    ['Log entry', h('span', {}, `#${r.index}, leaf hash `,
      h('code', { class: 'hash' }, r.leafHash ? bytesToHex(r.leafHash) : '(computing…)'))],
  ];
  return [
    h('h2', { tabindex: '-1' }, `${m.vendor} ${m.products.join(', ')} ${m.version}`),
    table('Manifest', ['Field', 'Value'], fields.map(([k, v]) => [{ cell: k, header: true }, v]),
      { className: 'manifest' }),
    h('h3', {}, 'Disclosures'),
    disclosuresTable(m),
    observationsSection(r),
    m.products.map((p) => diffSection(r, p)),
    h('h3', {}, 'Changelog'),
    h('pre', { class: 'changelog', tabindex: '0' }, r.release.changelog),
  ];
}

// ---------- observations (docs/EXPLORER.md "Observations") ----------

const OBS_STEP = SEARCH_STEP;  // entry bundles (4,096 entries) scanned per step for observations

// The vendor's releases of `product` in log order (the order the disclosure
// state is carried in, as the auditor carries it).
function releasesInLogOrder(vendor, product) {
  return releases().filter((x) => x.release.manifest.vendor === vendor &&
    x.release.manifest.products.includes(product));
}

// An observation judged against the release record `target` (or null): the
// target check, then its findings against the product's disclosures in
// effect after the release (the whole log read) or the release's own (a
// large log's page, which read only that entry).
function judge(o, target) {
  const leafHex = target?.leafHash ? bytesToHex(target.leafHash) : null;
  if (target && !leafHex) {
    // Not hashed yet (the tree check sets it): hash the bytes the page read.
    const entry = target.release?.entry ?? target.root?.entry ?? target.observation?.entry;
    if (entry && !target.hashing) {
      target.hashing = true;
      leafHash(entry).then((lh) => {
        target.leafHash ??= lh;
        render();
      });
    }
    if (entry) return { pending: true, marks: null, problem: null };
  }
  const problem = targetProblem(o, state.checkpoint.origin, target, leafHex);
  if (problem) return { problem, marks: null };
  const m = target.release.manifest;
  const history = state.full === 'done' ? releasesInLogOrder(m.vendor, o.product) : [target];
  return { problem: null, marks: markFindings(o, disclosedAfter(history, target.index)), ownOnly: state.full !== 'done' };
}

function findingsTable(caption, o, marks) {
  if (!o.findings.length) return h('p', {}, 'No findings (the summary and evidence only).');
  return table(caption, ['Observed', 'Value', 'Against the vendor\'s disclosures'],
    o.findings.map((f, i) => {
      const mk = marks?.[i];
      const verdict = !mk ? h('span', { class: 'verdict verdict-unjudged' }, 'not judged')
        : mk.contradicted
          ? h('span', { class: 'verdict verdict-contradicted', 'data-verdict': 'contradicted' }, 'CONTRADICTED',
            ` (disclosed: ${mk.disclosed.length ? mk.disclosed.map((d) => `${d.value}${d.effective ? ` from ${d.effective}` : ''}`).join('; ') : 'nothing'})`)
          : h('span', { class: 'verdict verdict-confirmed', 'data-verdict': 'confirmed' }, 'confirmed');
      return {
        className: mk?.contradicted ? 'restrictive' : '',
        cells: [{ cell: [h('span', {}, kindTitle(f.kind)), h('br'), h('code', {}, f.kind)], header: true },
          f.value, verdict],
      };
    }), { className: 'findings' });
}

// One observation as a block on its release's page.
function observationBlock(x, target) {
  const o = x.observation;
  const j = judge(o, target);
  return h('article', { class: 'observation', 'data-index': x.index, 'aria-label': `Observation #${x.index}` },
    h('p', { class: 'third-party' }, h('strong', {}, 'Third-party claim'),
      ` by ${o.observer}, not the vendor's (`, link(`release/${x.index}`, `entry #${x.index}`), ').'),
    j.problem ? h('p', { class: 'status-bad', 'data-target': 'invalid' },
      `Its target does not hold in this log: ${j.problem}. The log admitted it: report this (auditors flag ` +
      'observation-target-invalid).') : null,
    table(`Observation #${x.index}`, ['Field', 'Value'], [
      ['Observer', o.observer],
      ['Observed', h('time', { datetime: o.observed }, o.observed)],
      ['Summary', h('q', { class: 'summary' }, o.summary)],
      ['Evidence SHA-256', h('code', { class: 'hash' }, o.evidence)],
      ['Signature', x.signature ?? 'checked by candor audit, not by this page'],
    ].map(([k, v]) => [{ cell: k, header: true }, v]), { className: 'manifest' }),
    j.pending ? h('p', { class: 'status-pending' }, 'Checking the target…')
      : findingsTable(`Findings of observation #${x.index}`, o, j.marks),
    j.ownOnly ? h('p', { class: 'hint' }, 'Judged against this release\'s own disclosures: this page did not ' +
      'read the product\'s earlier releases. candor audit show judges against the product\'s disclosures in effect.')
      : null);
}

// Reads OBS_STEP more bundles after the release, oldest first, keeping the
// observations about it: the memory it needs is its results.
async function observationStep(s) {
  const size = state.checkpoint.size;
  const last = Math.ceil(size / 256) - 1;
  s.running = true;
  await null;
  render();
  const stop = Math.min(last, s.next + OBS_STEP - 1);
  try {
    for (let n = s.next; n <= stop && state.obsScan === s; n += 4) {
      const batch = [];
      for (let k = n; k < n + 4 && k <= stop; k++) batch.push(k);
      const bundles = await Promise.all(batch.map((k) => state.client.bundle(k, size)));
      if (state.obsScan !== s) return;
      batch.forEach((k, j) => {
        bundles[j].forEach((e, i) => {
          const index = k * 256 + i;
          if (index <= s.index || !isObservationEntry(e)) return;
          const r = parseRecord(index, e);
          if (r.observation?.releaseIndex === s.index) s.results.push(r);
        });
        s.next = k + 1;
        s.scanned = Math.min(size, (k + 1) * 256) - s.index - 1;
      });
    }
    await checkRecords(s.results);
  } catch (e) {
    s.error = e.message;
  }
  s.running = false;
  if (state.obsScan === s) render();
}

function observationsSection(r) {
  const heading = h('h3', { id: 'observations' }, 'Observations');
  const intro = h('p', { class: 'hint' },
    'Signed claims by registered researchers and owners about this release, logged after it: what they ' +
    'observed a device do, set against what the vendor disclosed. They are third-party claims, not the ' +
    'vendor\'s; the evidence is held by the observer (its SHA-256 is what they committed to).');
  let list;
  let progress = null;
  if (state.full === 'done') {
    list = state.records.filter((x) => x.observation?.releaseIndex === r.index);
  } else {
    // A large log: the release page reads that entry alone; the bundles after
    // it are scanned on request, a step at a time.
    if (state.obsScan?.index !== r.index) {
      state.obsScan = { index: r.index, next: Math.floor(r.index / 256), results: [], scanned: 0 };
    }
    const s = state.obsScan;
    list = s.results;
    const after = state.checkpoint.size - r.index - 1;
    const more = s.scanned < after;
    progress = [
      h('p', { class: 'obs-progress', 'data-scanned': s.scanned, 'data-done': s.running ? null : 'true' },
        s.error ? `Stopped: ${s.error}. ` : '',
        `${list.length} observation${list.length === 1 ? '' : 's'} in the ${s.scanned} of ${after} entries after ` +
        `this release read so far${s.running ? ', reading…' : more ? '.' : ': every later entry.'}`),
      more && !s.running ? h('p', {}, h('button', { type: 'button', class: 'more', onclick: () => observationStep(s) },
        `Look for observations in ${s.scanned ? '' : 'the '}${Math.min(OBS_STEP * 256 - (s.scanned ? 0 : r.index % 256 + 1), after - s.scanned)} ` +
        `${s.scanned ? 'later ' : ''}entries after this release`)) : null,
    ];
  }
  return h('section', { class: 'observations', 'aria-labelledby': 'observations' }, heading, intro, progress,
    list.length ? list.map((x) => observationBlock(x, r))
      : h('p', {}, state.full === 'done' ? 'No observation about this release in the log.' : null));
}

function pageObservation(r) {
  const o = r.observation;
  const target = state.full === 'done' ? state.records[o.releaseIndex] ?? null : null;
  const j = target ? judge(o, target) : null;
  const fields = [
    ['About', h('span', {}, link(`release/${o.releaseIndex}`, `release #${o.releaseIndex}`), ` of ${o.product}`,
      target?.release ? ` (${target.release.manifest.vendor} version ${target.release.manifest.version})` : '')],
    ['Release leaf hash', h('code', { class: 'hash' }, o.releaseLeaf)],
    ['Log', o.logOrigin],
    ['Observer', o.observer],
    ['Observer key', h('code', { class: 'hash' }, o.observerKey)],
    ['Observed', h('time', { datetime: o.observed }, o.observed)],
    ['Evidence SHA-256', h('code', { class: 'hash' }, o.evidence)],
    ['Summary', h('q', { class: 'summary' }, o.summary)],
    ['Signature', r.signature ?? 'checked by candor audit, not by this page'],
    ['Log entry', h('span', {}, `#${r.index}, leaf hash `,
      h('code', { class: 'hash' }, r.leafHash ? bytesToHex(r.leafHash) : '(computing…)'))],
  ];
  return [
    h('h2', { tabindex: '-1' }, `Observation by ${o.observer} about release #${o.releaseIndex}`),
    h('p', { class: 'third-party' }, h('strong', {}, 'Third-party claim, not the vendor\'s: '),
      'a registered observer signed what it saw a device do. The log checked the signature and that the ' +
      'release exists; whether the claim is true, the evidence shows.'),
    j?.problem ? h('p', { class: 'status-bad', 'data-target': 'invalid' },
      `Its target does not hold in this log: ${j.problem}.`) : null,
    table('Observation', ['Field', 'Value'], fields.map(([k, v]) => [{ cell: k, header: true }, v]),
      { className: 'manifest' }),
    h('h3', {}, 'Findings'),
    j?.pending ? h('p', { class: 'status-pending' }, 'Checking the target…')
      : findingsTable('Findings', o, j?.marks ?? null),
    target ? null : h('p', { class: 'hint' }, 'Open ', link(`release/${o.releaseIndex}`, 'the release'),
      ' to see the findings set against its disclosures.'),
    h('h3', {}, 'Signed note'),
    h('pre', { class: 'note', tabindex: '0' }, o.note.body + '\n1 signature line'),
  ];
}

function pageCheckpoint() {
  const cp = state.checkpoint;
  const verified = (s) => {
    if (s.type !== 'ed25519' && s.type !== 'cosignature/v1') return 'unknown signature type';
    const k = state.sig.results?.get(`${s.name}+${s.keyId}`);
    return k ?? 'not checked here (candor audit checks it)';
  };
  const rows = cp.signatures.map((s) => [
    { cell: s.name, header: true },
    s.type === 'cosignature/v1' ? 'witness cosignature (cosignature/v1)'
      : s.type === 'ed25519' ? (s.name === cp.origin ? 'log signature (Ed25519)' : 'Ed25519 note signature')
        : `unknown (${s.sig.length} bytes)`,
    h('code', {}, s.keyId),
    s.type === 'cosignature/v1' ? h('time', { datetime: fmtTime(s.timestamp) }, fmtTime(s.timestamp)) : '—',
    verified(s),
  ]);
  const cosigs = cp.signatures.filter((s) => s.type === 'cosignature/v1');
  return [
    h('h2', { tabindex: '-1' }, 'Latest checkpoint'),
    table('Checkpoint', ['Field', 'Value'], [
      [{ cell: 'Origin', header: true }, cp.origin],
      [{ cell: 'Tree size', header: true }, String(cp.size)],
      [{ cell: 'Root hash (base64)', header: true }, h('code', { class: 'hash' }, bytesToBase64(cp.root))],
      [{ cell: 'Root hash (hex)', header: true }, h('code', { class: 'hash' }, bytesToHex(cp.root))],
      [{ cell: 'Log URL', header: true }, h('code', { class: 'hash' }, state.base)],
      ...cp.extensions.map((line, i) => [{ cell: `Extension line ${i + 1}`, header: true }, line]),
    ], { className: 'manifest' }),
    h('h3', {}, `Signatures (${cp.signatures.length}; ${cosigs.length} witness cosignature${cosigs.length === 1 ? '' : 's'})`),
    table('Signatures on the checkpoint', ['Name', 'Type', 'Key ID', 'Cosigned at (UTC)', 'Checked by this page'],
      rows, { className: 'signatures' }),
    cosigs.length ? null : h('p', { class: 'hint' },
      'No witness has cosigned this checkpoint: devices whose policy requires witnesses will refuse it.'),
    h('h3', {}, 'Checkpoint text'),
    h('pre', { class: 'note', tabindex: '0' }, cp.text),
  ];
}

// ---------- large logs: the log page and search ----------

// One log entry as this page reads it.
function parseRecord(index, e) {
  try {
    // The log's second entry type (docs/LOG.md "Trust roots: the second
    // entry type"): a trust root, not an unreadable release.
    if (isTrustRootEntry(e)) return { index, release: null, root: parseTrustRoot(e), error: null };
    // The third (docs/FORMATS.md "Observation"): a third party's claim.
    if (isObservationEntry(e)) {
      return { index, release: null, root: null, observation: parseObservation(e), error: null };
    }
    return { index, release: parseReleaseEntry(e), root: null, error: null };
  } catch (err) {
    return { index, release: null, root: null, error: err.message };
  }
}

function entriesTable(caption, records) {
  return table(caption, ['Entry', 'Type', 'Vendor or domain', 'Products', 'Version', 'Issued', 'Restrictive'],
    records.map((r) => {
      const entry = { cell: link(`release/${r.index}`, `#${r.index}`), header: true };
      if (r.release) {
        const m = r.release.manifest;
        const restrictive = m.disclosures.filter(isRestrictive).length;
        return [entry, 'release', m.vendor, m.products.join(', '), m.version, m.issued.slice(0, 10),
          restrictive ? h('span', { class: 'restrictive-count' }, String(restrictive)) : '0'];
      }
      if (r.root) return [entry, 'trust root', r.root.domain, '—', `version ${r.root.version}`, '—', '—'];
      if (r.observation) {
        const o = r.observation;
        return { className: 'observation-row', cells: [entry, 'observation (third party)', o.observer, o.product,
          h('span', {}, 'about ', link(`release/${o.releaseIndex}`, `#${o.releaseIndex}`)), o.observed.slice(0, 10), '—'] };
      }
      return { className: 'restrictive', cells: [entry, 'unreadable', r.error, '—', '—', '—', '—'] };
    }), { className: 'entries' });
}

// Reads entries [lo, hi) for the page `key` (a route), renders them, then checks
// them against the checkpoint. Only their bundles and O(log N) tiles are read.
async function loadView(key, lo, hi) {
  const view = { key, status: 'loading', lo, hi, records: [], verify: null, requests: 0 };
  state.view = view;
  const before = state.client.fetched;
  try {
    const raw = await entryRange(state.client, state.checkpoint.size, lo, hi);
    if (state.view !== view) return;
    view.records = raw.map(({ index, entry }) => parseRecord(index, entry));
    view.status = 'ready';
    render();
    view.verify = await verifyEntries(state.client, state.checkpoint, raw);
    for (const r of view.records) r.leafHash = view.verify.leafHashes.get(r.index);
    await checkRecords(view.records);
    view.requests = state.client.fetched - before + 1;  // + the checkpoint
  } catch (e) {
    view.status = 'error';
    view.error = e.message;
  }
  if (state.view === view) render();
}

function viewFor(key, lo, hi) {
  if (state.view?.key !== key) loadView(key, lo, hi);
  return state.view;
}

function pageLog(page) {
  const size = state.checkpoint.size;
  const pages = Math.max(1, Math.ceil(size / PAGE_SIZE));
  if (!(page >= 1 && page <= pages)) return notFound(`No page ${page}: the log has ${pages} page${pages === 1 ? '' : 's'}.`);
  const hi = size - (page - 1) * PAGE_SIZE;
  const lo = Math.max(0, hi - PAGE_SIZE);
  const heading = h('h2', { tabindex: '-1' }, 'Log entries, newest first');
  if (!size) return [heading, h('p', {}, 'No entries in this log yet.')];
  const v = viewFor(`log/${page}`, lo, hi);
  const to = (p, text, rel) => (p >= 1 && p <= pages && p !== page
    ? link(p === 1 ? 'log' : `log/${p}`, text, { rel }) : h('span', { class: 'pager-off' }, text));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of the log' },
    to(1, '« Newest'), to(page - 1, '‹ Newer', 'prev'), h('span', {}, `Page ${page} of ${pages}`),
    to(page + 1, 'Older ›', 'next'), to(pages, 'Oldest »'));
  return [
    heading,
    h('p', {}, `Entries ${hi - 1} to ${lo} of ${size}. This page reads only these entries' bundles ` +
      'and the tiles that prove them, so it is as quick on a log of millions as on a small one.'),
    pager,
    v.status === 'ready' ? entriesTable(`Log entries ${lo}–${hi - 1}, newest first`, [...v.records].reverse())
      : h('p', {}, v.status === 'error' ? `Cannot read these entries: ${v.error}` : 'Loading…'),
  ];
}

// What a search looks for: an image SHA-256 (64 hex digits), or words that
// must each appear in the vendor, a product or the version (any case).
function parseQuery(q) {
  const t = q.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return { text: t, image: t.toLowerCase() };
  return { text: t, terms: t.toLowerCase().split(/\s+/).filter(Boolean) };
}

function matches(r, sq) {
  if (r.release) {
    const m = r.release.manifest;
    if (sq.image) return m['image-sha256'] === sq.image;
    const fields = [m.vendor, ...m.products, m.version].map((f) => f.toLowerCase());
    return sq.terms.every((t) => fields.some((f) => f.includes(t)));
  }
  if (r.root && sq.terms) {
    const fields = [r.root.domain.toLowerCase(), String(r.root.version)];
    return sq.terms.every((t) => fields.some((f) => f.includes(t)));
  }
  if (r.observation && sq.terms) {
    const fields = [r.observation.observer, r.observation.product, 'observation'];
    return sq.terms.every((t) => fields.some((f) => f.includes(t)));
  }
  return false;
}

// Scans SEARCH_STEP more bundles, newest first, keeping only the matches: the
// memory a search needs is its results, whatever the log's size.
async function searchStep(s) {
  const size = state.checkpoint.size;
  s.running = true;
  await null;  // render after the route() that may have called this one
  render();
  const stop = Math.max(0, s.next - SEARCH_STEP + 1);
  try {
    for (let n = s.next; n >= stop && state.search === s && s.results.length < MAX_RESULTS; n -= 4) {
      const batch = [];
      for (let k = n; k > n - 4 && k >= stop; k--) batch.push(k);
      const bundles = await Promise.all(batch.map((k) => state.client.bundle(k, size)));
      if (state.search !== s) return;
      batch.forEach((k, j) => {
        const entries = bundles[j];
        for (let i = entries.length - 1; i >= 0 && s.results.length < MAX_RESULTS; i--) {
          const r = parseRecord(k * 256 + i, entries[i]);
          if (matches(r, s.query)) s.results.push(r);
        }
        s.next = k - 1;
        s.scanned = size - k * 256;
      });
      render();
    }
  } catch (e) {
    s.error = e.message;
  }
  s.running = false;
  if (state.search === s) render();
}

function pageSearch(q) {
  const sq = parseQuery(q);
  const heading = h('h2', { tabindex: '-1' }, sq.text ? `Search: ${sq.text}` : 'Search');
  const hint = h('p', { class: 'hint' },
    'Search by image SHA-256 (64 hex digits: the output of sha256sum on a firmware file), or by words ' +
    'that must each appear in the vendor, a product or the version. candor audit find and candor audit ' +
    'export answer the same questions from a verified mirror, for the whole log at once.');
  if (!sq.image && !sq.terms.length) return [heading, hint];
  const size = state.checkpoint.size;
  if (state.search?.text !== sq.text) {
    state.search = { text: sq.text, query: sq, results: [], next: Math.ceil(size / 256) - 1, scanned: 0 };
    if (state.full === 'done') {
      // Every entry is already here: answer at once.
      state.search.results = state.records.filter((r) => matches(r, sq)).reverse().slice(0, MAX_RESULTS);
      state.search.next = -1;
      state.search.scanned = size;
    } else if (size) {
      searchStep(state.search);
    }
  }
  const s = state.search;
  const more = s.next >= 0 && s.results.length < MAX_RESULTS;
  return [
    heading,
    hint,
    h('p', { class: 'search-progress', 'data-scanned': s.scanned, 'data-done': s.running ? null : 'true' },
      s.error ? `Search stopped: ${s.error}. ` : '',
      `${s.results.length} match${s.results.length === 1 ? '' : 'es'}${s.results.length >= MAX_RESULTS ? ' (the first ' +
        `${MAX_RESULTS}, newest first; narrow the search)` : ''} in the newest ${s.scanned} of ${size} entries` +
      (s.running ? ', searching…' : more ? '.' : ': the whole log.')),
    more && !s.running ? h('p', {}, h('button', { type: 'button', class: 'more', onclick: () => searchStep(s) },
      `Search ${Math.min(SEARCH_STEP * 256, size - s.scanned)} older entries`)) : null,
    s.results.length ? entriesTable(`Entries matching ${sq.text}`, s.results) : null,
  ];
}

// A catalogue page of a log above MAX_ENTRIES.
function pageTooBig(title) {
  return [
    h('h2', { tabindex: '-1' }, title),
    h('p', {}, `This log has ${state.checkpoint.size} entries. This page needs every entry, and the ` +
      `explorer reads at most ${MAX_ENTRIES}: `, link('log', 'browse the log newest first'),
    ', search it (above), or use ', h('code', {}, 'candor audit export'),
    ' for a spreadsheet of every release.'),
  ];
}

function notFound(msg) {
  return [h('h2', { tabindex: '-1' }, 'Not found'), h('p', {}, msg), h('p', {}, link('', 'Back to vendors'))];
}

// ---------- routing ----------

function route(focus = false) {
  const hash = location.hash.replace(/^#\/?/, '');
  const parts = hash.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  clear(app);
  let content;
  let title = 'Vendors';
  let nav = 'vendors';
  const isIndex = parts[0] === 'release' && parts.length === 2 && /^(0|[1-9][0-9]*)$/.test(parts[1]);
  state.lazyRoute = state.phase === 'ready' &&
    (parts[0] === 'log' || parts[0] === 'search' || (isIndex && tooBig()));
  if (state.phase === 'ready' && !state.lazyRoute && state.full === 'none' && !tooBig()) loadAll();
  if (state.phase !== 'ready') {
    content = h('p', {}, state.phase === 'error' ? 'The log could not be read.' : 'Loading…');
  } else if (parts[0] === 'log' && parts.length <= 2) {
    const page = parts.length === 1 || parts[1] === '' ? 1 : /^[1-9][0-9]*$/.test(parts[1]) ? Number(parts[1]) : 0;
    content = pageLog(page);
    title = page > 1 ? `Log page ${page}` : 'Log';
    nav = 'log';
  } else if (parts[0] === 'search') {
    const q = parts.slice(1).join('/');
    content = pageSearch(q);
    title = q ? `Search ${q}` : 'Search';
    nav = 'log';
    const box = document.getElementById('q');
    if (box && document.activeElement !== box) box.value = q;
  } else if (isIndex && tooBig()) {
    const index = Number(parts[1]);
    if (index >= state.checkpoint.size) {
      content = notFound(`No entry ${index} in this checkpoint.`);
    } else {
      const v = viewFor(`release/${index}`, index, index + 1);
      content = v.status === 'ready' ? pageRelease(index)
        : h('p', {}, v.status === 'error' ? `Cannot read entry ${index}: ${v.error}` : 'Loading…');
      nav = v.records[0]?.root ? 'trust' : 'products';
    }
    title = `Entry ${parts[1]}`;
  } else if (tooBig() && parts[0] !== 'checkpoint') {
    const titles = { vendor: 'Vendor', products: 'Products', product: 'Timeline', trust: 'Trust roots' };
    title = titles[parts[0]] ?? 'Vendors';
    content = pageTooBig(title);
  } else if (state.full !== 'done' && parts[0] !== 'checkpoint') {
    content = h('p', {}, 'Loading…');
  } else if (parts[0] === 'vendor' && parts.length === 2) {
    content = pageVendor(parts[1]);
    title = parts[1];
  } else if (parts[0] === 'products' && parts.length === 1) {
    content = pageProducts();
    title = 'Products';
    nav = 'products';
  } else if (parts[0] === 'product' && parts.length === 3) {
    content = pageProduct(parts[1], parts[2]);
    title = `${parts[2]} timeline`;
    nav = 'products';
  } else if (parts[0] === 'release' && parts.length === 2 && /^(0|[1-9][0-9]*)$/.test(parts[1])) {
    content = pageRelease(Number(parts[1]));
    const isRoot = state.records[Number(parts[1])]?.root;
    const isObservation = state.records[Number(parts[1])]?.observation;
    title = isRoot ? `Trust root ${parts[1]}` : isObservation ? `Observation ${parts[1]}` : `Release ${parts[1]}`;
    nav = isRoot ? 'trust' : 'products';
  } else if (parts[0] === 'trust' && parts.length === 1) {
    content = pageTrust();
    title = 'Trust roots';
    nav = 'trust';
  } else if (parts[0] === 'checkpoint' && parts.length === 1 && (state.full === 'done' || tooBig())) {
    content = pageCheckpoint();
    title = 'Checkpoint';
    nav = 'checkpoint';
  } else if (parts[0] === 'checkpoint') {
    content = h('p', {}, 'Loading…');
    nav = 'checkpoint';
  } else if (parts[0] === '' || parts[0] === 'vendors') {
    content = pageVendors();
  } else {
    content = notFound('Unknown page.');
  }
  app.append(...[content].flat(Infinity).filter(Boolean));
  document.title = `${title} · Candor log explorer`;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const heading = app.querySelector('h2');
  if (heading && focus) heading.focus();
}

function render(focus = false) {
  route(focus);
  renderStatus();
  // "ready" once what this page needs is read: the checkpoint, and the whole
  // log unless the page reads only what it shows (or the log is too big).
  document.body.dataset.phase = state.phase === 'ready' && !state.lazyRoute && !tooBig() &&
    state.full !== 'done' ? 'loading' : state.phase;
  if (state.phase === 'ready') {
    document.getElementById('origin').textContent = `${state.checkpoint.origin} · ${state.checkpoint.size} entries`;
  }
}

// ---------- loading ----------

// The checkpoint's signatures, for the keys given in the URL.
async function checkCheckpointSignatures() {
  const s = state.sig;
  s.ed25519 = await hasEd25519();
  s.results = new Map();
  if (!s.ed25519) return;
  const cp = state.checkpoint;
  const keys = [];
  // A "+" typed unencoded in a query string arrives as a space; vkeys have none.
  const unspace = (v) => v.trim().replaceAll(' ', '+');
  if (params.get('key')) keys.push({ role: 'log', vkey: unspace(params.get('key')) });
  for (const w of params.getAll('witness')) keys.push({ role: 'witness', vkey: unspace(w) });
  for (const { role, vkey } of keys) {
    let result;
    let name = vkey.split('+')[0];
    try {
      const key = await parseVerifierKey(vkey);
      name = key.name;
      const v = await verifyNoteSignature(cp, key);
      result = v === 'valid' ? 'valid' : v === 'absent' ? 'MISSING' : 'INVALID';
      s.results.set(`${key.name}+${key.keyId}`, result === 'valid' ? 'valid (Ed25519, in this browser)' : result);
    } catch (e) {
      result = `bad key (${e.message})`;
    }
    if (role === 'log') s.log = result;
    else s.witnesses.push({ name, result });
  }
}

// The cheap checks of each release the page holds: its changelog hash, and its
// manifest signature against the key the manifest embeds (self-consistency,
// not trust: trust is the device policy's business). Returns the counts.
async function checkRecords(records) {
  let valid = 0;
  let invalid = 0;
  for (const r of records) {
    if (r.observation && state.sig.ed25519) {
      try {
        r.signature = (await verifyObservation(r.observation)) === 'valid'
          ? 'valid (checked in this browser against the observer key)'
          : 'INVALID for the observer key';
      } catch (e) {
        r.signature = `cannot check: ${e.message}`;
      }
    }
    if (!r.release) continue;
    r.changelogOk = await changelogMatches(r.release);
    if (!state.sig.ed25519) continue;
    try {
      const key = await parseVerifierKey(r.release.manifest['vendor-key']);
      const v = key.type === 1 ? await verifyNoteSignature(r.release.note, key) : 'invalid';
      r.signature = v === 'valid'
        ? 'valid (checked in this browser against the embedded vendor key)'
        : 'INVALID for the embedded vendor key';
      if (v === 'valid') valid++;
      else invalid++;
    } catch (e) {
      r.signature = `cannot check: ${e.message}`;
      invalid++;
    }
  }
  return { valid, invalid };
}

// Every entry (the catalogue pages), then the whole tree recomputed.
async function loadAll() {
  const client = state.client;
  state.full = 'loading';
  try {
    const entries = await client.entries(state.checkpoint.size, (done, total) => {
      state.progress = `Reading entries… ${done} of ${total}`;
      renderStatus();
    });
    state.records = entries.map((e, index) => parseRecord(index, e));
    state.full = 'done';
  } catch (e) {
    state.phase = 'error';
    state.error = e.message;
    render();
    return;
  }
  render();
  try {
    const { valid, invalid } = await checkRecords(
      state.records.filter((r) => r.release || r.observation));
    if (valid + invalid) {
      state.sig.manifests = invalid
        ? `${invalid} manifest signature${invalid === 1 ? '' : 's'} INVALID`
        : `all ${valid} manifest signatures valid for their embedded vendor keys`;
    }
  } catch (e) {
    state.sig.manifests = `signature check failed: ${e.message}`;
  }
  try {
    const entries = state.records.map((r) => r.release?.entry ?? r.root?.entry ?? r.observation?.entry);
    if (entries.some((e) => !e)) {
      // Unparseable entries still count in the tree: re-read the raw bytes.
      const raw = await client.entries(state.checkpoint.size);
      state.verify = await verifyTree(client, state.checkpoint, raw);
    } else {
      state.verify = await verifyTree(client, state.checkpoint, entries);
    }
    state.verify.leafHashes.forEach((lh, i) => {
      if (state.records[i]) state.records[i].leafHash = lh;
    });
  } catch (e) {
    state.verifyError = e.message;
  }
  document.body.dataset.verified = state.verify?.ok ? 'ok' : 'bad';
  render();
}

// The checkpoint, then what the page asks for (route): every entry for the
// catalogue pages, only the shown entries for #/log and #/search.
async function load() {
  state.client = new LogClient(state.base);
  try {
    if (!globalThis.crypto?.subtle) {
      throw new Error('this page needs WebCrypto, which browsers only offer on HTTPS (or localhost)');
    }
    state.progress = 'Reading the checkpoint…';
    render();
    state.checkpoint = await state.client.checkpoint();
    await checkCheckpointSignatures();
    state.phase = 'ready';
  } catch (e) {
    state.phase = 'error';
    state.error = e.message;
  }
  render();
}

window.addEventListener('hashchange', () => render(true));
// The skip link moves focus without touching the #/ route.
document.querySelector('a.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  app.focus();
});
// The search box: a route, so every search has a link (#/search/<query>).
document.getElementById('search')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});
load();
