// The npm package works from a clean directory (issue 6): `npm pack` the
// repository, install the tarball into a fresh folder, and run verify.mjs
// there, so `import init, { verify } from "upgrade-gate"` resolves through
// package.json `exports` exactly as it would for a bot or a forum plugin.
//
// Needs the wasm module built first (`npm run build`); `npm test` runs it
// after the build with: node --test examples/node/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work;
let app;

function sh(cmd, args, cwd) {
  // A witness example is verified against the block hash recorded from the node that made it.
  const example = args[1] && existsSync(join(args[1], 'block-hash.txt')) ? args[1] : null;
  const env = { ...process.env, UPGRADE_GATE_BLOCK_HASH: example ? readFileSync(join(example, 'block-hash.txt'), 'utf8').trim() : '' };
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  if (r.error) throw r.error;
  return r;
}

/** Example folders by the decision their expected.json names. */
function examplesDeciding(decision) {
  const dir = join(root, 'examples');
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'expected.json')))
    .filter((n) => JSON.parse(readFileSync(join(dir, n, 'expected.json'), 'utf8')).decision === decision)
    .sort()
    .map((n) => join(dir, n));
}

before(() => {
  assert.ok(
    existsSync(join(root, 'www/pkg/upgrade_gate_bg.wasm')),
    'www/pkg/ is not built: run `npm run build` first',
  );
  work = mkdtempSync(join(tmpdir(), 'upgrade-gate-npm-'));
  const packed = sh(npm, ['pack', '--json', '--pack-destination', work], root);
  assert.equal(packed.status, 0, packed.stderr);
  const [{ filename, files }] = JSON.parse(packed.stdout);
  const paths = files.map((f) => f.path).sort();
  // The module, its types and the schemas; not the page, the sources or the tests.
  for (const wanted of ['www/pkg/upgrade_gate.js', 'www/pkg/upgrade_gate.d.ts', 'www/pkg/upgrade_gate_bg.wasm', 'schema/manifest.schema.json']) {
    assert.ok(paths.includes(wanted), `the package lacks ${wanted}: ${paths.join(', ')}`);
  }
  assert.ok(!paths.some((p) => p.startsWith('src/') || p.startsWith('tests/') || p === 'www/index.html'), paths.join(', '));
  app = join(work, 'app');
  sh('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bot', private: true, type: 'module' }));
  const installed = sh(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, filename)], app);
  assert.equal(installed.status, 0, installed.stderr);
  // A copy outside the repository, so the import cannot resolve to the repository itself.
  copyFileSync(join(root, 'examples/node/verify.mjs'), join(app, 'verify.mjs'));
});

after(() => work && rmSync(work, { recursive: true, force: true }));

test('a releasable example prints RELEASE and exits 0', () => {
  const [example] = examplesDeciding('release');
  assert.ok(example, 'examples/ has a releasable case');
  const r = sh(process.execPath, ['verify.mjs', example], app);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^RELEASE /);
});

test('every tampered example prints REJECT and exits 20', () => {
  const rejected = examplesDeciding('reject');
  assert.ok(rejected.length > 0, 'examples/ has tampered cases');
  for (const example of rejected) {
    const r = sh(process.execPath, ['verify.mjs', example], app);
    assert.equal(r.status, 20, `${example}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^REJECT /);
  }
});

test('the package exports the module, its types, the wasm bytes and the schemas', () => {
  const probe = `
    import { readFileSync } from 'node:fs';
    import { fileURLToPath } from 'node:url';
    import init, * as gate from 'upgrade-gate';
    await init({ module_or_path: readFileSync(fileURLToPath(import.meta.resolve('upgrade-gate/upgrade_gate_bg.wasm'))) });
    const schema = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('upgrade-gate/schema/manifest.schema.json')), 'utf8'));
    const pkg = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('upgrade-gate/package.json')), 'utf8'));
    const types = readFileSync(fileURLToPath(new URL(pkg.types, import.meta.resolve('upgrade-gate/package.json'))), 'utf8');
    console.log(JSON.stringify({
      functions: ['verify', 'manifestDigest', 'safeTxHash', 'nestedSafeTxHash', 'timelockOperations', 'governorIds', 'governorProposal', 'decodeCalldata'].filter((f) => typeof gate[f] === 'function'),
      sha: (() => { const h = new gate.Sha256(); h.update(new TextEncoder().encode('abc')); return h.finalize(); })(),
      schema: schema.title,
      typed: types.includes('export function verify(') && types.includes('export function governorIds(') && types.includes('export interface GovernorIds'),
    }));`;
  const r = sh(process.execPath, ['--input-type=module', '-e', probe], app);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.functions, ['verify', 'manifestDigest', 'safeTxHash', 'nestedSafeTxHash', 'timelockOperations', 'governorIds', 'governorProposal', 'decodeCalldata']);
  assert.equal(out.sha, 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(out.schema, 'upgrade-gate/manifest/v1');
  assert.ok(out.typed, 'upgrade_gate.d.ts declares verify');
});
