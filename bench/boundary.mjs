// `node bench/boundary.mjs`: the JS boundary's figures (issue 13), for a
// before/after comparison: `verify` on the 200-action case of `npm run bench`
// in Node and in the page (Chromium), the report's own conversion share, and
// the module and its glue gzip -9. Needs the built page (`npm run build`) and
// a CLI build (debug or release) for `manifest fill`.
//
//   BOUNDARY_ROUNDS=7   bursts of 25 calls per figure (medians)
//   BOUNDARY_JSON=path  also write the figures as JSON
//   BOUNDARY_BASELINE=dir  another build's www/pkg (e.g. a copy of the one
//                       before a change): its `verify` is timed in Node too,
//                       burst for burst alternating with this one, and its size
//                       printed beside this one's
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch, root, server } from '../tests/e2e/helpers.mjs';

const ROUNDS = Number(process.env.BOUNDARY_ROUNDS || 7);
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
function bursts(api, c, asObjects) {
  const input = asObjects ? { ...c, manifest: JSON.parse(c.manifest), release: JSON.parse(c.release) } : c;
  const first = api.verify(input);
  const all = [];
  for (let b = 0; b < ROUNDS; b++) {
    for (let i = 0; i < 25; i++) {
      const t = performance.now();
      api.verify(input);
      all.push(performance.now() - t);
    }
  }
  return { ms: all, actions: (first.decodedActions || []).length, decision: first.decision };
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
  for (let r = 0; r < 3; r++) {
    const text = bursts(mod, c, false);
    if (text.actions !== 200) throw new Error(`verify decoded ${text.actions} actions (decision ${text.decision})`);
    times.text.push(...text.ms);
    times.objects.push(...bursts(mod, c, true).ms);
    if (base) {
      times.baseText.push(...bursts(base, c, false).ms);
      times.baseObjects.push(...bursts(base, c, true).ms);
    }
  }
  rows['verify, 200 actions, Node, documents as text'] = median(times.text);
  rows['verify, 200 actions, Node, documents as objects'] = median(times.objects);
  if (base) {
    rows['baseline: verify, 200 actions, Node, documents as text'] = median(times.baseText);
    rows['baseline: verify, 200 actions, Node, documents as objects'] = median(times.baseObjects);
  }

  const browser = await launch();
  const srv = await server();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${srv.url}index.html?nodemo`);
    await page.waitForSelector('body[data-ready]');
    const inPage = await page.evaluate(
      ({ c, rounds }) => {
        const api = UpgradeGate.api();
        const all = [];
        api.verify(c);
        for (let b = 0; b < rounds; b++) {
          for (let i = 0; i < 25; i++) {
            const t = performance.now();
            api.verify(c);
            all.push(performance.now() - t);
          }
        }
        return all;
      },
      { c, rounds: ROUNDS },
    );
    rows['verify, 200 actions, in the page'] = median(inPage);
  } finally {
    await browser.close();
    await srv.stop();
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
