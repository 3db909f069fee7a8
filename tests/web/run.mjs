// CTest driver for the browser tests (tests/web/CMakeLists.txt): runs
// `node --test explorer.test.mjs largelog.test.mjs` when headless Chromium and playwright-core
// (node_modules, from `npm ci --prefix tests/web`) are present. Otherwise exits
// 77 (CTest SKIP_RETURN_CODE), unless CANDOR_REQUIRE_BROWSER is set: then a
// missing browser is a failure, so CI cannot silently skip the test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CANDOR_CHROMIUM || '/usr/bin/chromium';
const missing = [];
if (!existsSync(chromium)) missing.push(`${chromium} (apt-get install chromium)`);
if (!existsSync(join(here, 'node_modules', 'playwright-core', 'package.json'))) {
  missing.push('tests/web/node_modules/playwright-core (npm ci --prefix tests/web)');
}
if (missing.length) {
  if (process.env.CANDOR_REQUIRE_BROWSER) {
    console.error(`FAIL: CANDOR_REQUIRE_BROWSER is set but missing: ${missing.join(', ')}`);
    process.exit(1);
  }
  console.log(`SKIP: browser test needs ${missing.join(', ')}`);
  process.exit(77);
}
const r = spawnSync(process.execPath, ['--test', join(here, 'explorer.test.mjs'), join(here, 'largelog.test.mjs')], {
  stdio: 'inherit',
  cwd: here,
});
process.exit(r.status ?? 1);
