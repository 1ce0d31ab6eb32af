// SPEC §8 Governor proposals in Chromium: every real vector of
// tests/vectors/governor.json through the wasm module's governorIds, on the
// forum card (the ids, the announced id, pasted calldata), and on the page
// (queue calldata pasted as the release and verified like a Safe transaction).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open, root, screenshot, shownHash } from './helpers.mjs';

const { vectors } = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'governor.json'), 'utf8'));
const example = (f) => join(root, 'examples', 'governor-timelock', f);

/** Runs the CLI (built by `cargo test`; built here if missing). */
function cli(...args) {
  const bin = join(root, 'target', 'debug', 'upgrade-gate');
  const r = existsSync(bin)
    ? spawnSync(bin, args, { encoding: 'utf8' })
    : spawnSync('cargo', ['run', '--quiet', '--bin', 'upgrade-gate', '--', ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// A plain ABI encoder for the test (the page and the CLI use alloy's): the CLI
// accepts only canonical encodings, so it vouches for this one too.
const word = (hex) => hex.padStart(64, '0');
const uint = (n) => word(BigInt(n).toString(16));
const bytes = (hex) => uint(hex.length / 2) + hex.padEnd(Math.ceil(hex.length / 64) * 64, '0');
const list = (parts) => {
  let offset = parts.length * 32;
  const heads = parts.map((p) => {
    const h = uint(offset);
    offset += p.length / 2;
    return h;
  });
  return uint(parts.length) + heads.join('') + parts.join('');
};
/** propose(address[],uint256[],bytes[],string) with `description` text, or queue/execute with `descriptionHash`. */
function calldata(fn, v, { description, descriptionHash } = {}) {
  const selector = { propose: '7d5e81e2', queue: '160cbed7', execute: '2656227d' }[fn];
  const targets = uint(v.targets.length) + v.targets.map((t) => word(t.slice(2).toLowerCase())).join('');
  const values = uint(v.values.length) + v.values.map(uint).join('');
  const datas = list(v.calldatas.map((c) => bytes(c.slice(2))));
  const tail = [targets, values, datas];
  let offset = 4 * 32;
  const heads = tail.map((t) => {
    const h = uint(offset);
    offset += t.length / 2;
    return h;
  });
  if (fn === 'propose') {
    heads.push(uint(offset));
    tail.push(bytes(Buffer.from(description, 'utf8').toString('hex')));
  } else heads.push(descriptionHash.slice(2));
  return `0x${selector}${heads.join('')}${tail.join('')}`;
}

const args = (v) => ({ targets: v.targets, values: v.values, calldatas: v.calldatas, ...(v.description !== undefined ? { description: v.description } : { descriptionHash: v.descriptionHash }) });

/** The governor-timelock example's manifest with a vector's calls and governance. */
function manifestOf(v, proposalId = v.proposalId) {
  const m = JSON.parse(readFileSync(example('manifest.json'), 'utf8'));
  m.actions = v.targets.map((to, i) => ({ to, value: v.values[i], data: v.calldatas[i], operation: 'call' }));
  m.governance = { governor: v.governor, descriptionHash: v.descriptionHash, proposalId, timelock: v.timelock };
  return m;
}

describe('Governor proposals (SPEC §8)', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-governance-' });

  test(`the module's governorIds reproduces the published ids of all ${vectors.length} vectors`, async () => {
    assert.ok(vectors.length >= 1);
    // The governance card's module (the plain card's has no Governor reader).
    const page = await open(env.browser.context, env.srv.url + 'embed-governance.html');
    for (const v of vectors) {
      const inputs = [
        [JSON.stringify(args(v)), { governor: v.governor }],
        [calldata('queue', v, { descriptionHash: v.descriptionHash }), { governor: v.governor }],
        [calldata('execute', v, { descriptionHash: v.descriptionHash }), null],
        [JSON.stringify(manifestOf(v)), null],
      ];
      if (v.description !== undefined) inputs.push([calldata('propose', v, { description: v.description }), { governor: v.governor }]);
      for (const [input, options] of inputs) {
        const ids = await page.evaluate(([i, o]) => UpgradeGate.api().governorIds(i, o), [input, options]);
        assert.equal(ids.proposalId, v.proposalId, v.name);
        assert.equal(ids.proposalIdHex, v.proposalIdHex, v.name);
        assert.equal(ids.descriptionHash, v.descriptionHash, v.name);
        assert.deepEqual(Object.keys(ids), ['proposalId', 'proposalIdHex', 'descriptionHash', 'timelockOperationId', 'timelockOperationIdLegacy']);
      }
      // The same ids as `upgrade-gate governor --format json` (timelock ids included).
      const file = join(env.tmp, 'args.json');
      writeFileSync(file, JSON.stringify(args(v)));
      const fromCli = JSON.parse(cli('governor', file, '--governor', v.governor, '--format', 'json'));
      assert.deepEqual(await page.evaluate(([i, o]) => UpgradeGate.api().governorIds(i, o), [JSON.stringify(args(v)), { governor: v.governor }]), fromCli);
    }
    // Bad input throws an Error that names the field, never traps.
    const bad = await page.evaluate(() => {
      const out = [];
      for (const input of ['0x12345678', '0x160cbed7ff', '{"targets": [], "values": [], "calldatas": [], "descriptionHash": "0x12"}']) {
        try {
          UpgradeGate.api().governorIds(input, null);
          out.push('no error');
        } catch (e) {
          out.push(e instanceof WebAssembly.RuntimeError ? 'trap' : e.message);
        }
      }
      return out;
    });
    assert.match(bad[0], /calldata/);
    assert.match(bad[1], /calldata/);
    assert.match(bad[2], /descriptionHash/);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test(`the card shows the ids of every vector's manifest and checks pasted calldata`, async () => {
    for (const [i, v] of vectors.entries()) {
      const file = join(env.tmp, `manifest-${i}.json`);
      writeFileSync(file, JSON.stringify(manifestOf(v), null, 2));
      const page = await open(env.browser.context, cli('embed-link', file, '--base', env.srv.url));
      await page.setViewportSize({ width: 600, height: 700 });
      await page.waitForSelector('[data-governance]');
      assert.equal(await page.getAttribute('.gov-id[data-proposal-id]', 'data-proposal-id'), v.proposalId, v.name);
      assert.equal(await page.textContent('.gov-id[data-proposal-id]'), v.proposalId);
      assert.equal(await page.getAttribute('[data-governance]', 'data-declared'), 'match', v.name);
      const ids = JSON.parse(cli('governor', file, '--format', 'json'));
      assert.equal(await shownHash(page.locator('[data-timelock-id] .hash')), ids.timelockOperationId);
      assert.equal(await shownHash(page.locator('[data-timelock-legacy] .hash')), ids.timelockOperationIdLegacy);
      const shown = await page.locator('[data-governance] .hash').evaluateAll((ns) => ns.map((n) => n.dataset.hash));
      assert.ok(shown.includes(v.proposalIdHex) && shown.includes(v.governor), v.name);
      // The queue call voters later see: the manifest's proposal.
      await page.fill('#governor-calldata', calldata('queue', v, { descriptionHash: v.descriptionHash }));
      await page.waitForSelector('[data-proposal-match="match"]');
      if (i === 0) await screenshot(page, '20-embed-governor-proposal');
      // Another description: not this proposal, and the card says which part differs.
      await page.fill('#governor-calldata', calldata('execute', v, { descriptionHash: `0x${'00'.repeat(32)}` }));
      await page.waitForSelector('[data-proposal-match="differs"]');
      assert.match(await page.textContent('[data-proposal-match]'), /NOT this manifest’s proposal[\s\S]*description hash/);
      // Another proposal's id is labelled so, and not drawn like the manifest's.
      assert.match(await page.textContent('[data-proposal-match]'), /Its proposal id \(another proposal\)/);
      assert.equal(await page.locator('[data-proposal-match] .gov-id').count(), 0);
      await page.fill('#governor-calldata', '0x160cbed7');
      await page.waitForSelector('[data-proposal-match="error"]');
      assert.deepEqual(await page.problems(), []);
      await page.close();
    }
  });

  test('the plain card shows the ids from the report, and links to the governance card for pasted calldata', async () => {
    const v = vectors[0];
    const file = join(env.tmp, 'plain.json');
    writeFileSync(file, JSON.stringify(manifestOf(v), null, 2));
    const link = cli('embed-link', file, '--base', env.srv.url);
    assert.match(link, /\/embed-governance\.html#manifest=/, 'embed-link sends a proposal to the governance card');
    // The same manifest on the plain card (a link written by hand).
    const page = await open(env.browser.context, link.replace('/embed-governance.html#', '/embed.html#'));
    await page.waitForSelector('[data-governance]');
    assert.equal(await page.getAttribute('.gov-id[data-proposal-id]', 'data-proposal-id'), v.proposalId);
    assert.equal(await page.getAttribute('[data-governance]', 'data-declared'), 'match');
    assert.equal(await page.evaluate(() => typeof UpgradeGate.api().governorProposal), 'undefined', 'the plain card carries no Governor reader');
    assert.equal(await page.locator('#governor-calldata').count(), 0);
    assert.equal(await page.textContent('#module-kind'), 'of the forum card ');
    const href = await page.getAttribute('[data-governor-paste="elsewhere"] a', 'href');
    assert.equal(new URL(href).pathname, '/embed-governance.html');
    assert.equal(new URL(href).hash, new URL(link).hash, 'the same manifest');
    await page.click('[data-governor-paste="elsewhere"] a');
    await page.waitForSelector('body[data-ready=""]');
    await page.fill('#governor-calldata', calldata('queue', v, { descriptionHash: v.descriptionHash }));
    await page.waitForSelector('[data-proposal-match="match"]');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a paste box result never stays beside other text, and says what it assumed', async () => {
    const v = vectors[0];
    const file = join(env.tmp, 'stale.json');
    writeFileSync(file, JSON.stringify(manifestOf(v, '1234'), null, 2));
    const page = await open(env.browser.context, cli('embed-link', file, '--base', env.srv.url));
    await page.waitForSelector('#governor-calldata');
    const right = calldata('queue', v, { descriptionHash: v.descriptionHash });
    await page.fill('#governor-calldata', right);
    await page.waitForSelector('[data-proposal-match="match"]');
    // The calls are the manifest's, but the id it announces (1234) is not theirs: both are said.
    assert.equal(await page.getAttribute('[data-proposal-match="match"]', 'data-announced'), 'mismatch');
    assert.match(await page.textContent('[data-proposal-match]'), /the manifest announces another proposal id, not this one/);
    assert.match(await page.textContent('[data-proposal-match]'), /^✗ This queue call carries this manifest’s calls, but NOT the proposal id it announces/);
    assert.equal(await page.getAttribute('[data-proposal-match]', 'class'), 'eresult fail', 'not shown as a pass');
    // Calldata names no Governor: the ids are said to be the manifest's Governor's.
    assert.match(await page.textContent('[data-proposal-match]'), /Ids for the Governor/);
    // One keystroke later the old answer is gone, before the new one is computed.
    const afterKey = await page.evaluate(() => {
      const box = document.querySelector('#governor-calldata');
      box.value = box.value.slice(0, -1) + (box.value.endsWith('0') ? '1' : '0');
      box.dispatchEvent(new Event('input', { bubbles: true }));
      const shown = document.querySelector('[data-proposal-match]');
      return shown && shown.getAttribute('data-proposal-match');
    });
    assert.equal(afterKey, 'checking');
    await page.waitForSelector('[data-proposal-match="differs"], [data-proposal-match="error"]');
    // Text that is neither calldata nor JSON: what to paste, not what a JSON parser expected.
    await page.fill('#governor-calldata', 'hello world');
    await page.waitForSelector('[data-proposal-match="error"]');
    assert.match(await page.textContent('[data-proposal-match="error"]'), /Paste the propose, queue or execute calldata \(0x…\) or the hashProposal arguments as JSON/);
    // The footer says which card's module this is.
    assert.equal(await page.textContent('#module-kind'), 'of the governance card ');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the card shows an announced id that is not the computed one as a MISMATCH', async () => {
    const file = join(env.tmp, 'mismatch.json');
    writeFileSync(file, JSON.stringify(manifestOf(vectors[0], '42'), null, 2));
    const page = await open(env.browser.context, cli('embed-link', file, '--base', env.srv.url));
    await page.waitForSelector('[data-governance]');
    assert.equal(await page.getAttribute('[data-governance]', 'data-declared'), 'mismatch');
    assert.match(await page.textContent('[data-governance]'), /MISMATCH: the manifest announces 42/);
    assert.equal(await page.getAttribute('.gov-id', 'data-proposal-id'), vectors[0].proposalId, 'the computed id is still shown');
    await screenshot(page, '21-embed-governor-mismatch');
    await page.close();
  });

  test('queue calldata pasted as the release is verified against the manifest like a Safe transaction', async () => {
    const page = await open(env.browser.context, env.srv.url + '#demo=governor-timelock');
    assert.equal(await decision(page), 'release');
    await page.waitForSelector('#details [data-governance][data-declared="match"]');
    const m = JSON.parse(readFileSync(example('manifest.json'), 'utf8'));
    assert.equal(await page.getAttribute('#details .gov-id', 'data-proposal-id'), m.governance.proposalId);
    const v = {
      targets: m.actions.map((a) => a.to),
      values: m.actions.map((a) => a.value),
      calldatas: m.actions.map((a) => a.data),
    };
    await page.fill('#release', calldata('queue', v, { descriptionHash: m.governance.descriptionHash }));
    await page.waitForSelector('#governor-preview [data-proposal-match="match"]');
    // Edited: the preview of the old text goes at the keystroke, not when typing pauses.
    const afterKey = await page.evaluate(() => {
      const box = document.querySelector('#release');
      box.value += '00';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      return document.querySelectorAll('#governor-preview [data-proposal-match="match"]').length;
    });
    assert.equal(afterKey, 0);
    await page.fill('#release', calldata('queue', v, { descriptionHash: m.governance.descriptionHash }));
    await page.waitForSelector('#governor-preview [data-proposal-match="match"]');
    assert.match(await page.textContent('#release-kind'), /Governor/);
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    await screenshot(page, '22-page-governor-calldata');
    // Calldata with another call: the preview says so and the gate rejects.
    const other = { ...v, values: ['1'] };
    await page.fill('#release', calldata('execute', other, { descriptionHash: m.governance.descriptionHash }));
    await page.waitForSelector('#governor-preview [data-proposal-match="differs"]');
    assert.match(await page.textContent('#governor-preview'), /call 0 sends 1 wei/);
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });
});
