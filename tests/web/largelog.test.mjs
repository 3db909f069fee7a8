// Browser test of the explorer on large logs (docs/EXPLORER.md "Large logs"):
// synthetic logs of 10^4 and 10^6 entries (biglog.mjs) read through ?log=,
// in headless Chromium (playwright-core). The newest page must render from
// the same entry bundles and, per tile level, the same number of tiles at
// both sizes: the structural measure that time to first render does not grow
// with the log (wall times are printed for docs/PERFORMANCE.md, never
// asserted). Paging, the search box (image SHA-256, words) and a release page
// of the large log read only what they show. Run by tests/web/run.mjs
// (CTest "web_explorer").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { chromiumArgs, CHROMIUM } from './fixture.mjs';
import { serveBigLog, needleImage, NEEDLES, OBSERVATION } from './biglog.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..', '..', 'transparency-log', 'web');
const SIZES = [10_000, 1_000_000];
const PAGE = 100;
const SEARCH_STEP = 16;  // bundles per search step (app.js)

let explorer;
let context;
let profile;
const logs = new Map();
const consoleErrors = [];

// The explorer's files as candor-log serves them (same names, types and
// Content-Security-Policy, read from explorer_routes.h), from the source tree.
async function serveExplorer() {
  const header = await readFile(join(here, '..', '..', 'transparency-log', 'include', 'candor', 'log',
    'explorer_routes.h'), 'utf8');
  const csp = [...header.match(/kExplorerCsp =\s*([\s\S]*?);\n/)[1].matchAll(/"([^"]*)"/g)]
    .map((m) => m[1]).join('');
  const types = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const name = path === '/' ? 'index.html' : (/^\/explorer\/([a-z]+\.(?:js|css))$/.exec(path) ?? [])[1];
    if (!name) return res.writeHead(404).end();
    const body = await readFile(join(web, name));
    return res.writeHead(200, {
      'Content-Type': types[name.split('.').pop()],
      'Content-Security-Policy': csp,
      'Cache-Control': 'no-cache',
    }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => server.close(r)) };
}

before(async () => {
  explorer = await serveExplorer();
  for (const size of SIZES) {
    const t0 = Date.now();
    logs.set(size, await serveBigLog(size));
    console.log(`synthetic log of ${size} entries built in ${Date.now() - t0} ms`);
  }
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
  for (const log of logs.values()) await log.stop();
  await explorer?.stop();
});

async function open(size, hash, { viewport } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${explorer.url}?log=${encodeURIComponent(logs.get(size).url)}#/${hash}`);
  return page;
}

