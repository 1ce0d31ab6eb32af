// What a new user's trial of the page found (issue 24's walk-through at 390,
// 1280 and 1920 px): a storage-layout PASS without a witness says whose code
// its layouts are bound to, and its safe operations are not written in red;
// the signer view offers no hashes to compare under a MISMATCH; a toast uses
// the width it has.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open, root, screenshot, filesOf } from './helpers.mjs';

const examples = join(root, 'examples');
const expectedOf = (name) => JSON.parse(readFileSync(join(examples, name, 'expected.json'), 'utf8'));

/** Drops a case folder as Chromium hands one over (a directory entry; as in witness-page.test.mjs). */
async function dropCase(page, name) {
  await page.evaluate(
    ({ name, files }) => {
      const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dir = (dirName, prefix) => {
        const kids = new Map();
        for (const f of files) {
          if (!f.path.startsWith(prefix)) continue;
          const rest = f.path.slice(prefix.length);
          kids.set(rest.split('/')[0], rest.includes('/') ? null : f);
        }
        const entries = [...kids].map(([n, f]) =>
          f ? { isFile: true, isDirectory: false, name: n, file: (ok) => ok(new File([bytes(f.b64)], n)) } : dir(n, `${prefix}${n}/`),
        );
        return {
          isFile: false,
          isDirectory: true,
          name: dirName,
          createReader: () => {
            let given = false;
            return { readEntries: (ok) => ok(given ? [] : ((given = true), entries)) };
          },
        };
      };
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: { items: [{ kind: 'file', webkitGetAsEntry: () => dir(name, '') }], files: [] } });
      document.querySelector('main').dispatchEvent(event);
    },
    { name, files: filesOf(join(examples, name)) },
  );
  await page.waitForFunction((n) => (document.querySelector('[data-slot="package"] [data-source]')?.textContent || '').includes(`${n}/`), name);
}

describe('a new user’s trial of the page', () => {
  const env = browserAndServer();

  test('the layout cases one after the other: a FAIL then a PASS, each saying the code it is bound to is the evidence’s', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.clock.setFixedTime(new Date(expectedOf('layout-gap-shrunk').now));
    for (const name of ['layout-gap-not-shrunk', 'layout-gap-shrunk']) {
      await dropCase(page, name);
      await page.click('#verify');
      assert.equal(await decision(page), expectedOf(name).decision);
      const status = await page.getAttribute('#storage-layout', 'data-storage-layout');
      assert.equal(status, expectedOf(name).decision === 'release' ? 'pass' : 'fail');
      // No witness here: the page says whose code the layouts are bound to.
      assert.equal(await page.getAttribute('#details tr[data-check="state.proof"]', 'data-status'), 'skip');
      assert.match(await page.textContent('#storage-layout [data-layout-code="evidence"]'), /evidence.*not proven/);
      // A safe operation is in the ink colour, an error in red.
      const colours = await page.$$eval('#storage-layout [data-error]', (lis) => lis.map((li) => [li.dataset.error, getComputedStyle(li).color]));
      assert.ok(colours.length > 0);
      const red = 'rgb(179, 0, 27)'; // --reject in style.css
      for (const [error, colour] of colours) assert.equal(colour === red, error === 'true', `an operation with error=${error} in ${colour}`);
      if (status === 'pass') assert.ok(colours.every(([e]) => e === 'false'));
    }
    await screenshot(page, 'trial-layout-pass-1280');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('with a witness and the block hash, the layout note is not shown', async () => {
    const name = 'anvil-safe-multisend';
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.clock.setFixedTime(new Date(expectedOf(name).now));
    await dropCase(page, name);
    await page.fill('#trusted-block-hash', readFileSync(join(examples, name, 'block-hash.txt'), 'utf8').trim());
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    assert.equal(await page.locator('[data-layout-code]').count(), 0);
    await page.close();
  });

  for (const width of [390, 1280]) {
    test(`${width} px: the signer view under a MISMATCH keeps the recomputed hashes folded, not offered to compare and sign`, async () => {
      const page = await open(env.browser.context, `${env.srv.url}#signer`);
      await page.setViewportSize({ width, height: 900 });
      const tx = JSON.parse(readFileSync(join(examples, 'safe-multisend', 'release.json'), 'utf8')).safeTx;
      const wrong = { ...tx, safeTxHash: `0x${'12'.repeat(32)}` };
      await page.fill('[data-input="safe-tx"]', JSON.stringify(wrong, null, 2));
      await page.waitForSelector('#signer-out [data-safe-hash="mismatch"]');
      assert.equal(await page.isVisible('#signer-out [data-safe-hashes]'), false, 'no hashes offered under a mismatch');
      assert.match(await page.textContent('#signer-out details.rejected-hashes summary'), /not to sign/);
      // The same fields with the right claim: the hashes are shown to compare.
      await page.fill('[data-input="safe-tx"]', JSON.stringify(tx, null, 2));
      await page.waitForSelector('#signer-out [data-safe-hash="match"]');
      assert.equal(await page.isVisible('#signer-out [data-safe-hashes]'), true);
      assert.equal(await page.locator('#signer-out details.rejected-hashes').count(), 0);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width + 1, `page ${wide} px wide at ${width} px`);
      assert.deepEqual(await page.problems(), []);
      await page.close();
    });
  }

  test('390 px: a toast after a case drop uses the width of the screen, not half of it', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.setViewportSize({ width: 390, height: 900 });
    await dropCase(page, 'anvil-safe-multisend');
    await page.waitForSelector('#toast:not([hidden])');
    const box = await page.locator('#toast').boundingBox();
    assert.ok(box.width > 300, `the toast is ${box.width} px wide at 390 px`);
    // Verify: the notice goes, so that it covers nothing of the verdict; its text stays in the demo bar.
    const said = await page.textContent('#toast');
    await page.click('#verify');
    await page.waitForSelector('#toast', { state: 'hidden' });
    assert.equal(await page.textContent('#demo-note'), said);
    await page.close();
  });
});
