// `npm run bench:wasm-opt`: what each candidate set of wasm-opt passes does to
// the module, with the pinned binaryen (package-lock.json), against no
// wasm-opt at all. For each: the module's bytes raw and gzip -9 (what the
// page ships, and what base64 in a script does not shrink: see issue 16),
// brotli for information, how long wasm-opt takes, `verify` on 200 actions
// and the module's Sha256 over 32 MiB in Node, in CPU time (median of ROUNDS
// rounds, the variants interleaved round by round: this machine's speed drifts).
//
//   BENCH_ROUNDS=7                       rounds of 25 verify calls per variant
//   BENCH_PASSES='-Oz;-Os --converge'    only these candidates (';' between sets)
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { setup } from '../scripts/setup.mjs';
import { cargoModule } from '../scripts/build.mjs';
import { log, root, run, WASM_FEATURES, WASM_OPT_PASSES, wasmOpt } from '../scripts/lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 15);
const HASH_MIB = 32;
// Also measured once (bench/RESULTS.md): -O3, -O4, -Os --converge, --gufa -Oz
// and -Oz --gufa -Oz: slower to run, no smaller, no faster.
const CANDIDATES = (process.env.BENCH_PASSES || '-O1;-O2;-Os;-Oz;-Oz --converge;--duplicate-function-elimination --remove-unused-module-elements')
  .split(';')
  .map((s) => s.trim().split(/\s+/).filter(Boolean));
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

setup();
const work = mkdtempSync(join(tmpdir(), 'upgrade-gate-wasm-opt-'));
try {
  const cargoWasm = cargoModule();
  run('wasm-bindgen', ['--target', 'web', '--out-dir', work, '--out-name', 'upgrade_gate', cargoWasm]);
  const plain = join(work, 'upgrade_gate_bg.wasm');
  const glue = pathToFileURL(join(work, 'upgrade_gate.js')).href;
  const { cmd, args, version } = wasmOpt();
  const variants = [{ name: 'no wasm-opt', passes: null, path: plain, seconds: 0 }];
  for (const passes of CANDIDATES) {
    const path = join(work, `opt-${variants.length}.wasm`);
    const t = process.hrtime.bigint();
    run(cmd, [...args, ...passes, ...WASM_FEATURES.map((f) => `--enable-${f}`), '-o', path, plain]);
    variants.push({ name: `wasm-opt ${passes.join(' ')}`, passes, path, seconds: Number(process.hrtime.bigint() - t) / 1e9 });
  }

  // The 200-action case of bench/run.mjs: standard-transparent's two actions, repeated.
  const dir = join(root, 'examples', 'standard-transparent');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'));
  const two = manifest.actions;
  manifest.actions = Array.from({ length: 200 }, (_, i) => two[i % two.length]);
  release.actions = manifest.actions;
  const packageHash = `sha256:${createHash('sha256').update(readFileSync(join(dir, 'package.tar'))).digest('hex')}`;
  const now = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now;

  // Each variant in its own instance of the glue (a module is instantiated once per import URL).
  for (const [i, v] of variants.entries()) {
    const m = await import(`${glue}?variant=${i}`);
    m.initSync({ module: readFileSync(v.path) });
    const text = JSON.stringify(manifest);
    release.manifestDigest = m.manifestDigest(text);
    v.input = { manifest: text, release: JSON.stringify(release), now, observed: { packageHash } };
    v.api = m;
    const r = m.verify(v.input);
    if ((r.decodedActions || []).length !== 200) throw new Error(`${v.name}: verify decoded ${(r.decodedActions || []).length} actions, not 200`);
    v.decision = r.decision;
    v.ms = [];
  }
  if (new Set(variants.map((v) => v.decision)).size !== 1) throw new Error('the variants disagree on the decision');
  // Hashing, the page's other hot path: the module's Sha256 over 32 MiB in 1 MiB chunks, as the worker feeds it.
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  // CPU time of this process, not the clock: with other jobs on the machine's
  // two cores, a wall-clock figure mostly measures when the scheduler ran us
  // (the first sessions' per-call times came in steps of 4 ms).
  const cpuMs = (since) => {
    const d = process.cpuUsage(since);
    return (d.user + d.system) / 1000;
  };
  const hashOnce = (v) => {
    const h = new v.api.Sha256();
    const t = process.cpuUsage();
    for (let i = 0; i < HASH_MIB; i++) h.update(chunk);
    const digest = h.finalize();
    return [cpuMs(t), digest];
  };
  for (const v of variants) v.hash = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const t = process.cpuUsage();
      for (let i = 0; i < 25; i++) v.api.verify(v.input);
      v.ms.push(cpuMs(t) / 25);
      const [hms, digest] = hashOnce(v);
      if (digest !== (variants[0].digest ??= digest)) throw new Error(`${v.name}: Sha256 gives ${digest}, not ${variants[0].digest}`);
      v.hash.push(hms);
    }
    log(`round ${round + 1}/${ROUNDS}: verify ${variants.map((v) => v.ms.at(-1).toFixed(2)).join(' ')} ms; hash ${variants.map((v) => v.hash.at(-1).toFixed(0)).join(' ')} ms`);
  }

  const rows = variants.map((v) => {
    const bytes = readFileSync(v.path);
    return {
      name: v.name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      seconds: v.seconds,
      verify: median(v.ms),
      hash: (HASH_MIB * 1000) / median(v.hash),
    };
  });
  const pct = (a, b) => `${a >= b ? '+' : '−'}${(Math.abs(a - b) / b * 100).toFixed(1)} %`;
  const b0 = rows[0];
  const table = [
    '| passes | raw | gzip -9 | vs none | brotli 11 | wasm-opt time | verify, 200 actions (Node, CPU) | vs none | Sha256, 32 MiB (Node, CPU) | vs none |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.name}${r.name === `wasm-opt ${WASM_OPT_PASSES.join(' ')}` ? ' (the build)' : ''} | ${kib(r.raw)} | ${kib(r.gzip)} | ${r === b0 ? '—' : pct(r.gzip, b0.gzip)} | ${kib(r.brotli)} | ${r.seconds ? `${r.seconds.toFixed(1)} s` : '—'} | ${r.verify.toFixed(2)} ms | ${r === b0 ? '—' : pct(r.verify, b0.verify)} | ${r.hash.toFixed(0)} MiB/s | ${r === b0 ? '—' : pct(r.hash, b0.hash)} |`,
    ),
  ];
  process.stdout.write(`${table.join('\n')}\n\nbinaryen ${version} (npm, run by Node ${process.version}); ${ROUNDS} rounds × (25 verify calls + one 32 MiB hash), CPU time, medians; decision ${variants[0].decision}; ${new Date().toISOString().slice(0, 10)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