const levels = (size) => {
  let l = 0;
  while (256 ** (l + 1) <= size) l++;
  return l + 1;
};
const kinds = (paths) => ({
  checkpoint: paths.filter((p) => p === 'checkpoint').length,
  bundles: paths.filter((p) => p.startsWith('tile/entries/')),
  tiles: paths.filter((p) => /^tile\/[0-9]\//.test(p)),
});

test('the newest page renders from the same bundles and one tile per level at 10^4 and 10^6', async () => {
  const measured = [];
  // A first load warms the browser (process, code cache) so that neither size
  // pays for it in the printed times.
  const warm = await open(SIZES[0], 'log');
  await warm.waitForSelector('[data-verify]');
  await warm.close();
  for (const size of SIZES) {
    const log = logs.get(size);
    log.requests.length = 0;
    const t0 = Date.now();
    const page = await open(size, 'log');
    await page.waitForSelector('table.entries tbody tr');
    const firstRender = Date.now() - t0;
    await page.waitForSelector('[data-verify]');
    const verified = Date.now() - t0;
    assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
    assert.match(await page.textContent('[data-verify]'),
      new RegExp(`Verified: entries ${size - PAGE}–${size - 1} are in the tree`));
    const rows = await page.locator('table.entries tbody th').allTextContents();
    assert.equal(rows.length, PAGE);
    assert.equal(rows[0], `#${size - 1}`);
    assert.equal(rows[PAGE - 1], `#${size - PAGE}`);
    const r = kinds(log.requests);
    assert.equal(new Set(log.requests).size, log.requests.length, `a file read twice: ${log.requests}`);
    measured.push({ size, firstRender, verified, ...r, total: log.requests.length });
    console.log(`${size} entries: first render ${firstRender} ms, verified ${verified} ms, ` +
      `${log.requests.length} requests: ${log.requests.join(' ')}`);
    await page.close();
  }
  const [small, large] = measured;
  // Exactly the bundles holding the page: two at both sizes (the newest
  // bundle is partial: 16 entries at 10^4, 64 at 10^6).
  assert.equal(small.bundles.length, 2);
  assert.equal(large.bundles.length, small.bundles.length);
  assert.equal(small.checkpoint, 1);
  assert.equal(large.checkpoint, 1);
  // Tiles: the page's two level-0 tiles, then one tile per level above: the
  // count grows with the number of tile levels (log_256 N), not with N.
  for (const m of measured) assert.equal(m.tiles.length, 2 + (levels(m.size) - 1), m.tiles.join(' '));
  assert.equal(large.tiles.length - small.tiles.length, levels(1_000_000) - levels(10_000));
});

test('paging: older pages and the oldest page of 10^6 entries, each checked', async () => {
  const size = 1_000_000;
  const log = logs.get(size);
  const page = await open(size, 'log');
  await page.waitForSelector('[data-verify]');
  log.requests.length = 0;
  await page.click('nav.pager a[rel="next"]');
  await page.waitForFunction(() => location.hash === '#/log/2');
  await page.waitForSelector('[data-verify="ok"]');
  assert.equal(await page.locator('table.entries tbody th').first().textContent(), `#${size - PAGE - 1}`);
  // The right edge's tiles are kept: only the page's bundle and its level-0
  // tile are new (entries 999800..999899 lie in bundle 3905).
  assert.deepEqual(kinds(log.requests).bundles, ['tile/entries/x003/905']);
  const last = size / PAGE;
  await page.goto(`${explorer.url}?log=${encodeURIComponent(log.url)}#/log/${last}`);
  await page.waitForSelector('[data-verify="ok"]');
  const rows = await page.locator('table.entries tbody th').allTextContents();
  assert.deepEqual([rows[0], rows[rows.length - 1]], [`#${PAGE - 1}`, '#0']);
  assert.match(await page.textContent('nav.pager'), new RegExp(`Page ${last} of ${last}`));
  await page.goto(`${explorer.url}?log=${encodeURIComponent(log.url)}#/log/${last + 1}`);
  await page.waitForSelector('h2');
  assert.equal(await page.textContent('h2'), 'Not found');
  await page.close();
});

test('search box: image SHA-256 and words, newest first, a bounded step at a time', async () => {
  const size = 1_000_000;
  const log = logs.get(size);
  const page = await open(size, 'log');
  await page.waitForSelector('[data-verify]');
  log.requests.length = 0;
  // A firmware dump's hash, typed in upper case.
  await page.fill('#q', needleImage(0).toUpperCase());
  await page.press('#q', 'Enter');
  await page.waitForSelector('.search-progress[data-done]');
  const hits = await page.locator('table.entries tbody tr').allTextContents();
  assert.equal(hits.length, 1);
  assert.match(hits[0], new RegExp(`#${size - NEEDLES[0].back}\\s*release\\s*needle\\.example\\s*probe-1\\s*9\\.9\\.9`));
  // One step: the newest bundle (64 entries) and 15 full ones.
  const step1 = size - (Math.ceil(size / 256) - SEARCH_STEP) * 256;
  assert.equal(step1, 3904);
  assert.match(await page.textContent('.search-progress'), new RegExp(`1 match in the newest ${step1} of 1000000 entries\\.`));
  assert.ok(kinds(log.requests).bundles.length <= SEARCH_STEP, log.requests.join(' '));
  assert.equal(kinds(log.requests).tiles.length, 0);

  // Words: each must appear in the vendor, a product or the version.
  await page.fill('#q', 'probe-2 4.2');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => decodeURIComponent(location.hash) === '#/search/probe-2 4.2');
  await page.waitForSelector('.search-progress[data-done]');
  const words = await page.locator('table.entries tbody th').allTextContents();
  assert.deepEqual(words, [`#${size - NEEDLES[1].back}`]);

  // No match: a bounded step, then the next one on request.
  log.requests.length = 0;
  const absent = 'ab'.repeat(32);
  await page.goto(`${explorer.url}?log=${encodeURIComponent(log.url)}#/search/${absent}`);
  await page.waitForSelector('.search-progress[data-done]');
  assert.match(await page.textContent('.search-progress'), /0 matches in the newest 3904 of 1000000 entries\./);
  assert.equal(kinds(log.requests).bundles.length, SEARCH_STEP);
  assert.equal(await page.textContent('button.more'), 'Search 4096 older entries');
  await page.click('button.more');
  await page.waitForFunction(() => document.querySelector('.search-progress')?.dataset.scanned === '8000' &&
    document.querySelector('.search-progress')?.dataset.done);
  assert.equal(kinds(log.requests).bundles.length, 2 * SEARCH_STEP);
  await page.close();
});

