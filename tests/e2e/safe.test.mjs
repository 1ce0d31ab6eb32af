// A Safe transaction pasted from the Safe UI or the Safe Transaction Service:
// the page shows the domain hash, message hash and safeTxHash of the
// independently computed vectors in tests/vectors/safe-tx.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, open, root, screenshot, shownHash } from './helpers.mjs';

const file = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'safe-tx.json'), 'utf8'));
const vectors = [...file.vectors, ...(file.nested || [])].filter((v) => v.safeTx && v.expected);

async function shownHashes(page) {
  const rows = page.locator('#safe .hw-row');
  await page.waitForSelector('#safe [data-safe-hashes]');
  const [domainHash, messageHash, safeTxHash] = await Promise.all([0, 1, 2].map((i) => shownHash(rows.nth(i).locator('.hash.big'))));
  const labels = await rows.locator('.hw-label').allTextContents();
  return { labels, hashes: { domainHash, messageHash, safeTxHash } };
}

describe('a pasted Safe transaction', () => {
  const env = browserAndServer();

  test(`shows the hashes of all ${vectors.length} vectors, in hardware-wallet order`, async () => {
    assert.ok(vectors.length >= 3);
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    for (const [i, v] of vectors.entries()) {
      await page.fill('#release', '');
      await page.fill('#release', JSON.stringify(v.safeTx, null, 2));
      await page.waitForFunction((want) => document.querySelector('#safe .hw-row:last-child .hash.big')?.dataset.hash === want, v.expected.safeTxHash);
      const { labels, hashes } = await shownHashes(page);
      assert.deepEqual(labels, ['Domain hash', 'Message hash', 'safeTxHash']);
      assert.deepEqual(hashes, v.expected, v.source);
      if (i === 0) await screenshot(page, '07-safe-tx-pasted');
    }
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a Safe Transaction Service record takes chain id and Safe version from the fields', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    const v = vectors[1];
    const { chainId, safeVersion, ...rest } = v.safeTx;
    // What the Transaction Service serves: no chainId or safeVersion, extra fields.
    const record = { ...rest, safeTxHash: v.expected.safeTxHash, submissionDate: '2025-01-01T00:00:00Z', confirmations: [], isExecuted: false };
    await page.fill('#release', JSON.stringify(record, null, 2));
    await page.waitForSelector('#safe .error-line');
    assert.match(await page.textContent('#safe .error-line'), /chainId/);
    await page.fill('#safe-chain-id', String(chainId));
    await page.fill('#safe-version', safeVersion);
    await page.waitForFunction((want) => document.querySelector('#safe .hw-row:last-child .hash.big')?.dataset.hash === want, v.expected.safeTxHash);
    assert.deepEqual((await shownHashes(page)).hashes, v.expected);
    await screenshot(page, '08-safe-service-record');
    await page.close();
  });

  test('the Safe demo shows the same hashes in its report as the transaction claims', async () => {
    const page = await open(env.browser.context, env.srv.url + '#demo=safe-multisend');
    await page.waitForSelector('#verdict .banner[data-decision="release"]');
    const release = JSON.parse(readFileSync(join(root, 'examples', 'safe-multisend', 'release.json'), 'utf8'));
    const { hashes } = await shownHashes(page);
    assert.equal(hashes.safeTxHash, release.safeTx.safeTxHash);
    assert.equal(await page.getAttribute('tr[data-check="safe.tx"]', 'data-status'), 'pass');
    await page.close();
  });

  test('the Safe transaction of a release can be pasted alone and verified against the manifest', async () => {
    const dir = join(root, 'examples', 'safe-multisend');
    const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'));
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('button[data-case="safe-multisend"]');
    await page.waitForSelector('#verdict .banner[data-decision="release"]');
    // Replace the release by the bare Safe transaction, as copied from the Safe UI.
    await page.fill('#release', JSON.stringify(release.safeTx, null, 2));
    await page.click('#verify');
    await page.waitForSelector('#verdict .banner[data-decision="release"]');
    assert.match(await page.textContent('#safe'), /wrapped in a release/);
    await page.close();
  });
});
