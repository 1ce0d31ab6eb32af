// Issue 21 item 18: the initializer an upgradeToAndCall runs in the proxy,
// which the gate itself does not decode, is shown named and decoded from the
// package artifact's ABI (the signature and values computed here from the
// artifact and the release), its class the gate's; the raw words stay, folded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { browserAndServer, decision, open, root } from './helpers.mjs';

const name = 'effects-uups-immutables';
const dir = join(root, 'examples', name);
const json = (p) => JSON.parse(readFileSync(join(dir, p), 'utf8'));

/** The inner call's function in the artifact's ABI and its uint arguments, from the files. */
function expected() {
  const manifest = json('manifest.json');
  const artifact = manifest.targets[0].artifact;
  const data = Buffer.from(json('release.json').actions[0].data.slice(2), 'hex');
  const len = Number(BigInt(`0x${data.subarray(4 + 64, 4 + 96).toString('hex')}`));
  const inner = data.subarray(4 + 96, 4 + 96 + len);
  const fns = json(join('package', artifact)).abi.filter((f) => f.type === 'function');
  const f = fns.map((f) => ({ sig: `${f.name}(${f.inputs.map((i) => i.type).join(',')})`, inputs: f.inputs })).find((f) => Buffer.from(keccak_256(f.sig)).subarray(0, 4).equals(inner.subarray(0, 4)));
  assert.ok(f, 'the ABI has the initializer');
  const values = f.inputs.map((_, i) => BigInt(`0x${inner.subarray(4 + 32 * i, 36 + 32 * i).toString('hex')}`).toString());
  return { artifact, signature: f.sig, names: f.inputs.map((i) => i.name), values, selector: `0x${inner.subarray(0, 4).toString('hex')}` };
}

describe('a call the gate does not decode, named from the package artifact’s ABI', () => {
  const env = browserAndServer();

  test('the demo case: the initializer named and decoded, class unchanged, raw words folded', async () => {
    const want = expected();
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.click(`#demo-variants button[data-case="${name}"]`);
    assert.equal(await decision(page), json('expected.json').decision);
    const inner = page.locator('.call .inner .call').first();
    assert.equal(await inner.locator('.fn code').textContent(), want.signature);
    assert.doesNotMatch(await inner.locator('.fn').textContent(), /unknown function/);
    const from = inner.locator('[data-from-abi]');
    assert.equal(await from.getAttribute('data-from-abi'), want.signature);
    assert.ok((await from.textContent()).includes(want.artifact));
    for (const [i, n] of want.names.entries()) assert.equal(await from.locator(`dd[data-arg="${n}"]`).textContent(), want.values[i], n);
    // The class is the gate's, and the words as sent are still there, folded.
    assert.ok((await from.textContent()).includes(`class (${await inner.getAttribute('data-call-class')})`));
    assert.equal(await inner.locator('details[data-words]').evaluate((d) => d.open), false);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });
});
