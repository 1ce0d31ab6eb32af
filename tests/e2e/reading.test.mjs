// The page where people read it (issue 17): it starts without crypto.subtle,
// the verdict is in view after Verify at every width, hashes wrap on a phone,
// the inputs stay on their rows at 1400 px, and errors speak the page's language.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open, root, screenshot } from './helpers.mjs';

const examples = join(root, 'examples');
const read = (c, f) => readFileSync(join(examples, c, f), 'utf8');

describe('the page where people read it', () => {
  const env = browserAndServer();

  test('the page starts and verifies outside a secure context (no crypto.subtle)', async () => {
    const page = await env.browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      delete Crypto.prototype.subtle;
    });
    // The demo buttons are off until the module is there.
    await page.goto(env.srv.url + '?nodemo');
    await page.waitForSelector('body[data-ready]');
    assert.equal(await page.getAttribute('body', 'data-ready'), '', await page.textContent('#verdict'));
    assert.equal(await page.evaluate(() => typeof crypto.subtle), 'undefined');
    assert.match(await page.getAttribute('#wasm-hash', 'data-wasm-sha256'), /^sha256:[0-9a-f]{64}$/);
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the demo buttons stay disabled until the module has started', async () => {
    const page = await env.browser.context.newPage();
    // Hold the module back: the demo data arrives first.
    await page.addInitScript(() => {
      const real = WebAssembly.compile;
      WebAssembly.compile = (b) => new Promise((r) => setTimeout(() => r(real(b)), 1500));
    });
    await page.goto(env.srv.url + '?nodemo');
    await page.waitForFunction(() => document.querySelectorAll('#demo-variants button').length > 0);
    assert.equal(await page.evaluate(() => document.body.hasAttribute('data-ready')), false);
    assert.equal(await page.isDisabled('#load-demo'), true);
    assert.equal(await page.isDisabled('#demo-variants button'), true);
    await page.waitForSelector('body[data-ready]');
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.close();
  });

  for (const [width, height] of [[1920, 1080], [1280, 800], [390, 844]]) {
    test(`after Verify the verdict is in view at ${width}×${height}`, async () => {
      const page = await open(env.browser.context, env.srv.url + '?nodemo');
      await page.setViewportSize({ width, height });
      await page.click('#load-demo');
      assert.equal(await decision(page), 'release');
      await page.evaluate(() => scrollTo(0, document.body.scrollHeight));
      await page.click('#verify');
      assert.equal(await decision(page), 'release');
      const box = await page.evaluate(() => {
        const r = document.querySelector('#verdict .banner').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, focused: document.activeElement === document.querySelector('#verdict .banner') };
      });
      assert.ok(box.top >= -1 && box.top < height - 100, `banner top at ${box.top} px of ${height}`);
      assert.ok(box.focused, 'the banner has the focus');
      await screenshot(page, `reading-verdict-${width}`);
      await page.close();
    });
  }

  test('a page that opens on the demo stays at its top: what this is, then the verdict below', async () => {
    const page = await env.browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    // Until the demo cases arrive, the demo bar says they are coming.
    await page.goto(env.srv.url + '#demo');
    assert.equal(await decision(page), 'release');
    assert.equal(await page.evaluate(() => scrollY), 0, 'not scrolled to the verdict');
    assert.equal(await page.locator('#demo-loading').count(), 0, 'the placeholder is gone once the cases are there');
    // A person's own Verify still brings the verdict into view.
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    assert.ok(await page.evaluate(() => scrollY > 0));
    await page.close();
  });

  test('at 390 px the Safe hashes wrap inside their panel', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('button[data-case="safe-multisend"]');
    assert.equal(await decision(page), 'release');
    const over = await page.evaluate(() => {
      const panel = document.querySelector('#safe').getBoundingClientRect();
      const out = [];
      for (const g of document.querySelectorAll('#safe .hash .g')) {
        const r = g.getBoundingClientRect();
        if (r.right > panel.right + 0.5 || r.right > innerWidth) out.push(`${g.textContent} at ${Math.round(r.right)}`);
      }
      return { out, groups: document.querySelectorAll('#safe .hash .g').length, scroll: document.documentElement.scrollWidth };
    });
    assert.ok(over.groups >= 48, 'the three hashes are shown');
    assert.deepEqual(over.out, [], 'every hex group inside the panel');
    assert.ok(over.scroll <= 390, `no sideways scrolling (${over.scroll} px)`);
    await screenshot(page, 'reading-safe-390');
    await page.close();
  });

  test('at 1400 px the Safe fields and the Open… buttons stay on their rows', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    const rows = await page.evaluate(() => {
      const top = (sel) => document.querySelector(sel).getBoundingClientRect().top;
      const label = (id) => document.querySelector(id).closest('label').getBoundingClientRect();
      return {
        chain: label('#safe-chain-id'),
        version: label('#safe-version'),
        safe: label('#safe-address'),
        nonce: label('#safe-nonce'),
        heads: ['manifest', 'release', 'approvals', 'policy'].map((s) => [s, top(`[data-slot="${s}"] .slot-head label`), top(`[data-slot="${s}"] [data-open]`)]),
      };
    });
    assert.ok(Math.abs(rows.chain.top - rows.version.top) < 4, 'Chain id and Safe version on one row');
    assert.ok(Math.abs(rows.safe.top - rows.nonce.top) < 4, 'Safe and Nonce on one row');
    for (const l of [rows.chain, rows.version, rows.safe, rows.nonce]) assert.ok(l.height < 40, 'a label and its input on one line');
    for (const [slot, label, button] of rows.heads) assert.ok(Math.abs(label - button) < 12, `${slot}: Open… beside the name`);
    await screenshot(page, 'reading-1400');
    await page.close();
  });

  test('an unknown call shows its argument words and the well-known function it looks like', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('button[data-case="tampered-safe-delegatecall"]');
    assert.equal(await decision(page), 'reject');
    const unknown = page.locator('#actions .action[data-class="unknown"]').first();
    assert.match(await unknown.locator('[data-known-as]').textContent(), /transfer\(address,uint256\).*ERC-20/);
    assert.match(await unknown.locator('[data-known-as]').textContent(), /stays unknown/);
    const words = await unknown.locator('[data-words] li').count();
    assert.equal(words, 2, 'the address and the amount');
    assert.match(await unknown.locator('[data-words] li').first().textContent(), /^address/);
    await page.close();
  });

  async function errorFor(setup) {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await setup(page);
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    const text = await page.textContent('#verdict .errmsg');
    await page.close();
    return text;
  }

  test('a Safe record without its chain id points at the Chain id field', async () => {
    const tx = JSON.parse(read('safe-multisend', 'release.json')).safeTx;
    delete tx.chainId;
    const text = await errorFor(async (page) => {
      await page.fill('#manifest', read('safe-multisend', 'manifest.json'));
      await page.fill('#release', JSON.stringify(tx, null, 2));
      // The preview of the Safe hashes, before Verify, says the same.
      await page.waitForSelector('#safe .error-line');
      const preview = await page.textContent('#safe .error-line');
      assert.match(preview, /Chain id field/);
      assert.doesNotMatch(preview, /--chain-id/);
    });
    assert.match(text, /Chain id field/);
    assert.doesNotMatch(text, /--chain-id|safeTx\.chainId|release field/);
  });

  test('a truncated manifest is "cut off", a misspelt field gets a suggestion, a binary file is not text', async () => {
    const manifest = read('standard-transparent', 'manifest.json');
    let text = await errorFor(async (page) => {
      await page.fill('#manifest', manifest.slice(0, manifest.length >> 1));
      await page.fill('#release', read('standard-transparent', 'release.json'));
    });
    assert.match(text, /cut off/);
    assert.doesNotMatch(text, /EOF/);
    text = await errorFor(async (page) => {
      await page.fill('#manifest', manifest.replace('"lane"', '"lan"'));
      await page.fill('#release', read('standard-transparent', 'release.json'));
    });
    assert.match(text, /did you mean `lane`\?/);
    text = await errorFor(async (page) => {
      await page.fill('#manifest', manifest);
      await page.fill('#release', read('standard-transparent', 'release.json'));
      await page.fill('#now', 'next tuesday');
    });
    assert.match(text, /Evaluation time field/);
    assert.doesNotMatch(text, /observed input/);
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('.slot[data-slot="manifest"] [data-open]');
    await page.setInputFiles('#file-picker', join(root, 'www', 'pkg', 'upgrade_gate_bg.wasm'));
    await page.waitForFunction(() => /not UTF-8 text/.test(document.querySelector('#demo-note').textContent));
    assert.equal(await page.inputValue('#manifest'), '');
    await page.close();
  });
});
