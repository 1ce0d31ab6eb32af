// The forum cards' modules (feature `wasm-card`, www/pkg/card/, and `wasm-governor`,
// www/pkg/card-governance/) give the same
// report as the page's module (www/pkg/) for what the card passes: every
// example's manifest, release, approvals and policy with the hashes the
// approver's machine takes, never `evidence` or `artifacts` (www/embed.js).
// The card's build makes the SPEC §7 readers unreachable so that the linker
// drops them (src/gate/case.rs); this holds that it changed no check's
// status or detail, nor any other field of the report, nor an input error.
// Both modules run in Node here: the same wasm the browser compiles.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { before, describe, test } from 'node:test';
import { root, www } from './helpers.mjs';

const examples = join(root, 'examples');
// The cards' modules (scripts/build.mjs CARDS): the plain card's, and the governance card's with §8's reader.
const CARD_MODULES = ['card', 'card-governance'];
const cases = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'manifest.json'))).sort();

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function filesBelow(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

/** The card's input for an example: documents as text, the hashes it would take. */
function input(name) {
  const file = (f) => join(examples, name, f);
  const text = (f) => (existsSync(file(f)) ? readFileSync(file(f), 'utf8') : undefined);
  const observed = {};
  if (existsSync(file('package.tar'))) observed.packageHash = sha256(readFileSync(file('package.tar')));
  if (existsSync(file('package')) && statSync(file('package')).isDirectory()) {
    observed.files = Object.fromEntries(filesBelow(file('package')).map((p) => [relative(file('package'), p).split(sep).join('/'), sha256(readFileSync(p))]));
  }
  if (existsSync(file('rollback.tar'))) observed.rollbackPackageHash = sha256(readFileSync(file('rollback.tar')));
  // A hash of the evidence without its text: the evidence counts as not supplied for §7.
  if (existsSync(file('evidence.json'))) observed.evidenceHash = sha256(readFileSync(file('evidence.json')));
  const expected = text('expected.json') ? JSON.parse(text('expected.json')) : {};
  return {
    manifest: text('manifest.json'),
    release: text('release.json'),
    approvals: text('approvals.json'),
    policy: text('policy.json'),
    now: expected.now || '2026-01-01T00:00:00Z',
    observed,
  };
}

/** A report, or the input error's message and fields: what a caller can see. */
function outcome(api, args) {
  try {
    return { report: api.verify(args) };
  } catch (e) {
    return { error: { message: e.message, field: e.field, line: e.line, column: e.column } };
  }
}

for (const cardName of CARD_MODULES) describe(`the ${cardName} module verifies as the page's does (without evidence or artifacts)`, () => {
  let page;
  let card;
  before(async () => {
    page = await import(join(www, 'pkg', 'upgrade_gate.js'));
    page.initSync({ module: readFileSync(join(www, 'pkg', 'upgrade_gate_bg.wasm')) });
    // The card's glue is a classic script that defines `wasm_bindgen`.
    const glue = readFileSync(join(www, 'pkg', cardName, 'upgrade_gate_classic.js'), 'utf8');
    card = new Function(`${glue}\nreturn wasm_bindgen;`)();
    card.initSync({ module: readFileSync(join(www, 'pkg', cardName, 'upgrade_gate_bg.wasm')) });
  });

  test(`the same report for each of the ${cases.length} examples`, () => {
    assert.ok(cases.length >= 20, `only ${cases.length} examples found`);
    for (const name of cases) {
      const args = input(name);
      const fromPage = outcome(page, args);
      assert.ok(fromPage.report, `${name}: the page's module refused it: ${fromPage.error?.message}`);
      assert.deepEqual(outcome(card, args), fromPage, name);
      assert.equal(fromPage.report.effects, undefined, `${name}: no effects without a state diff`);
    }
  });

  test('the same input errors', () => {
    const args = input('standard-transparent');
    for (const broken of [
      { ...args, manifest: '{"schema": "upgrade-gate/manifest/v1",' },
      { ...args, release: '{}' },
      { ...args, observed: { ...args.observed, evidenceHash: 'sha256:00' } },
      { ...args, now: 'yesterday' },
    ]) {
      const fromPage = outcome(page, broken);
      assert.ok(fromPage.error, 'the page accepted a broken input');
      assert.deepEqual(outcome(card, broken), fromPage);
    }
  });

  test("the card's module refuses evidence, artifacts and a witness rather than ignore them", () => {
    const args = input('effects-beacon');
    const witness = readFileSync(join(examples, 'anvil-safe-multisend', 'witness.json'), 'utf8');
    for (const extra of [{ evidence: readFileSync(join(examples, 'effects-beacon', 'evidence.json'), 'utf8') }, { artifacts: { 'a.json': '{}' } }, { witness }, { trustedBlockHash: `0x${'ab'.repeat(32)}` }]) {
      const name = Object.keys(extra)[0];
      assert.throws(() => card.verify({ ...args, ...extra }), new RegExp(`^Error: ${name}: the forum card's module does not read evidence, artifacts or a witness`));
      if (name === 'trustedBlockHash') continue; // a hash alone is the page's input error: no witness to prove
      assert.ok(page.verify({ ...args, ...extra }).checks, `the page's module reads ${name}`);
    }
  });

  test('the Governor tools only where the governance card needs them, with the page module’s answers', () => {
    if (cardName === 'card') {
      assert.equal(card.governorProposal, undefined);
      assert.equal(card.governorIds, undefined);
      return;
    }
    const manifest = readFileSync(join(examples, 'governor-timelock', 'manifest.json'), 'utf8');
    assert.deepEqual(card.governorProposal(manifest, null), page.governorProposal(manifest, null));
    assert.deepEqual(card.governorIds(manifest, null), page.governorIds(manifest, null));
    assert.throws(() => card.governorIds('0x160cbed7', null), /calldata/);
  });
});
