// Regenerates docs/screenshots/*.png from the printer story (fixture.mjs):
//   CANDOR_LOG_BINARY=... CANDOR_BINARY=... CANDOR_WITNESS_BINARY=... \
//     node tests/web/screenshots.mjs [OUT_DIR]
// Release dates are fixed so the pictures do not depend on the day they are
// taken, except the "in N days" / "active since" wording, which is relative.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startPrinterLog, chromiumArgs, CHROMIUM } from './fixture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', '..', 'docs', 'screenshots'));

const fx = await startPrinterLog({
  effective: '2027-03-01',
  issued: { '2.4.0': '2026-08-03T09:00:00Z', '2.4.1': '2026-09-01T09:00:00Z', '1.0.0': '2026-10-12T15:30:00Z' },
});
const profile = await mkdtemp(join(tmpdir(), 'candor-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: chromiumArgs(profile).filter((a) => !a.startsWith('--user-data-dir')),
});
try {
  const shots = [
    ['vendors', ''],
    ['timeline', 'product/acme.example/printer-x'],
    ['release', 'release/1'],
    ['checkpoint', 'checkpoint'],
    ['log', 'log'],
    ['search', 'search/printer'],
  ];
  const sizes = [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ];
  for (const [name, hash] of shots) {
    for (const [kind, viewport] of sizes) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      let query = '';
      if (name === 'checkpoint') {
        query = `?key=${encodeURIComponent(fx.logKey)}`;
        if (fx.witnessed) query += `&witness=${encodeURIComponent(fx.witnessKey)}`;
      }
      await page.goto(`${fx.url}${query}#/${hash}`);
      await page.waitForSelector('[data-verify]');
      if (name === 'search') await page.waitForSelector('.search-progress[data-done]');
      const file = join(out, `${name}-${kind}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const { size } = await stat(file);
      console.log(`${file}: ${Math.round(size / 1024)} KiB`);
      if (size > 300 * 1024) throw new Error(`${file} is over 300 KiB`);
      await page.close();
    }
  }
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
  await fx.stop();
}
