// The page's state across cases (issue 17): a case dropped on the page
// replaces the whole case, the demo never leaks into the user's own case, each
// slot says where its content came from, and nothing of a previous case (a
// policy, evidence, the evaluation time) can change the verdict of the next.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, checkStatus, decision, open, root, screenshot } from './helpers.mjs';

const examples = join(root, 'examples');
const NOW = JSON.parse(readFileSync(join(examples, 'uups-initializer', 'expected.json'), 'utf8')).now;

/** The top-level files of an example, as a drop would carry them, minus `without`. */
function caseFiles(name, { without = [], rename = {} } = {}) {
  const dir = join(examples, name);
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile() && !without.includes(f))
    .map((f) => ({ name: rename[f] || f, b64: readFileSync(join(dir, f)).toString('base64') }));
}

/** Drops files on the page (a case, or loose files) the way a browser does. */
function drop(page, list, selector = 'main') {
  return page.evaluate(
    ({ selector, list }) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      document.querySelector(selector).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { selector, list },
  );
}

/** Drops a case and verifies it at the examples' evaluation time. */
async function verifyCase(page, files) {
  await drop(page, files);
  await page.waitForFunction(() => document.querySelector('#manifest').value.length > 0 && document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
  await page.fill('#now', NOW);
  await page.click('#verify');
  return decision(page);
}

/** Where the verdict says a slot's content came from: its `data-source-kind`. */
const sourceOf = (page, slot) => page.getAttribute(`#verdict [data-source-of="${slot}"]`, 'data-source-kind');

describe('page state across cases', () => {
  const env = browserAndServer();
  const fresh = () => open(env.browser.context, env.srv.url + '?nodemo');

  test('a case without a policy, dropped after one with a policy, is judged without it (REJECT)', async () => {
    const copy = caseFiles('uups-initializer', { without: ['policy.json'] });
    let page = await fresh();
    assert.equal(await verifyCase(page, copy), 'reject', 'the copy alone');
    assert.equal(await checkStatus(page, 'lane.policy'), 'fail');
    await page.close();

    page = await fresh();
    assert.equal(await verifyCase(page, caseFiles('uups-initializer')), 'release', 'the example with its policy');
    assert.equal(await sourceOf(page, 'policy'), 'case');
    assert.equal(await verifyCase(page, copy), 'reject', 'the copy after it: the first policy must not apply');
    assert.equal(await checkStatus(page, 'lane.policy'), 'fail');
    assert.equal(await page.inputValue('#policy'), '', 'the policy slot was emptied');
    assert.equal(await sourceOf(page, 'policy'), 'none', 'the verdict lists the policy as not given');
    await screenshot(page, 'state-01-copy-without-policy-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a case without evidence and rollback, dropped after another case, gets the decision it gets alone', async () => {
    const copy = caseFiles('standard-transparent', { without: ['evidence.json', 'rollback.tar'] });
    let page = await fresh();
    const alone = await verifyCase(page, copy);
    await page.close();

    page = await fresh();
    assert.equal(await verifyCase(page, caseFiles('uups-initializer')), 'release');
    assert.equal(await verifyCase(page, copy), alone, 'the same decision as the folder alone');
    for (const slot of ['rollback', 'evidence', 'policy']) assert.equal(await sourceOf(page, slot), 'none', slot);
    assert.equal(await page.locator('.slot[data-slot="evidence"].filled').count(), 0, 'no evidence of the previous case');
    await page.close();
  });

  test('after Load demo, the user’s own documents run without the demo’s time or files', async () => {
    const page = await fresh();
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.equal(await page.getAttribute('#now-source', 'data-source-kind'), 'demo', 'the demo’s time is labelled as the demo’s');
    assert.match(await page.textContent('#now-source'), /demo/);
    assert.match(await page.textContent('.slot[data-slot="rollback"] [data-source]'), /demo case “standard-transparent”/);
    // The user's own case: its manifest and release, opened on their boxes.
    const own = join(examples, 'uups-initializer');
    for (const doc of ['manifest', 'release']) {
      await page.click(`.slot[data-slot="${doc}"] [data-open]`);
      await page.setInputFiles('#file-picker', join(own, `${doc}.json`));
      await page.waitForFunction((d) => document.querySelector(`[data-slot="${d}"] [data-source]`).dataset.sourceKind === 'file', doc);
    }
    assert.equal(await page.inputValue('#now'), '', 'no demo evaluation time');
    assert.equal(await page.inputValue('#approvals'), '', 'no demo approvals');
    for (const slot of ['package', 'rollback', 'evidence']) {
      assert.equal(await page.locator(`.slot[data-slot="${slot}"].filled`).count(), 0, `no demo ${slot}`);
    }
    await page.click('#verify');
    assert.notEqual(await decision(page), 'release');
    for (const slot of ['approvals', 'package', 'rollback', 'evidence', 'now']) assert.equal(await sourceOf(page, slot), 'none', slot);
    assert.equal(await sourceOf(page, 'manifest'), 'file');
    assert.equal(await page.locator('#verdict .demo-tag').count(), 0, 'not called a demo');
    await screenshot(page, 'state-02-own-documents-after-demo');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a manifest pasted over the demo’s starts a new case; typing into it is an edit', async () => {
    const page = await fresh();
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    // An edit keeps the case, and says the manifest was edited.
    await page.focus('#manifest');
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    assert.equal(await page.getAttribute('[data-slot="manifest"] [data-source]', 'data-source-kind'), 'edited');
    assert.equal(await page.inputValue('#now'), JSON.parse(readFileSync(join(examples, 'standard-transparent', 'expected.json'), 'utf8')).now);
    // A paste over the whole box is a new document.
    const text = readFileSync(join(examples, 'uups-initializer', 'manifest.json'), 'utf8');
    await page.evaluate((t) => {
      const area = document.querySelector('#manifest');
      area.select();
      area.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertFromPaste', bubbles: true, cancelable: true }));
      area.value = t;
      area.dispatchEvent(new InputEvent('input', { inputType: 'insertFromPaste', bubbles: true }));
    }, text);
    assert.equal(await page.inputValue('#now'), '');
    assert.equal(await page.inputValue('#release'), '');
    assert.equal(await page.locator('.slot[data-slot="rollback"].filled').count(), 0);
    assert.equal(await page.getAttribute('[data-slot="manifest"] [data-source]', 'data-source-kind'), 'typed');
    await page.close();
  });

  test('an edit after Verify clears the verdict, and the next verdict says what was edited', async () => {
    const page = await fresh();
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.fill('#now', '2026-11-23T10:00:01Z');
    assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'stale');
    assert.equal(await page.locator('#details tr[data-check]').count(), 0);
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    assert.equal(await sourceOf(page, 'now'), 'edited');
    assert.equal(await sourceOf(page, 'manifest'), 'demo');
    await page.close();
  });

  test('JSON dropped on the page goes where its "schema" says, whatever the file is called', async () => {
    const files = caseFiles('standard-transparent', {
      rename: { 'manifest.json': 'vault-v2.1-manifest.json', 'release.json': 'vault-v2.1-exec.json', 'approvals.json': 'sigs.json' },
    });
    const page = await fresh();
    await drop(page, files);
    await page.waitForFunction(() => document.querySelector('.slot[data-slot="evidence"]').classList.contains('filled'));
    assert.match(await page.textContent('[data-slot="manifest"] [data-source]'), /vault-v2\.1-manifest\.json/);
    assert.match(await page.textContent('[data-slot="release"] [data-source]'), /vault-v2\.1-exec\.json/);
    assert.match(await page.textContent('[data-slot="approvals"] [data-source]'), /sigs\.json/);
    assert.doesNotMatch(await page.textContent('#demo-note'), /Not placed/);
    await page.fill('#now', NOW);
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    await page.close();
  });

  test('changing #demo=<case> in an open page loads that case', async () => {
    const page = await fresh();
    await page.evaluate(() => {
      location.hash = '#demo=uups-initializer';
    });
    await page.waitForSelector('#verdict .demo-tag');
    assert.equal(await decision(page), 'release');
    assert.match(await page.textContent('#verdict .demo-tag'), /uups-initializer/);
    assert.equal(await page.inputValue('#policy') !== '', true, 'its policy is loaded');
    await page.close();
  });
});