test('a release of the large log is read alone; catalogue pages point to the log and export', async () => {
  const size = 1_000_000;
  const log = logs.get(size);
  log.requests.length = 0;
  const index = size - NEEDLES[0].back;
  const page = await open(size, `release/${index}`);
  await page.waitForSelector('[data-verify]');
  assert.equal(await page.getAttribute('[data-verify]', 'data-verify'), 'ok');
  assert.match(await page.textContent('[data-verify]'), new RegExp(`Verified: entry ${index} is in the tree`));
  assert.equal(await page.textContent('h2'), 'needle.example probe-1 9.9.9');
  assert.match(await page.textContent('table.manifest'), new RegExp(needleImage(0)));
  assert.match(await page.textContent('main'), /candor audit diff needle\.example\/probe-1/);
  assert.deepEqual(kinds(log.requests).bundles, ['tile/entries/x003/905']);
  await page.goto(`${explorer.url}?log=${encodeURIComponent(log.url)}#/`);
  await page.waitForSelector('main h2');
  assert.match(await page.textContent('main'), /This log has 1000000 entries/);
  assert.match(await page.textContent('main'), /candor audit export/);
  await page.close();
});

// docs/EXPLORER.md "Observations": a large log's release page reads the entry
// alone, then, on request, scans the bundles after it a bounded step at a time
// for the observations about it.
test('a release of the large log finds the observations about it in bounded steps after it', async () => {
  const size = 1_000_000;
  const log = logs.get(size);
  const index = size - NEEDLES[OBSERVATION.about].back;
  log.requests.length = 0;
  const page = await open(size, `release/${index}`);
  await page.waitForSelector('[data-verify="ok"]');
  await page.waitForSelector('section.observations button.more');
  const first = Math.floor(index / 256);
  assert.deepEqual(kinds(log.requests).bundles, [`tile/entries/x00${Math.floor(first / 1000)}/${String(first % 1000).padStart(3, '0')}`]);
  // One step reaches SEARCH_STEP bundles from the release's, here the end of the log.
  const step = Math.min(SEARCH_STEP * 256 - (index % 256) - 1, size - index - 1);
  assert.match(await page.textContent('section.observations button.more'),
    new RegExp(`Look for observations in the ${step} entries after this release`));
  log.requests.length = 0;
  await page.click('section.observations button.more');
  await page.waitForSelector('.obs-progress[data-done]');
  await page.waitForSelector('article.observation [data-verdict]');
  const blocks = await page.$$('article.observation');
  assert.equal(blocks.length, 1);
  const text = await page.textContent('article.observation');
  assert.match(text, /Third-party claim by lab\.example, not the vendor's/);
  assert.match(text, new RegExp(`entry #${size - OBSERVATION.back}`));
  assert.match(text, /4\.2\.0 rejects third-party cartridges/);
  // The release discloses nothing: the block is an undisclosed restriction,
  // judged against the release's own disclosures (the page says so).
  assert.match(await page.textContent('table.findings'), /CONTRADICTED \(disclosed: nothing\)/);
  assert.match(text, /Judged against this release's own disclosures/);
  assert.equal(await page.$('[data-target="invalid"]'), null);
  // One step: at most SEARCH_STEP bundles, no tile.
  const bundles = kinds(log.requests).bundles;
  assert.ok(bundles.length <= SEARCH_STEP, bundles.join(' '));
  assert.equal(kinds(log.requests).tiles.length, 0);
  assert.match(await page.textContent('.obs-progress'),
    new RegExp(`1 observation in the ${step} of ${size - index - 1} entries after this release read so far: ` +
      'every later entry\\.'));
  assert.equal(await page.$('section.observations button.more'), null);
  await page.close();
});

test('large-log pages at 390x844: no horizontal scrolling', async () => {
  for (const hash of ['log', `search/${needleImage(0)}`]) {
    const page = await open(1_000_000, hash, { viewport: { width: 390, height: 844 } });
    await page.waitForSelector('table.entries tbody tr');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `#/${hash} overflows by ${overflow}px`);
    await page.close();
  }
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
