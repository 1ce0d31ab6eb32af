// Issue 6 on the page: a Safe Transaction Builder batch file where the release
// goes (read through the core's fromTxBuilder), and the nested-Safe form (the
// owner Safe's approveHash transaction, from the core's nestedSafeTxHash),
// checked against the published vectors of tests/vectors/safe-tx.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { browserAndServer, decision, open, root, screenshot, shownHash } from './helpers.mjs';

const vectorsFile = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'safe-tx.json'), 'utf8'));
const byHash = (h) => vectorsFile.vectors.find((v) => v.expected && v.expected.safeTxHash === h);
const batchPath = join(root, 'tests', 'fixtures', 'formats', 'tx-builder', 'multisend-vector.json');
// pcaversaccio/safe-tx-hashes-util README --simulate example: Safe 0x5EA1…C332, chain 1, Safe 1.4.1, nonce 6.
const MULTISEND_VECTOR = '0x27a0c4abf624b15b776f544a4b31ed4d50dee2b677c6497fbadf4f7a73be705e';

async function hashesIn(page, scope) {
  await page.waitForSelector(`${scope} [data-safe-hashes]`);
  const rows = page.locator(`${scope} [data-safe-hashes] .hw-row`);
  const [domainHash, messageHash, safeTxHash] = await Promise.all([0, 1, 2].map((i) => shownHash(rows.nth(i).locator('.hash.big'))));
  return { domainHash, messageHash, safeTxHash };
}

describe('issue 6 formats on the page', () => {
  const env = browserAndServer();

  test('a Safe Transaction Builder batch file is read as the MultiSendCallOnly Safe transaction and verified', async () => {
    const vector = byHash(MULTISEND_VECTOR);
    assert.ok(vector, 'the multisend vector is in tests/vectors/safe-tx.json');
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    // A manifest to verify against (the Safe demo's): the page must verify as usual.
    await page.fill('#manifest', readFileSync(join(root, 'examples', 'safe-multisend', 'manifest.json'), 'utf8'));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('.slot[data-slot="release"] [data-open]')]);
    await chooser.setFiles(batchPath);
    await page.waitForFunction(() => /Safe Transaction Builder batch: 2 transactions/.test(document.querySelector('#release-kind').textContent));
    assert.match(await page.textContent('#release-kind'), /give the Safe version, the nonce/);
    await page.fill('#safe-version', '1.4.1');
    await page.fill('#safe-nonce', '6');
    await page.waitForFunction((want) => document.querySelector('#safe .hw-row:last-child .hash.big')?.dataset.hash === want, MULTISEND_VECTOR);
    assert.deepEqual(await hashesIn(page, '#safe'), vector.expected);
    const kind = await page.textContent('#release-kind');
    assert.match(kind, /^Read as a Safe Transaction Builder batch: 2 transactions, turned into the Safe transaction/);
    assert.match(kind, /MultiSendCallOnly delegatecall/);
    await page.click('#verify');
    const word = await decision(page);
    assert.notEqual(word, 'error');
    // The report's Safe panel: the same hashes, computed by verify.
    await page.waitForSelector('#safe [data-batch-note]');
    // Under a REJECT the hashes are folded away, to recognise the transaction, not to sign (issue 21).
    if (word === 'reject') await page.click('#safe details.rejected-hashes summary');
    assert.deepEqual(await hashesIn(page, '#safe'), vector.expected);
    assert.match(await page.textContent('#safe [data-batch-note]'), /Safe Transaction Builder batch: 2 transactions/);
    await screenshot(page, '20-tx-builder-batch');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  for (const [i, nested] of vectorsFile.nested.entries()) {
    test(`the nested-Safe form reproduces nested vector ${i + 1} (${nested.source.split(' ')[0]})`, async () => {
      const outer = byHash(nested.nestedOf.safeTxHash);
      assert.ok(outer, 'its outer transaction is a vector too');
      const page = await open(env.browser.context, env.srv.url + '?nodemo');
      assert.equal(await page.isHidden('#nested'), true, 'no form before a Safe release');
      await page.fill('#release', JSON.stringify(outer.safeTx, null, 2));
      await page.waitForSelector('#nested:not([hidden])');
      await page.fill('#nested-safe', nested.safeTx.safe);
      await page.fill('#nested-nonce', String(nested.safeTx.nonce));
      await page.fill('#nested-version', nested.safeTx.safeVersion);
      await page.waitForFunction((want) => document.querySelector('#nested-out .hw-row:last-child .hash.big')?.dataset.hash === want, nested.expected.safeTxHash);
      assert.deepEqual(await hashesIn(page, '#nested-out'), nested.expected);
      // The outer panel is unchanged; the approveHash call carries the outer safeTxHash.
      assert.equal((await hashesIn(page, '#safe')).safeTxHash, nested.nestedOf.safeTxHash);
      assert.ok((await page.textContent('#nested-out')).includes(nested.safeTx.data));
      if (i === 0) await screenshot(page, '21-nested-safe');
      assert.deepEqual(await page.problems(), []);
      await page.close();
    });
  }
});
