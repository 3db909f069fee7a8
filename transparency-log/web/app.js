// The Candor log explorer (docs/EXPLORER.md): a read-only view of a Candor
// transparency log built only from the public c2sp.org/tlog-tiles API
// (checkpoint, entry bundles, tiles), so it works against candor-log, a mirror,
// or a static file server. Client-side routes (#/...):
//   #/                      vendors
//   #/vendor/<vendor>       one vendor's products and keys
//   #/products              every product
//   #/product/<v>/<p>       release timeline of a product
//   #/release/<index>       one entry: a release (manifest, disclosures,
//                           changelog, diff) or a trust root
//   #/trust                 trust roots: each domain's versions and what changed
//   #/checkpoint            the latest checkpoint and its cosignatures
// Query parameters: ?log=<base URL of the log> (default: this page's directory),
// ?key=<log verifier key>, ?witness=<witness verifier key> (repeatable): when
// given, and the browser's WebCrypto has Ed25519, the page checks those
// signatures itself.

import { h, table, clear } from './dom.js';
import {
  LogClient,
  verifyTree,
  bytesToHex,
  bytesToBase64,
  hasEd25519,
  parseVerifierKey,
  verifyNoteSignature,
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

const MAX_ENTRIES = 200000;  // beyond this, use candor audit
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
  records: [],  // { index, release | null, root | null, error | null, leafHash }
  verify: null,  // verifyTree report, or null while running
  verifyError: null,
  sig: { ed25519: null, log: null, witnesses: [], manifests: null },
};

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

function signatureNote() {
  const s = state.sig;
  if (s.ed25519 === false) {
    return 'Signatures are checked by candor audit, not by this page: this browser has no Ed25519 in WebCrypto.';
  }
  const parts = [];
  if (s.log) parts.push(`log signature: ${s.log}`);
  for (const w of s.witnesses) parts.push(`witness ${w.name}: ${w.result}`);
  if (s.manifests) parts.push(s.manifests);
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

function diffSection(r, product) {
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
  const prev = previousRoot(r);
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
    heading,
    !prev ? h('p', {}, `This is the first trust root of ${t.domain} in the log.`)
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
  const r = state.records[index];
  if (!r) return notFound(`No entry ${index} in this checkpoint.`);
  if (r.root) return pageTrustRoot(r);
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
    m.products.map((p) => diffSection(r, p)),
    h('h3', {}, 'Changelog'),
    h('pre', { class: 'changelog', tabindex: '0' }, r.release.changelog),
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
  if (state.phase !== 'ready') {
    content = h('p', {}, state.phase === 'error' ? 'The log could not be read.' : 'Loading…');
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
    title = isRoot ? `Trust root ${parts[1]}` : `Release ${parts[1]}`;
    nav = isRoot ? 'trust' : 'products';
  } else if (parts[0] === 'trust' && parts.length === 1) {
    content = pageTrust();
    title = 'Trust roots';
    nav = 'trust';
  } else if (parts[0] === 'checkpoint' && parts.length === 1) {
    content = pageCheckpoint();
    title = 'Checkpoint';
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

function render() {
  renderStatus();
  route();
  document.body.dataset.phase = state.phase;
  if (state.phase === 'ready') {
    document.getElementById('origin').textContent = `${state.checkpoint.origin} · ${state.checkpoint.size} entries`;
  }
}

// ---------- loading ----------

async function checkSignatures() {
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
  // Manifest signatures against the key each manifest embeds (self-consistency,
  // not trust: trust is the device policy's business).
  let valid = 0;
  let invalid = 0;
  for (const r of releases()) {
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
  if (valid + invalid) {
    s.manifests = invalid
      ? `${invalid} manifest signature${invalid === 1 ? '' : 's'} INVALID`
      : `all ${valid} manifest signatures valid for their embedded vendor keys`;
  }
}

async function load() {
  const client = new LogClient(state.base);
  try {
    if (!globalThis.crypto?.subtle) {
      throw new Error('this page needs WebCrypto, which browsers only offer on HTTPS (or localhost)');
    }
    state.progress = 'Reading the checkpoint…';
    render();
    state.checkpoint = await client.checkpoint();
    const size = state.checkpoint.size;
    if (size > MAX_ENTRIES) {
      throw new Error(`the log has ${size} entries; this page reads at most ${MAX_ENTRIES} (use candor audit)`);
    }
    const entries = await client.entries(size, (done, total) => {
      state.progress = `Reading entries… ${done} of ${total}`;
      renderStatus();
    });
    state.records = entries.map((e, index) => {
      try {
        // The log's second entry type (docs/LOG.md "Trust roots: the second
        // entry type"): a trust root, not an unreadable release.
        if (isTrustRootEntry(e)) return { index, release: null, root: parseTrustRoot(e), error: null };
        return { index, release: parseReleaseEntry(e), root: null, error: null };
      } catch (err) {
        return { index, release: null, root: null, error: err.message };
      }
    });
    state.phase = 'ready';
  } catch (e) {
    state.phase = 'error';
    state.error = e.message;
    render();
    return;
  }
  render();
  try {
    for (const r of releases()) r.changelogOk = await changelogMatches(r.release);
    await checkSignatures();
  } catch (e) {
    state.sig.manifests = `signature check failed: ${e.message}`;
  }
  try {
    const entries = state.records.map((r) => r.release?.entry ?? r.root?.entry);
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
  renderStatus();
  route();
}

window.addEventListener('hashchange', () => route(true));
// The skip link moves focus without touching the #/ route.
document.querySelector('a.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  app.focus();
});
load();
