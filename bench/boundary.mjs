// `node bench/boundary.mjs`: the JS boundary's figures (issue 13), for a
// before/after comparison: `verify` on the 200-action case of `npm run bench`
// in Node and in the page (Chromium), the report's own conversion share, and
// the module and its glue gzip -9. Needs the built page (`npm run build`) and
// a CLI build (debug or release) for `manifest fill`.
//
//   BOUNDARY_ROUNDS=20  bursts of 25 calls per figure, alternating (medians)
//   BOUNDARY_JSON=path  also write the figures as JSON
//   BOUNDARY_BASELINE=dir  another build's www/pkg (e.g. a copy of the one
//                       before a change): its `verify` is timed in Node too,
//                       burst for burst alternating with this one, and its size
//                       printed beside this one's
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { serve } from '../scripts/serve.mjs';
import { launch, root } from '../tests/e2e/helpers.mjs';

const ROUNDS = Number(process.env.BOUNDARY_ROUNDS || 20);
const pkg = join(root, 'www', 'pkg');
const cli = ['release', 'debug'].map((p) => join(root, 'target', p, 'upgrade-gate')).find(existsSync);
if (!cli || !existsSync(join(pkg, 'upgrade_gate_bg.wasm'))) {
  process.stderr.write('build the page (npm run build) and the CLI (cargo build) first\n');
  process.exit(1);
}
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sha = (path) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;

/** The 200-action case of bench/run.mjs: the example's two actions, repeated. */
function bigCase(work) {
  const dir = join(root, 'examples', 'standard-transparent');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'));
  const two = manifest.actions;
  manifest.actions = Array.from({ length: 200 }, (_, i) => two[i % two.length]);
  release.actions = manifest.actions;
  const path = join(work, 'manifest-200.json');
  writeFileSync(path, JSON.stringify(manifest, null, 2));
  const fill = ['manifest', 'fill', path, '--package', join(dir, 'package.tar'), '--evidence', join(dir, 'evidence.json'), '--rollback-package', join(dir, 'rollback.tar')];
  const r = spawnSync(cli, fill, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`upgrade-gate manifest fill: ${r.stderr}`);
  release.manifestDigest = (r.stdout.match(/sha256:[0-9a-f]{64}/) || [])[0];
  return {
    manifest: readFileSync(path, 'utf8'),
    release: JSON.stringify(release),
    now: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now,
    observed: { packageHash: sha(join(dir, 'package.tar')) },
  };
}

/** Bursts of 25 verify calls; the median of every call, and the decoded-action count. */
/**
 * A burst of 25 verify calls: per call, its wall time, and the process's CPU
 * time over the burst divided by 25 (less disturbed by the other processes of
 * a shared machine, which only delay the wall clock).
 */
function burst(api, c, asObjects) {
  const input = asObjects ? { ...c, manifest: JSON.parse(c.manifest), release: JSON.parse(c.release) } : c;
  const first = api.verify(input);
  const all = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 25; i++) {
    const t = performance.now();
    api.verify(input);
    all.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: all, cpu: (cpu.user + cpu.system) / 1000 / 25, actions: (first.decodedActions || []).length, decision: first.decision };
}

const work = mkdtempSync(join(tmpdir(), 'upgrade-gate-boundary-'));
const rows = {};
try {
  const c = bigCase(work);
  const load = async (dir) => {
    const m = await import(pathToFileURL(join(dir, 'upgrade_gate.js')).href);
    m.initSync({ module: readFileSync(join(dir, 'upgrade_gate_bg.wasm')) });
    return m;
  };
  const mod = await load(pkg);
  const base = process.env.BOUNDARY_BASELINE ? await load(process.env.BOUNDARY_BASELINE) : null;
  // Alternating bursts: this machine's speed drifts over seconds, so each
  // build is timed in the same minutes as the other.
  const times = { text: [], objects: [], baseText: [], baseObjects: [] };
  const cpu = { text: [], objects: [], baseText: [], baseObjects: [] };
  const add = (k, b) => (times[k].push(...b.ms), cpu[k].push(b.cpu), b);
  for (let r = 0; r < ROUNDS; r++) {
    const text = add('text', burst(mod, c, false));
    if (text.actions !== 200) throw new Error(`verify decoded ${text.actions} actions (decision ${text.decision})`);
    add('objects', burst(mod, c, true));
    if (base) {
      add('baseText', burst(base, c, false));
      add('baseObjects', burst(base, c, true));
    }
  }
  const label = { text: 'documents as text', objects: 'documents as objects', baseText: 'documents as text', baseObjects: 'documents as objects' };
  for (const k of Object.keys(times)) {
    if (!times[k].length) continue;
    const who = k.startsWith('base') ? 'baseline: ' : '';
    rows[`${who}verify, 200 actions, Node, ${label[k]} (wall)`] = median(times[k]);
    rows[`${who}verify, 200 actions, Node, ${label[k]} (CPU)`] = median(cpu[k]);
  }

  // Chromium: the ES module (both builds, when there is a baseline) imported
  // by a bare page on a folder of its own, bursts alternating as in Node.
  const site = join(work, 'site');
  cpSync(pkg, join(site, 'new'), { recursive: true });
  if (base) cpSync(process.env.BOUNDARY_BASELINE, join(site, 'base'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>boundary</title>\n');
  const browser = await launch();
  const { server: s, url } = await serve({ port: 0, dir: site });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${url}index.html`);
    const inPage = await page.evaluate(
      async ({ c, rounds, withBase }) => {
        const load = async (dir) => {
          const m = await import(`./${dir}/upgrade_gate.js`);
          await m.default();
          return m;
        };
        const mods = { new: await load('new'), ...(withBase ? { base: await load('base') } : {}) };
        const out = { new: [], base: [] };
        for (const m of Object.values(mods)) m.verify(c);
        for (let b = 0; b < rounds; b++) {
          for (const [k, m] of Object.entries(mods)) {
            for (let i = 0; i < 25; i++) {
              const t = performance.now();
              m.verify(c);
              out[k].push(performance.now() - t);
            }
          }
        }
        return out;
      },
      { c, rounds: ROUNDS, withBase: !!base },
    );
    rows['verify, 200 actions, Chromium (wall)'] = median(inPage.new);
    if (base) rows['baseline: verify, 200 actions, Chromium (wall)'] = median(inPage.base);
  } finally {
    await browser.close();
    await new Promise((r) => s.close(r));
  }

  const wasm = readFileSync(join(pkg, 'upgrade_gate_bg.wasm'));
  const glue = readFileSync(join(pkg, 'upgrade_gate.js'));
  rows['wasm module, bytes'] = wasm.length;
  rows['wasm module, gzip -9, bytes'] = gzipSync(wasm, { level: 9 }).length;
  rows['JS glue (upgrade_gate.js), gzip -9, bytes'] = gzipSync(glue, { level: 9 }).length;
  if (base) {
    const dir = process.env.BOUNDARY_BASELINE;
    rows['baseline: wasm module, gzip -9, bytes'] = gzipSync(readFileSync(join(dir, 'upgrade_gate_bg.wasm')), { level: 9 }).length;
    rows['baseline: JS glue, gzip -9, bytes'] = gzipSync(readFileSync(join(dir, 'upgrade_gate.js')), { level: 9 }).length;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

for (const [k, v] of Object.entries(rows)) process.stdout.write(`${k.padEnd(60)} ${Number.isInteger(v) ? v : `${v.toFixed(2)} ms`}\n`);
if (process.env.BOUNDARY_JSON) writeFileSync(process.env.BOUNDARY_JSON, `${JSON.stringify(rows, null, 2)}\n`);
