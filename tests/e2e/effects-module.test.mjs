// SPEC §7.5 in the browser: the module's verify reads a state-diff evidence
// text and the artifacts a target names, as the page will hand them over.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, root } from './helpers.mjs';

const example = join(root, 'examples', 'folder-package');
const ARTIFACT = 'out/GovernanceTokenV2.sol/GovernanceTokenV2.json';
const IMPL_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
const sha = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const word = (address) => `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;

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

/** The folder-package example with an artifact named and the evidence its upgrade produces. */
function inputs({ onchain } = {}) {
  const manifest = JSON.parse(readFileSync(join(example, 'manifest.json'), 'utf8'));
  const target = manifest.targets[0];
  target.artifact = ARTIFACT;
  const paths = files(join(example, 'package'));
  const observed = { files: Object.fromEntries(Object.entries(paths).map(([p, f]) => [p, sha(readFileSync(f))])) };
  const artifactText = readFileSync(paths[ARTIFACT], 'utf8');
  const runtime = JSON.parse(artifactText).deployedBytecode.object;
  const evidence = JSON.stringify({
    schema: 'upgrade-gate/evidence/v1',
    chainId: manifest.chainId,
    stateDiff: {
      pre: { [target.proxy]: { balance: '0x0', storage: { [IMPL_SLOT]: word('0x1111111111111111111111111111111111111111') } } },
      post: { [target.proxy]: { storage: { [IMPL_SLOT]: word(target.implementation) } } },
    },
    code: { [target.implementation]: onchain ?? runtime },
  });
  manifest.simulation.evidenceHash = sha(Buffer.from(evidence, 'utf8'));
  return {
    manifest: JSON.stringify(manifest),
    release: readFileSync(join(example, 'release.json'), 'utf8'),
    approvals: readFileSync(join(example, 'approvals.json'), 'utf8'),
    now: JSON.parse(readFileSync(join(example, 'expected.json'), 'utf8')).now,
    observed,
    evidence,
    artifacts: { [ARTIFACT]: artifactText },
    runtime,
  };
}

describe('the module reads state-diff evidence and artifacts', () => {
  const env = browserAndServer();

  async function verify(input) {
    const page = await env.browser.context.newPage();
    await page.goto(env.srv.url + 'pkg/upgrade_gate.d.ts');
    const out = await page.evaluate(async (input) => {
      const m = await import('/pkg/upgrade_gate.js');
      await m.default();
      try {
        const r = m.verify(input);
        const check = (id) => r.checks.find((c) => c.id === id);
        return { effects: check('simulation.effects'), code: check('implementation.code'), evidence: check('simulation.evidence'), extension: r.effects, binding: r.implementationCode, ids: r.checks.map((c) => c.id) };
      } catch (e) {
        return { error: e.message, field: e.field };
      }
    }, input);
    await page.close();
    return out;
  }

  test('a state diff and a matching artifact pass both checks', async () => {
    const { runtime, ...input } = inputs();
    const out = await verify(input);
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.ids.length, 19);
    assert.deepEqual(out.ids.slice(8, 11), ['simulation.evidence', 'simulation.effects', 'implementation.code']);
    assert.equal(out.effects.status, 'pass', out.effects.detail);
    assert.equal(out.code.status, 'pass', out.code.detail);
    assert.equal(out.evidence.status, 'pass', out.evidence.detail);
    assert.equal(out.extension.accounts[0].role, 'targetProxy');
    assert.equal(out.extension.accounts[0].changes[0].name, 'ERC-1967 implementation');
    assert.equal(out.binding[0].result, 'exact');
    assert.ok(runtime.length > 2);
  });

  test('code that differs by one byte fails, and so does an artifact whose text is not the hashed file', async () => {
    const base = inputs();
    const last = base.runtime.slice(-2) === '00' ? '01' : '00';
    const { runtime, ...input } = inputs({ onchain: base.runtime.slice(0, -2) + last });
    let out = await verify(input);
    assert.equal(out.code.status, 'fail', out.code.detail);
    assert.ok(runtime);
    const { runtime: _r, ...tampered } = inputs();
    tampered.artifacts = { [ARTIFACT]: tampered.artifacts[ARTIFACT] + ' ' };
    out = await verify(tampered);
    assert.equal(out.code.status, 'fail', out.code.detail);
    assert.match(out.code.detail, /hashes to/);
  });

  test('a named artifact missing from artifacts is pending; a hash without the evidence text skips effects', async () => {
    const { runtime: _r, ...input } = inputs();
    input.artifacts = {};
    let out = await verify(input);
    assert.equal(out.code.status, 'pending', out.code.detail);
    const { runtime: _s, evidence, ...hashOnly } = inputs();
    hashOnly.observed = { ...hashOnly.observed, evidenceHash: sha(Buffer.from(evidence, 'utf8')) };
    out = await verify(hashOnly);
    assert.equal(out.effects.status, 'skip', out.effects.detail);
    assert.equal(out.code.status, 'pending', out.code.detail);
  });

  test('the evidence text and a disagreeing observed hash are an input error', async () => {
    const { runtime: _r, ...input } = inputs();
    input.observed = { ...input.observed, evidenceHash: sha(Buffer.from('other')) };
    const out = await verify(input);
    assert.match(out.error ?? '', /evidenceHash/);
    assert.equal(out.field, 'evidenceHash');
  });

  test('a malformed state diff is an input error naming the field', async () => {
    const { runtime: _r, ...input } = inputs();
    input.evidence = input.evidence.replace(/"balance":"0x0"/, '"balance":"zero"');
    const out = await verify(input);
    assert.match(out.error ?? '', /^evidence field `stateDiff\.pre\.0x[0-9a-fA-F]{40}\.balance`/);
  });
});
