// The JS boundary (issue 13): the module builds its answers as JS objects in
// Rust (serde-wasm-bindgen), never as JSON text parsed again in JS. Callers
// must see exactly what they saw before: for every example, `verify` gives the
// same plain object as JSON.parse of `upgrade-gate verify --format json`
// (same keys, same value types, same order), and every export answers with
// JSON-compatible values only (no Map, no BigInt, no undefined).
//
// Needs the wasm module (`npm run build`) and the CLI (`cargo build`); `npm test`
// runs it after both.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = join(root, 'www', 'pkg');
const cli = join(root, 'target', 'debug', process.platform === 'win32' ? 'upgrade-gate.exe' : 'upgrade-gate');
let m;

before(async () => {
  assert.ok(existsSync(join(pkg, 'upgrade_gate_bg.wasm')), 'www/pkg/ is not built: run `npm run build` first');
  if (!existsSync(cli)) execFileSync('cargo', ['build', '--bin', 'upgrade-gate'], { cwd: root, stdio: 'inherit' });
  m = await import(pathToFileURL(join(pkg, 'upgrade_gate.js')).href);
  m.initSync({ module: readFileSync(join(pkg, 'upgrade_gate_bg.wasm')) });
});

const sha = (p) => `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
const below = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? below(join(d, n)) : [join(d, n)]));

function cases() {
  const dir = join(root, 'examples');
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'manifest.json')) && existsSync(join(dir, n, 'release.json')))
    .sort()
    .map((name) => {
      const d = join(dir, name);
      const has = (f) => existsSync(join(d, f));
      const text = (f) => (has(f) ? readFileSync(join(d, f), 'utf8') : undefined);
      const observed = {};
      const args = ['verify', '--manifest', 'manifest.json', '--release', 'release.json', '--format', 'json'];
      if (has('package.tar')) (observed.packageHash = sha(join(d, 'package.tar'))), args.push('--package', 'package.tar');
      if (has('package') && statSync(join(d, 'package')).isDirectory()) {
        observed.files = Object.fromEntries(below(join(d, 'package')).map((p) => [relative(join(d, 'package'), p).split(sep).join('/'), sha(p)]));
        args.push('--package-dir', 'package');
      }
      if (has('rollback.tar')) (observed.rollbackPackageHash = sha(join(d, 'rollback.tar'))), args.push('--rollback-package', 'rollback.tar');
      if (has('evidence.json')) (observed.evidenceHash = sha(join(d, 'evidence.json'))), args.push('--evidence', 'evidence.json');
      if (has('approvals.json')) args.push('--approvals', 'approvals.json');
      if (has('policy.json')) args.push('--policy', 'policy.json');
      const now = has('expected.json') ? JSON.parse(text('expected.json')).now : undefined;
      if (now) args.push('--now', now);
      // SPEC §7.5: the evidence text, and the text of each package file a target names as its artifact.
      const artifacts = {};
      // SPEC §10.1: the build infos a target's layout names travel the same way (with a Hardhat 3 output beside).
      const packageFile = (v) => {
        if (has(join('package', v))) artifacts[v] = readFileSync(join(d, 'package', v), 'utf8');
      };
      JSON.parse(text('manifest.json'), (k, v) => {
        if (k === 'artifact' && typeof v === 'string') packageFile(v);
        if ((k === 'previous' || k === 'next') && typeof v === 'string' && v.includes('#')) {
          const path = v.slice(0, v.indexOf('#'));
          packageFile(path);
          packageFile(path.replace(/\.json$/, '.output.json'));
        }
        return v;
      });
      const input = { manifest: text('manifest.json'), release: text('release.json'), approvals: text('approvals.json'), policy: text('policy.json'), now, observed, evidence: text('evidence.json'), artifacts };
      // SPEC §9: a witness case, with the block hash recorded from the node that made it (the test's trusted source).
      if (has('witness.json')) {
        input.witness = text('witness.json');
        input.trustedBlockHash = text('block-hash.txt').trim();
        args.push('--witness', 'witness.json', '--block-hash', input.trustedBlockHash);
      }
      return { name, dir: d, args, input };
    });
}

/** True when `v` survives JSON unchanged: plain objects, arrays, strings, finite numbers, booleans, null. */
function assertJsonCompatible(v, label) {
  assert.deepStrictEqual(v, JSON.parse(JSON.stringify(v)), `${label}: not JSON-compatible`);
}

test('verify gives, for every example, the object JSON.parse gives for the CLI’s --format json', () => {
  const all = cases();
  assert.ok(all.length >= 10, 'the examples are there');
  for (const c of all) {
    const r = spawnSync(cli, c.args, { cwd: c.dir, encoding: 'utf8' });
    assert.ok(r.stdout, `${c.name}: the CLI printed nothing: ${r.stderr}`);
    const fromCli = JSON.parse(r.stdout);
    const fromModule = m.verify(c.input);
    assert.deepStrictEqual(fromModule, fromCli, c.name);
    assert.deepStrictEqual(Object.keys(fromModule), Object.keys(fromCli), `${c.name}: key order`);
    // Documents given as objects are read as the same documents.
    const asObjects = m.verify({ ...c.input, manifest: JSON.parse(c.input.manifest), release: JSON.parse(c.input.release) });
    assert.deepStrictEqual(asObjects, fromModule, `${c.name}: objects`);
  }
});

test('every export answers with JSON-compatible plain values', () => {
  for (const c of cases()) {
    const release = JSON.parse(c.input.release);
    assertJsonCompatible(m.verify(c.input), `${c.name} verify`);
    assertJsonCompatible(m.timelockOperations(c.input.release, c.input.manifest), `${c.name} timelockOperations`);
    if (JSON.parse(c.input.manifest).governance) {
      assertJsonCompatible(m.governorProposal(c.input.manifest, null), `${c.name} governorProposal`);
      assertJsonCompatible(m.governorIds(c.input.manifest, null), `${c.name} governorIds`);
    }
    for (const a of release.actions || []) assertJsonCompatible(m.decodeCalldata(a.data), `${c.name} decodeCalldata`);
    if (release.safeTx) {
      assertJsonCompatible(m.safeTxHash(release.safeTx), `${c.name} safeTxHash`);
      assertJsonCompatible(m.nestedSafeTxHash(release.safeTx, { safe: `0x${'11'.repeat(20)}`, nonce: '4', version: '1.3.0' }), `${c.name} nestedSafeTxHash`);
    }
    if (c.input.approvals) {
      const [first] = JSON.parse(c.input.approvals).approvals;
      if (first) assertJsonCompatible(m.addApproval({ manifest: c.input.manifest, approvals: c.input.approvals, signature: first.signature }), `${c.name} addApproval`);
    }
  }
});

test('a manifest given as text is digested over its text, an object over its JCS value', () => {
  const [c] = cases();
  const value = JSON.parse(c.input.manifest);
  const reordered = `${JSON.stringify(Object.fromEntries(Object.entries(value).reverse()), null, 4)}\n`;
  // RFC 8785: key order and white space do not change the digest; the object's is the same value's.
  assert.equal(m.manifestDigest(reordered), m.manifestDigest(c.input.manifest));
  assert.equal(m.manifestDigest(value), m.manifestDigest(c.input.manifest));
  assert.equal(m.verify({ ...c.input, manifest: reordered }).manifestDigest, m.verify(c.input).manifestDigest);
});

test('input errors still name the field, with line and column for JSON text', () => {
  const [c] = cases();
  assert.throws(() => m.verify({ ...c.input, manifest: '{\n  "schema": ' }), (e) => e instanceof Error && typeof e.field === 'string' && e.line === 2 && typeof e.column === 'number');
  assert.throws(() => m.verify({ ...c.input, now: 'yesterday' }), (e) => e.field === 'now');
});
