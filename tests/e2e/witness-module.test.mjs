// SPEC §9 in the browser: the page's module verifies the anvil examples with
// their witness and the trusted block hash exactly as `upgrade-gate verify
// --witness --block-hash --format json` does (issue 23: "the anvil-made
// examples reproduce their decisions through the CLI and the module").
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, root } from './helpers.mjs';

const sha = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const examples = readdirSync(join(root, 'examples')).filter((n) => existsSync(join(root, 'examples', n, 'witness.json'))).sort();

function files(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split(sep).join('/')] = p;
    }
  };
  walk(dir);
  return out;
}

/** What the page hands the module for this case folder. */
function inputs(name) {
  const dir = join(root, 'examples', name);
  const text = (f) => readFileSync(join(dir, f), 'utf8');
  const manifest = text('manifest.json');
  const paths = files(join(dir, 'package'));
  const named = JSON.parse(manifest).targets.map((t) => t.artifact).filter(Boolean);
  return {
    manifest,
    release: text('release.json'),
    approvals: text('approvals.json'),
    policy: existsSync(join(dir, 'policy.json')) ? text('policy.json') : undefined,
    evidence: text('evidence.json'),
    witness: text('witness.json'),
    trustedBlockHash: text('block-hash.txt').trim(),
    now: JSON.parse(text('expected.json')).now,
    observed: {
      files: Object.fromEntries(Object.entries(paths).map(([p, f]) => [p, sha(readFileSync(f))])),
      rollbackPackageHash: sha(readFileSync(join(dir, 'rollback.tar'))),
    },
    artifacts: Object.fromEntries(named.map((p) => [p, readFileSync(paths[p], 'utf8')])),
  };
}

function cli(name, blockHash) {
  const built = join(root, 'target', 'debug', 'upgrade-gate');
  if (!existsSync(built)) execFileSync('cargo', ['build', '--bin', 'upgrade-gate'], { cwd: root, stdio: 'inherit' });
  const dir = join(root, 'examples', name);
  const args = ['verify', '--manifest', 'manifest.json', '--release', 'release.json', '--approvals', 'approvals.json',
    '--package-dir', 'package', '--rollback-package', 'rollback.tar', '--evidence', 'evidence.json',
    '--witness', 'witness.json', '--block-hash', blockHash, '--now', JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now, '--format', 'json'];
  if (existsSync(join(dir, 'policy.json'))) args.push('--policy', 'policy.json');
  const r = spawnSync(built, args, { cwd: dir, encoding: 'utf8' });
  assert.ok(r.stdout, `upgrade-gate verify printed nothing: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('the module verifies a witness as the CLI does (SPEC §9)', () => {
  const env = browserAndServer();

  async function verify(input) {
    const page = await env.browser.context.newPage();
    await page.goto(env.srv.url + 'pkg/upgrade_gate.d.ts');
    const out = await page.evaluate(async (input) => {
      const m = await import('/pkg/upgrade_gate.js');
      await m.default();
      try {
        return { report: await m.verify(input) };
      } catch (e) {
        return { error: e.message };
      }
    }, input);
    await page.close();
    return out;
  }

  test('there are witness examples to verify', () => {
    assert.ok(examples.length >= 4, examples.join(', '));
  });

  for (const name of examples) {
    test(`${name}: the module's report is the CLI's, and the decision is the expected one`, async () => {
      const input = inputs(name);
      const out = await verify(input);
      assert.equal(out.error, undefined, out.error);
      const expected = JSON.parse(readFileSync(join(root, 'examples', name, 'expected.json'), 'utf8'));
      assert.equal(out.report.decision, expected.decision);
      assert.deepEqual(out.report, cli(name, input.trustedBlockHash));
      assert.equal(out.report.replay.blockHash, input.trustedBlockHash);
    });
  }

  test('another trusted hash fails state.proof in the module as in the CLI', async () => {
    const name = 'anvil-safe-multisend';
    const input = inputs(name);
    const other = `0x${'ab'.repeat(32)}`;
    const out = await verify({ ...input, trustedBlockHash: other });
    assert.equal(out.error, undefined, out.error);
    const proof = out.report.checks.find((c) => c.id === 'state.proof');
    assert.equal(proof.status, 'fail', proof.detail);
    assert.equal(out.report.decision, 'reject');
    assert.deepEqual(out.report, cli(name, other));
  });

  test('without the trusted hash both checks are pending, never a release', async () => {
    const { trustedBlockHash, ...input } = inputs('anvil-safe-multisend');
    const out = await verify(input);
    assert.equal(out.error, undefined, out.error);
    for (const id of ['state.proof', 'simulation.replay']) {
      assert.equal(out.report.checks.find((c) => c.id === id).status, 'pending', id);
    }
    assert.notEqual(out.report.decision, 'release');
  });
});
