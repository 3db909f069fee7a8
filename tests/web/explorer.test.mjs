// Browser test of the candor-log web explorer (docs/EXPLORER.md): a real
// candor-log (+ witness) filled with the printer story through the candor CLI,
// driven in headless Chromium by playwright-core. Run by tests/web/run.mjs
// (CTest "web_explorer"), which skips when Chromium or node_modules are absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { chromium } from 'playwright-core';

import { startPrinterLog, chromiumArgs, CHROMIUM, isoDate } from './fixture.mjs';

const DAY = 86400000;
const effective = isoDate(new Date(Date.now() + 120 * DAY));  // delayed and still in the future

let fx;
let context;
let profile;
const consoleErrors = [];

before(async () => {
  fx = await startPrinterLog({ effective });
  profile = await mkdtemp(join(tmpdir(), 'candor-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(profile).filter((a) => !a.startsWith('--user-data-dir')),
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await fx?.stop();
});

async function open(hash, { viewport, query = '' } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${fx.url}${query}#/${hash}`);
  await page.waitForSelector('body[data-phase="ready"]');
  await page.waitForSelector('[data-verify]');
  return page;
}

test('the server serves the embedded assets with correct types and refuses the rest', async () => {
  // Raw request paths: fetch() would normalise "..".
  const url = new URL(fx.url);
  const get = (path) =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(index.headers['content-security-policy'], /script-src 'self'/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.match(index.body, /<script type="module" src="explorer\/app.js">/);
  const js = await get('/explorer/app.js');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  const css = await get('/explorer/style.css');
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  for (const bad of ['/explorer/nope.js', '/explorer/../checkpoint', '/explorer/%2e%2e/log.key',
    '/explorer/..%2flog.key', '/explorer/', '/explorer/index.html', '/log.key', '/config',
    '/explorer/tlog.js/x', '/state/index.db']) {
    const r = await get(bad);
    assert.equal(r.status, 404, bad);
  }
  // The tlog-tiles API is untouched.
  const cp = await get('/checkpoint');
  assert.equal(cp.status, 200);
  assert.match(cp.body, /^log\.example\/firmware\n3\n/);
});

test('vendors page lists both vendors and says the root matches', async () => {
  const page = await open('');
  const ok = await page.textContent('[data-verify]');
  assert.match(ok, /Verified: root matches the checkpoint \(3 entries/);
  const vendors = await page.locator('main table tbody th').allTextContents();
  assert.deepEqual(vendors, ['acme.example', 'globex.example']);
  // Honest about what it does not check.
  assert.match(await page.textContent('#status'), /checked by candor audit, not by this page/);
  await page.close();
});

test('timeline orders by rollback and shows the delayed activation as a future marker', async () => {
  const page = await open('product/acme.example/printer-x');
  const versions = await page.locator('.tl-release h3').allTextContents();
  assert.deepEqual(versions, ['Version 2.4.0', 'Version 2.4.1']);
  const marker = page.locator('.tl-release[data-index="1"] .tl-marker');
  assert.equal(await marker.count(), 1);
  assert.equal(await marker.getAttribute('data-effective'), effective);
  assert.match(await marker.getAttribute('class'), /tl-future/);
  assert.match(await marker.getAttribute('class'), /restrictive/);
  const text = await marker.textContent();
  assert.match(text, /Future activation/);
  assert.match(text, new RegExp(`${effective}: Third-party consumables: blocked`));
  // 2.4.0 has no delayed disclosure.
  assert.equal(await page.locator('.tl-release[data-index="0"] .tl-marker').count(), 0);
  await page.close();
});

test('release page: diff shows the cartridge block ADDED with its date; restrictive rows highlighted', async () => {
  const page = await open('release/1');
  assert.match(await page.textContent('h2'), /acme\.example printer-x 2\.4\.1/);
  const diffRows = page.locator('table.diff tbody tr');
  const rows = [];
  for (let i = 0; i < (await diffRows.count()); i++) {
    rows.push({
      cells: (await diffRows.nth(i).locator('th, td').allTextContents()).map((s) => s.trim()),
      cls: await diffRows.nth(i).getAttribute('class'),
    });
  }
  const added = rows.find((r) => r.cells[1] === 'Third-party consumables' && r.cells[0] === 'ADDED');
  assert.ok(added, JSON.stringify(rows));
  assert.equal(added.cells[2], 'blocked');
  assert.equal(added.cells[3], effective);
  assert.match(added.cls, /restrictive/);
  const changed = rows.find((r) => r.cells[1] === 'Telemetry');
  assert.equal(changed.cells[0], 'CHANGED');
  assert.equal(changed.cells[2], 'crash to metrics.acme.example → crash,usage to metrics.acme.example');
  // A security fix is an event of its release (docs/FORMATS.md "State and event kinds"):
  // listed as this release's, never as a change of the previous one's.
  assert.ok(rows.some((r) => r.cells[0] === 'EVENT' && r.cells[1] === 'Security fix'));
  assert.ok(!rows.some((r) => r.cells[0] === 'REMOVED' && r.cells[1] === 'Security fix'));

  // Disclosures: the block and the telemetry are restrictive and highlighted;
  // "allowed" and the security fix are not.
  const disc = page.locator('table.disclosures tbody tr');
  const highlighted = {};
  for (let i = 0; i < (await disc.count()); i++) {
    const row = disc.nth(i);
    const kind = await row.locator('th code').textContent();
    const value = await row.locator('td').first().textContent();
    highlighted[`${kind}=${value}`] = /restrictive/.test((await row.getAttribute('class')) ?? '');
  }
  assert.deepEqual(highlighted, {
    'consumables.third-party=blocked': true,
    'consumables.third-party=allowed': false,
    'security-fix=CVE-2026-0002': false,
    'telemetry=crash,usage to metrics.acme.example': true,
  });
  const badge = page.locator('table.disclosures tr.restrictive .badge-restrictive');
  assert.equal(await badge.count(), 2);

  // The changelog is text, never markup.
  const pre = await page.textContent('pre.changelog');
  assert.match(pre, /<script>alert\("not markup"\)<\/script> is shown as text\./);
  assert.equal(await page.locator('pre.changelog script').count(), 0);
  // Cheap checks done in the browser.
  assert.match(await page.textContent('table.manifest'), /matches the changelog below/);
  await page.close();
});

test('checkpoint page lists the log signature and the witness cosignature', async () => {
  const page = await open('checkpoint');
  const body = await page.textContent('table.signatures');
  assert.match(body, /log\.example\/firmware/);
  assert.match(body, /log signature/);
  if (fx.witnessed) {
    assert.match(body, /witness\.example\/w1/);
    assert.match(body, /witness cosignature/);
    const time = await page.locator('table.signatures time').first().getAttribute('datetime');
    const t = Date.parse(time);
    assert.ok(Math.abs(Date.now() - t) < 3600 * 1000, `cosignature time ${time}`);
  }
  assert.match(await page.textContent('pre.note'), /^log\.example\/firmware\n3\n/);
  await page.close();
});

test('with ?key= and ?witness= the browser verifies the signatures itself', async () => {
  const probe = await context.newPage();
  await probe.goto(`${fx.url}explorer/style.css`);  // a secure (loopback) context
  const ed25519 = await probe.evaluate(async () => {
    try {
      await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, ['verify']);
      return true;
    } catch {
      return false;
    }
  });
  await probe.close();
  let query = `?key=${encodeURIComponent(fx.logKey)}`;
  if (fx.witnessed) query += `&witness=${encodeURIComponent(fx.witnessKey)}`;
  const page = await open('checkpoint', { query });
  const status = await page.textContent('#status');
  if (!ed25519) {
    assert.match(status, /no Ed25519/);
  } else {
    assert.match(status, /log signature: valid/);
    if (fx.witnessed) assert.match(status, /witness witness\.example\/w1: valid/);
    assert.match(status, /all 3 manifest signatures valid/);
    assert.match(await page.textContent('table.signatures'), /valid \(Ed25519, in this browser\)/);
  }
  await page.close();
  // A wrong log key is reported, not accepted.
  if (ed25519) {
    const wrong = await open('checkpoint', { query: `?key=${encodeURIComponent(fx.vendorKey)}` });
    assert.match(await wrong.textContent('#status'), /log signature: MISSING/);
    await wrong.close();
  }
});

test('a tampered mirror is flagged in red', async () => {
  // Serve the checkpoint from the log but a wrong level-0 tile, through a
  // page-level route: what a lying mirror would do.
  const page = await context.newPage();
  await page.route('**/tile/0/**', async (route) => {
    const res = await route.fetch();
    const body = Buffer.from(await res.body());
    body[0] ^= 1;
    await route.fulfill({ response: res, body });
  });
  await page.goto(`${fx.url}#/`);
  await page.waitForSelector('[data-verify]');
  assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'mismatch');
  assert.match(await page.textContent('[data-verify]'), /Warning: .*entry 0: leaf hash differs/);
  await page.close();
});

test('works against a static mirror of the log directory via ?log=', async () => {
  // A plain file server (like nginx) over the data directory, under a prefix,
  // on another origin (hence CORS), serving only checkpoint and tiles.
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const served = [];
  const mirror = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const m = /^\/mirror\/(checkpoint|tile\/[0-9a-z./]+)$/.exec(path);
    if (!m || path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(fx.dir, 'log', m[1]));
      served.push(m[1]);
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end(body);
    } catch {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
    }
  });
  await new Promise((r) => mirror.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${mirror.address().port}/mirror/`;
    const page = await open('release/1', { query: `?log=${encodeURIComponent(base)}` });
    assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
    assert.match(await page.textContent('h2'), /printer-x 2\.4\.1/);
    assert.ok(served.includes('checkpoint'));
    assert.ok(served.some((p) => p.startsWith('tile/entries/')));
    assert.ok(served.some((p) => p.startsWith('tile/0/')));
    await page.close();
  } finally {
    mirror.close();
  }
});

// A log that admits trust roots (docs/FORMATS.md "Trust root") serves them as
// entries beside releases: a static log of the printer story's entries plus
// the trust root vectors v1 and v2, with its recomputed tiles (tilelog.mjs).
// The checkpoint's signature is not checked without ?key=, so any 64 bytes do.
test('trust root entries render as trust roots, with a history per domain', async () => {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { LogClient, bytesToBase64 } = await import('../../transparency-log/web/tlog.js');
  const { staticLogFiles } = await import('./tilelog.mjs');
  const client = new LogClient(new URL('./', fx.url).href);
  const cp = await client.checkpoint();
  const entries = [...(await client.entries(cp.size))];
  for (const v of ['v1.root', 'v2.root']) {
    entries.push(new Uint8Array(await readFile(new URL(`../vectors/trust-root/${v}`, import.meta.url))));
  }
  const { files, root } = staticLogFiles(entries);
  const sig = bytesToBase64(new Uint8Array(68));
  files.set('checkpoint', Buffer.from(
    `${cp.origin}\n${entries.length}\n${bytesToBase64(root)}\n\n\u2014 ${cp.origin} ${sig}\n`));
  const server = createServer((req, res) => {
    const body = files.get(new URL(req.url, 'http://x').pathname.replace(/^\/roots\//, ''));
    res.writeHead(body ? 200 : 404, { 'Access-Control-Allow-Origin': '*' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const query = `?log=${encodeURIComponent(`http://127.0.0.1:${server.address().port}/roots/`)}`;
    const v2 = entries.length - 1;
    const page = await open(`release/${v2}`, { query });
    assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
    assert.equal(await page.textContent('h2'), 'Trust root acme.example/printers version 2');
    const manifest = await page.textContent('table.manifest');
    assert.match(manifest, /Expires\s*2029-01-01T00:00:00Z/);
    assert.match(manifest, /2 of 2 root keys/);
    const diff = await page.textContent('table.diff');
    assert.match(diff, /REMOVED\s*root root-a\.acme\.example/);
    assert.match(diff, /ADDED\s*vendor acme\.example\/firmware-2026/);
    // Releases still render; a trust root is not an unreadable entry.
    await page.goto(`${fx.url}${query}#/`);
    await page.waitForSelector('[data-verify]');
    assert.match(await page.textContent('main'), /acme\.example/);
    assert.doesNotMatch(await page.textContent('main'), /could not read/);
    await page.goto(`${fx.url}${query}#/trust`);
    await page.waitForSelector('h2');
    assert.equal(await page.textContent('h2'), 'Trust roots');
    const rows = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 2);
    assert.match(rows[0], /version 1.*first in the log/);
    assert.match(rows[1], /version 2.*3 lines added, 3 lines removed/);
    await page.close();
    for (const hash of ['trust', `release/${v2}`]) {
      const narrow = await open(hash, { query, viewport: { width: 390, height: 844 } });
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `#/${hash} overflows by ${overflow}px`);
      await narrow.close();
    }
  } finally {
    server.close();
  }
});

