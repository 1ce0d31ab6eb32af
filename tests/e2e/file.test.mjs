// Saved to disk and opened from file://: no server at all.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decision, fileUrl, launch, open, root, screenshot, shownHash } from './helpers.mjs';

describe('from file://', () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page loads the demo and verifies it, with no request after load', async () => {
    const page = await open(browser.context, fileUrl('offline.html'));
    const late = [];
    page.on('request', (r) => late.push(r.url()));
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.click('button[data-case="tampered-package-byte"]');
    assert.equal(await decision(page), 'reject');
    await page.click('button[data-case="tampered-folder-extra-file"]');
    assert.equal(await decision(page), 'reject');
    assert.equal(await page.getAttribute('tr[data-check="package.files"]', 'data-status'), 'fail');
    assert.deepEqual(late, []);
    await screenshot(page, '11-file-url-folder-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a pasted Safe transaction is hashed', async () => {
    const v = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'safe-tx.json'), 'utf8')).vectors[0];
    const page = await open(browser.context, fileUrl('offline.html'));
    await page.fill('#release', JSON.stringify(v.safeTx));
    await page.waitForSelector('#safe [data-safe-hashes]');
    assert.equal(await shownHash(page.locator('#safe .hw-row').nth(2).locator('.hash.big')), v.expected.safeTxHash);
    await page.close();
  });

  test('the embed card works too', async () => {
    const manifest = readFileSync(join(root, 'examples', 'standard-transparent', 'manifest.json'), 'utf8');
    const page = await open(browser.context, `${fileUrl('offline-embed.html')}#manifest=${encodeURIComponent(JSON.stringify(JSON.parse(manifest)))}`);
    await page.setInputFiles('#file-picker', join(root, 'examples', 'standard-transparent', 'package.tar'));
    await page.waitForSelector('[data-package]');
    assert.equal(await page.getAttribute('[data-package]', 'data-package'), 'pass');
    await page.close();
  });
});
