// The demo and every example case, verified in the browser through the same
// inputs a person uses; tampered packages supplied as real files and folders.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, checkStatus, decision, open, root, screenshot, www } from './helpers.mjs';

const cases = JSON.parse(readFileSync(join(www, 'demo', 'index.json'), 'utf8'));
const examples = join(root, 'examples');

describe('the verifier page', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-e2e-' });

  test('the build ships the demo and its tampered variants', () => {
    const names = cases.map((c) => c.name);
    assert.equal(names[0], 'standard-transparent');
    for (const n of ['tampered-package-byte', 'tampered-folder-extra-file', 'safe-multisend', 'folder-package']) assert.ok(names.includes(n), n);
  });

  test('the demo yields release', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.match(await page.textContent('#verdict .banner .word'), /RELEASE/);
    const headline = JSON.parse(await page.textContent('#headline pre'));
    assert.deepEqual(Object.keys(headline), ['decision', 'packageHash', 'targetProxy', 'lane', 'rollbackReady']);
    assert.equal(headline.decision, 'release');
    assert.equal(headline.rollbackReady, true);
    for (const id of ['package.hash', 'rollback.package', 'simulation.evidence', 'approvals.quorum']) {
      assert.equal(await checkStatus(page, id), 'pass', id);
    }
    assert.ok((await page.locator('#actions .badge.upgrade').count()) >= 1, 'the decoded actions show their class');
    await screenshot(page, '01-demo-release');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('npm start opens on the demo through the #demo address it prints; the bare address shows no verdict (issue 21)', async () => {
    const page = await open(env.browser.context, `${env.srv.url}#demo`);
    assert.equal(await decision(page), 'release');
    assert.match(await page.textContent('#verdict .banner [data-demo-flag]'), /DEMO — not your files/);
    await page.close();
    const bare = await open(env.browser.context, env.srv.url);
    await bare.waitForSelector('#load-demo:not([disabled])');
    await bare.waitForTimeout(300);
    assert.equal(await bare.getAttribute('#verdict .banner', 'data-decision'), 'none', 'no demo verdict unless asked for');
    await bare.close();
  });

  test('every example case gets its expected decision and failing checks', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    for (const c of cases) {
      await page.click(c.name === cases[0].name ? '#load-demo' : `button[data-case="${c.name}"]`);
      await page.waitForSelector(`#verdict .banner[data-decision="${c.expected.decision}"]`, { timeout: 60_000 }).catch(() => {});
      assert.equal(await decision(page), c.expected.decision, c.name);
      const statuses = await page.$$eval('#details tr[data-check]', (rows) => rows.map((r) => [r.dataset.check, r.dataset.status]));
      const failing = statuses.filter(([, s]) => s === 'fail').map(([id]) => id).sort();
      const pending = statuses.filter(([, s]) => s === 'pending').map(([id]) => id).sort();
      assert.deepEqual(failing, [...c.expected.fail].sort(), `${c.name}: failing checks`);
      assert.deepEqual(pending, [...c.expected.pending].sort(), `${c.name}: pending checks`);
      // The button of the case on screen, and only that one, is marked as pressed.
      const pressed = await page.$$eval('#load-demo[aria-pressed="true"], #demo-variants button[aria-pressed="true"]', (bs) => bs.map((b) => b.dataset.case || 'load-demo'));
      assert.deepEqual(pressed, [c.name === cases[0].name ? 'load-demo' : c.name], `${c.name}: the pressed button`);
      await screenshot(page, `case-${c.name}`);
    }
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a tampered package file is rejected, and the banner says package.hash', async () => {
    const demo = join(examples, 'standard-transparent');
    const bad = join(env.tmp, 'package.tar');
    const bytes = readFileSync(join(demo, 'package.tar'));
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(bad, bytes);
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    for (const doc of ['manifest', 'release', 'approvals']) {
      await page.fill(`#${doc}`, readFileSync(join(demo, `${doc}.json`), 'utf8'));
    }
    await page.click('.slot[data-slot="package"] [data-open]');
    await page.setInputFiles('#file-picker', bad);
    await page.click('.slot[data-slot="rollback"] [data-open]');
    await page.setInputFiles('#file-picker', join(demo, 'rollback.tar'));
    await page.click('.slot[data-slot="evidence"] [data-open]');
    await page.setInputFiles('#file-picker', join(demo, 'evidence.json'));
    await page.fill('#now', JSON.parse(readFileSync(join(demo, 'expected.json'), 'utf8')).now);
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await checkStatus(page, 'package.hash'), 'fail');
    const reasons = await page.textContent('#verdict .banner .reasons');
    assert.match(reasons, /package\.hash/);
    assert.match(await page.textContent('#verdict .banner .word'), /REJECT/);
    await screenshot(page, '02-tampered-package-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a folder package with an extra file is rejected', async () => {
    const src = join(examples, 'folder-package');
    const folder = join(env.tmp, 'package');
    cpSync(join(src, 'package'), folder, { recursive: true });
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    for (const doc of ['manifest', 'release', 'approvals']) {
      await page.fill(`#${doc}`, readFileSync(join(src, `${doc}.json`), 'utf8'));
    }
    await page.fill('#now', JSON.parse(readFileSync(join(src, 'expected.json'), 'utf8')).now);
    // First the genuine folder: the package checks pass.
    await page.click('.slot[data-slot="package"] [data-open-folder]');
    await page.setInputFiles('#folder-picker', folder);
    await page.click('#verify');
    await decision(page);
    assert.equal(await checkStatus(page, 'package.hash'), 'pass');
    assert.equal(await checkStatus(page, 'package.files'), 'pass');
    // Then the same folder with one more file.
    writeFileSync(join(folder, 'out', 'Extra.json'), '{"note":"not reviewed"}\n');
    await page.click('.slot[data-slot="package"] [data-open-folder]');
    await page.setInputFiles('#folder-picker', folder);
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await checkStatus(page, 'package.files'), 'fail');
    assert.match(await page.textContent('tr[data-check="package.files"] .detail'), /Extra\.json/);
    assert.match(await page.textContent('#verdict .banner .reasons'), /package\.files/);
    await screenshot(page, '03-folder-extra-file-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a case dropped on the page is routed by file name; a package dropped on its box replaces it', async () => {
    const dir = join(examples, 'standard-transparent');
    const names = ['manifest.json', 'release.json', 'approvals.json', 'package.tar', 'rollback.tar', 'evidence.json', 'README.md'];
    const files = names.map((name) => ({ name, b64: readFileSync(join(dir, name)).toString('base64') }));
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    const drop = (selector, list) =>
      page.evaluate(
        ({ selector, list }) => {
          const dt = new DataTransfer();
          for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
          document.querySelector(selector).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        { selector, list },
      );
    await drop('main', files);
    await page.waitForFunction(() => document.querySelector('.slot[data-slot="evidence"]').classList.contains('filled'));
    await page.fill('#now', JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now);
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    const bad = readFileSync(join(dir, 'package.tar'));
    bad[200] ^= 0x04;
    await drop('.slot[data-slot="package"]', [{ name: 'package-from-mirror.tar', b64: bad.toString('base64') }]);
    assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'stale', 'the old verdict is cleared at once');
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await checkStatus(page, 'package.hash'), 'fail');
    await screenshot(page, '12-dropped-package-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('an unreadable input shows an error state, never the previous verdict', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.fill('#manifest', '{"schema": "upgrade-gate/manifest/v1", "chainId": 1,');
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.equal(await page.locator('#details tr[data-check]').count(), 0, 'no stale checks');
    assert.doesNotMatch(await page.textContent('#verdict'), /RELEASE/);
    assert.match(await page.textContent('#verdict'), /manifest/);
    await screenshot(page, '04-input-error');
    await page.close();
  });

  test('a trap in the wasm module (a Rust panic) leaves no verdict, and the module is not used again', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    // No input is known to panic the core (the fuzzers look for one): make the
    // module trap as a panic under panic = "abort" does.
    await page.evaluate(() => {
      self.realVerify = wasm_bindgen.verify;
      wasm_bindgen.verify = () => {
        throw new WebAssembly.RuntimeError('unreachable');
      };
    });
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.equal(await page.locator('#details tr[data-check]').count(), 0, 'no stale checks');
    assert.doesNotMatch(await page.textContent('#verdict'), /RELEASE/);
    assert.match(await page.textContent('#verdict'), /reload the page/);
    // Even with a working verify again, this instance is not trusted until a reload.
    await page.evaluate(() => {
      wasm_bindgen.verify = self.realVerify;
    });
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict'), /reload the page/i);
    await page.reload();
    await page.waitForSelector('body[data-ready=""]');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.close();
  });

  test('hashing shows progress and can be cancelled', async () => {
    // A sparse 1.5 GiB file: large enough to watch, cheap to make.
    const big = join(env.tmp, 'big-package.tar');
    writeFileSync(big, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(big, 1536 * 1024 * 1024);
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.click('.slot[data-slot="package"] [data-open]');
    await page.setInputFiles('#file-picker', big);
    await page.click('#verify');
    await page.waitForSelector('#progress:not([hidden])');
    await page.waitForFunction(() => Number(document.querySelector('#progress').dataset.percent) > 0);
    const text = await page.textContent('#progress-text');
    assert.match(text, /%.*MB\/s.*(left|done)/);
    assert.equal(await page.locator('#verdict .banner[data-decision="release"]').count(), 0, 'the old verdict is gone while hashing');
    await screenshot(page, '05-hashing-progress');
    await page.click('#cancel');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict'), /cancelled/i);
    await screenshot(page, '06-hashing-cancelled');
    rmSync(big);
    await page.close();
  });
});