// Observations (docs/EXPLORER.md "Observations"), the log's third entry type:
// a static log of the release and the observation about it that the C++ code
// made (tests/web/fixtures/observation/), under the fixture's log origin.
test('a release page lists the observations about it as third-party claims; observation page', async () => {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { bytesToBase64 } = await import('../../transparency-log/web/tlog.js');
  const { staticLogFiles } = await import('./tilelog.mjs');
  const fixture = async (name) =>
    new Uint8Array(await readFile(new URL(`./fixtures/observation/${name}`, import.meta.url)));
  const entries = [await fixture('release.entry'), await fixture('observation.note')];
  const origin = 'log.example/explorer-fixture';
  const { files, root } = staticLogFiles(entries);
  const sig = bytesToBase64(new Uint8Array(68));
  files.set('checkpoint', Buffer.from(
    `${origin}\n${entries.length}\n${bytesToBase64(root)}\n\n\u2014 ${origin} ${sig}\n`));
  const server = createServer((req, res) => {
    const body = files.get(new URL(req.url, 'http://x').pathname.replace(/^\/obs\//, ''));
    res.writeHead(body ? 200 : 404, { 'Access-Control-Allow-Origin': '*' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const query = `?log=${encodeURIComponent(`http://127.0.0.1:${server.address().port}/obs/`)}`;
    const page = await open('release/0', { query });
    assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
    await page.waitForSelector('section.observations article.observation [data-verdict]');
    const section = await page.textContent('section.observations');
    assert.match(section, /Third-party claim by lab\.example, not the vendor's/);
    assert.match(section, /2\.4\.2 still rejects third-party cartridges on a printer-x1 bought 2026-11/);
    assert.match(section, /2026-11-20T10:00:00Z/);
    const rows = await page.$$eval('section.observations table.findings tbody tr',
      (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 2);
    assert.match(rows[0], /Third-party consumables.*blocked.*CONTRADICTED \(disclosed: allowed\)/);
    assert.match(rows[1], /Telemetry.*none.*confirmed/);
    assert.equal(await page.$('[data-target="invalid"]'), null);
    // The signature is checked in the browser when it has Ed25519.
    await page.waitForFunction(() => !/checked by candor audit/.test(
      document.querySelector('article.observation table.manifest')?.textContent ?? '') ||
      document.querySelector('.status-note')?.textContent.includes('no Ed25519'));
    assert.doesNotMatch(await page.textContent('article.observation table.manifest'), /INVALID/);
    // The observations come after the vendor's disclosures.
    const order = await page.evaluate(() => {
      const hs = [...document.querySelectorAll('main h3, #app h3')].map((x) => x.textContent);
      return [hs.indexOf('Disclosures'), hs.indexOf('Observations')];
    });
    assert.ok(order[0] >= 0 && order[1] > order[0], `headings ${order}`);
    await page.close();

    const obs = await open('release/1', { query });
    await obs.waitForSelector('table.findings');
    assert.equal(await obs.textContent('h2'), 'Observation by lab.example about release #0');
    assert.match(await obs.textContent('#app'), /Third-party claim, not the vendor's/);
    assert.match(await obs.textContent('table.findings'), /CONTRADICTED/);
    await obs.close();

    const log = await open('log', { query });
    await log.waitForSelector('table.entries tbody tr');
    const types = await log.$$eval('table.entries tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
    assert.deepEqual(types, ['observation (third party)', 'release']);
    await log.close();

    const narrow = await open('release/0', { query, viewport: { width: 390, height: 844 } });
    await narrow.waitForSelector('article.observation');
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `#/release/0 overflows by ${overflow}px`);
    await narrow.close();
  } finally {
    server.close();
  }
});

// docs/EXPLORER.md "Large logs": the log page and the search read only what
// they show, also on a small log (largelog.test.mjs measures 10^4 and 10^6).
test('log page newest first, verified from its bundles; search box by image hash and words', async () => {
  const page = await open('log');
  assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
  assert.match(await page.textContent('[data-verify]'), /Verified: entries 0–2 are in the tree/);
  assert.deepEqual(await page.locator('table.entries tbody th').allTextContents(), ['#2', '#1', '#0']);
  const row = await page.locator('table.entries tbody tr').nth(1).locator('td').allTextContents();
  assert.deepEqual(row, ['release', 'acme.example', 'printer-x', '2.4.1', row[4], '2']);
  assert.equal(await page.getAttribute('nav a[data-nav="log"]', 'aria-current'), 'page');

  await page.fill('#q', 'ACME printer');
  await page.press('#q', 'Enter');
  await page.waitForSelector('.search-progress[data-done]');
  assert.deepEqual(await page.locator('table.entries tbody th').allTextContents(), ['#1', '#0']);
  assert.match(await page.textContent('.search-progress'), /2 matches in the newest 3 of 3 entries: the whole log\./);
  // The image of 2.4.1, as sha256sum prints it.
  const { createHash } = await import('node:crypto');
  const image = createHash('sha256').update('firmware image printer-x 2.4.1\n'.repeat(1000)).digest('hex');
  await page.fill('#q', image);
  await page.press('#q', 'Enter');
  await page.waitForFunction((h) => location.hash === `#/search/${h}`, image);
  await page.waitForSelector('.search-progress[data-done]');
  assert.deepEqual(await page.locator('table.entries tbody th').allTextContents(), ['#1']);
  await page.click('table.entries tbody th a');
  await page.waitForSelector('table.manifest');
  assert.match(await page.textContent('table.manifest'), new RegExp(image));
  // Once the whole log is read (a catalogue page), search answers from memory.
  await page.goto(`${fx.url}#/`);
  await page.waitForSelector('[data-verify="ok"]');
  await page.goto(`${fx.url}#/search/thermo`);
  await page.waitForSelector('.search-progress[data-done]');
  assert.deepEqual(await page.locator('table.entries tbody th').allTextContents(), ['#2']);
  await page.close();
});

test('usable at 390x844: no horizontal scrolling, stacked tables', async () => {
  for (const hash of ['', 'products', 'product/acme.example/printer-x', 'release/1', 'checkpoint', 'trust',
    'log', 'search/printer']) {
    const page = await open(hash, { viewport: { width: 390, height: 844 } });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `#/${hash} overflows by ${overflow}px`);
    if (hash === 'release/1') {
      // The header row is off screen; each cell carries its label.
      const display = await page.$eval('table.diff td', (td) => getComputedStyle(td).display);
      assert.equal(display, 'block');
    }
    await page.close();
  }
});

test('accessible markup: headings, table headers, text contrast >= 4.5:1', async () => {
  for (const hash of ['', 'products', 'vendor/acme.example', 'product/acme.example/printer-x',
    'release/1', 'checkpoint', 'trust', 'log', 'search/printer']) {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await open(hash, { viewport });
      const report = await page.evaluate(() => {
        const problems = [];
        if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
        if (document.querySelectorAll('main h2').length !== 1) problems.push('not exactly one h2');
        if (!document.documentElement.lang) problems.push('no lang');
        for (const t of document.querySelectorAll('table')) {
          if (!t.querySelector('caption')?.textContent.trim()) problems.push('table without caption');
          const ths = t.querySelectorAll('thead th');
          if (!ths.length || [...ths].some((th) => th.getAttribute('scope') !== 'col')) {
            problems.push('table without column headers');
          }
        }
        // WCAG 2 relative luminance and contrast of every element's own text.
        const parse = (c) => {
          const m = c.match(/rgba?\(([^)]+)\)/);
          const [r, g, b, a = 1] = m[1].split(',').map(Number);
          return { r, g, b, a };
        };
        const lum = ({ r, g, b }) => {
          const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c.a > 0) return c;
          }
          return { r: 255, g: 255, b: 255, a: 1 };
        };
        let checked = 0;
        for (const el of document.querySelectorAll('body *')) {
          const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          const style = getComputedStyle(el);
          if (!own || style.visibility === 'hidden' || style.display === 'none') continue;
          const rect = el.getBoundingClientRect();
          if (rect.width === 0 || rect.right < 0 || rect.left < -100) continue;  // off-screen (skip link)
          const fg = lum(parse(style.color));
          const bg = lum(background(el));
          const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
          checked++;
          if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} for "${el.textContent.trim().slice(0, 40)}"`);
        }
        return { problems, checked };
      });
      assert.deepEqual(report.problems, [], `#/${hash} at ${viewport.width}px`);
      assert.ok(report.checked > 10);
      await page.close();
    }
  }
});

test('no console errors', () => {
  // The tampered-mirror test legitimately logs nothing either: errors are shown in the page.
  assert.deepEqual(consoleErrors, []);
});
