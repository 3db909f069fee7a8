// Test fixture for the explorer: a real candor-log (and, when built, a real
// candor-witness cosigning it) on 127.0.0.1 with free ports, filled with the
// printer-cartridge story through the candor CLI: keygen, release create,
// publish. Used by explorer.test.mjs and screenshots.mjs.
//
// Binaries come from the environment (set by tests/web/CMakeLists.txt):
// CANDOR_LOG_BINARY, CANDOR_BINARY, CANDOR_WITNESS_BINARY (optional).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ORIGIN = 'log.example/firmware';

export function binaries() {
  const log = process.env.CANDOR_LOG_BINARY;
  const cli = process.env.CANDOR_BINARY;
  const witness = process.env.CANDOR_WITNESS_BINARY || '';
  if (!log || !cli) throw new Error('set CANDOR_LOG_BINARY and CANDOR_BINARY');
  return { log, cli, witness };
}

export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

// Starts a server whose command prints its bound port on stdout or stderr,
// matched by `pattern` (group 1 = port). Returns { proc, port, output() }.
function startServer(argv, pattern) {
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${argv[0]} did not report a port: ${out}`));
    }, 15000);
    const onData = (chunk) => {
      out += chunk;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), output: () => out });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]} exited with ${code}: ${out}`));
    });
  });
}

async function stopServer(s) {
  if (!s || s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  const t = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

const firstLine = (s) => s.split('\n')[0].trim();

// Builds the story. `effective` is the date from which 2.4.1 blocks third-party
// cartridges; `issued` the issue times of the releases (defaults: now).
export async function startPrinterLog({ effective, issued = {} } = {}) {
  const bin = binaries();
  const dir = await mkdtemp(join(tmpdir(), 'candor-explorer-'));
  const servers = [];
  const candor = async (args) => {
    try {
      return (await run(bin.cli, args, { cwd: dir })).stdout;
    } catch (e) {
      throw new Error(`candor ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  const fx = {
    dir,
    witnessed: false,
    async stop() {
      for (const s of servers.reverse()) await stopServer(s);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await run(bin.log, ['init', '--dir', join(dir, 'log'), '--origin', ORIGIN]);
    fx.logKey = (await readFile(join(dir, 'log', 'log.pub'), 'utf8')).trim();

    let policyArgs = [];
    if (bin.witness) {
      const w = await run(bin.witness, ['init', '--dir', join(dir, 'witness'), '--name', 'witness.example/w1']);
      fx.witnessKey = firstLine(w.stdout);
      await run(bin.witness, ['logs', 'add', '--dir', join(dir, 'witness'), '--origin', ORIGIN,
        '--key', fx.logKey]);
      const ws = await startServer(
        [bin.witness, 'serve', '--dir', join(dir, 'witness'), '--listen', '127.0.0.1:0'],
        /listening on http:\/\/127\.0\.0\.1:(\d+)/);
      servers.push(ws);
      await writeFile(join(dir, 'log.policy'),
        `log ${fx.logKey}\nwitness w1 ${fx.witnessKey} http://127.0.0.1:${ws.port}\nquorum w1\n`);
      policyArgs = ['--policy', join(dir, 'log.policy')];
      fx.witnessed = true;
    }

    // Vendors register their keys with the log operator.
    fx.vendorKey = firstLine(await candor(['keygen', '--name', 'acme.example', '--out', join(dir, 'acme')]));
    fx.otherKey = firstLine(await candor(['keygen', '--name', 'globex.example', '--out', join(dir, 'globex')]));
    await run(bin.log, ['vendors', 'add', '--dir', join(dir, 'log'), join(dir, 'acme.pub')]);
    await run(bin.log, ['vendors', 'add', '--dir', join(dir, 'log'), join(dir, 'globex.pub')]);

    const ls = await startServer(
      [bin.log, 'serve', '--dir', join(dir, 'log'), '--listen', '127.0.0.1:0',
        '--checkpoint-interval', '0.2', ...policyArgs],
      /serving .* on 127\.0\.0\.1:(\d+)/);
    servers.push(ls);
    fx.url = `http://127.0.0.1:${ls.port}/`;
    fx.logOutput = ls.output;

    await writeFile(join(dir, 'trust.policy'),
      `log ${fx.logKey}\n` +
      (fx.witnessed ? `witness w1 ${fx.witnessKey}\nquorum w1\n` : 'quorum none\n') +
      `vendor ${fx.vendorKey} printer-x\nvendor ${fx.otherKey} thermo-1\n`);

    const release = async (key, product, version, rollback, changelog, disclose, when) => {
      const image = join(dir, `${product}-${version}.bin`);
      await writeFile(image, `firmware image ${product} ${version}\n`.repeat(1000));
      await writeFile(join(dir, 'CHANGELOG.md'), changelog);
      const out = join(dir, `${product}-${version}.entry`);
      const args = ['release', 'create', '--key', join(dir, `${key}.key`), '--product', product,
        '--version', version, '--rollback', String(rollback), '--image', image,
        '--changelog', join(dir, 'CHANGELOG.md'), '--out', out];
      for (const d of disclose) args.push('--disclose', d);
      if (when) args.push('--issued', when);
      await candor(args);
      await candor(['publish', '--log', fx.url, '--policy', join(dir, 'trust.policy'), out,
        '--out', join(dir, `${product}-${version}.bundle`), '--timeout', '60']);
    };

    // The story: 2.4.0 is harmless; 2.4.1 quietly schedules a cartridge block,
    // but must disclose it to be installable at all.
    await release('acme', 'printer-x', '2.4.0', 1,
      '# 2.4.0\n- Colour profiles for glossy paper.\n- Fixes CVE-2026-0001 (IPP crash).\n',
      ['security-fix=CVE-2026-0001', 'telemetry=crash to metrics.acme.example',
        'consumables.third-party=allowed'], issued['2.4.0']);
    await release('acme', 'printer-x', '2.4.1', 2,
      '# 2.4.1\n- Improved cartridge authentication.\n- Usage statistics help us improve.\n' +
      '- <script>alert("not markup")</script> is shown as text.\n',
      [`consumables.third-party=blocked,effective=${effective}`, 'consumables.third-party=allowed',
        'telemetry=crash,usage to metrics.acme.example', 'security-fix=CVE-2026-0002'],
      issued['2.4.1']);
    await release('globex', 'thermo-1', '1.0.0', 1, 'First release.\n',
      ['connectivity-required=activation', 'end-of-support=2031-12-31'], issued['1.0.0']);
    fx.entries = 3;
    return fx;
  } catch (e) {
    await fx.stop().catch(() => {});
    throw e;
  }
}

// Chromium flags for a hermetic headless run.
export function chromiumArgs(userDataDir) {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${userDataDir}`];
}

export const CHROMIUM = process.env.CANDOR_CHROMIUM || '/usr/bin/chromium';
