// SPEC §7 in the page (issue 12): the evidence file's text and the artifacts
// the manifest names reach the core's verify, so every effects-* example
// gets on the page the decision and failing checks of its expected.json
// (from the demo, from its dropped case folder, and from files and a folder
// opened one by one); the Effects panel shows what the core found.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, checkStatus, decision, open, root, shots, filesOf, dropFolder } from './helpers.mjs';

const examples = join(root, 'examples');
const EFFECTS = readdirSync(examples).filter((n) => n.startsWith('effects-') && statSync(join(examples, n)).isDirectory()).sort();
const expectedOf = (name) => JSON.parse(readFileSync(join(examples, name, 'expected.json'), 'utf8'));
const ZERO_SLOT = `0x${'0'.repeat(64)}`;

/** The decision and the failing and pending checks the page shows. */
async function shown(page) {
  const d = await decision(page);
  const ids = (status) => page.$$eval(`#details tr[data-check][data-status="${status}"]`, (rows) => rows.map((r) => r.dataset.check).sort());
  return { decision: d, fail: await ids('fail'), pending: await ids('pending') };
}

const wanted = (name) => {
  const e = expectedOf(name);
  return { decision: e.decision, fail: [...e.fail].sort(), pending: [...e.pending].sort() };
};

async function loadDemo(page, name) {
  // The first case is the "Load demo" button, the others are variants.
  await page.waitForSelector('#load-demo:not([disabled])');
  await page.click((await page.$(`#demo-variants button[data-case="${name}"]`)) ? `#demo-variants button[data-case="${name}"]` : '#load-demo');
  await page.waitForSelector(`#verdict .banner[data-decision="${expectedOf(name).decision}"]`, { timeout: 60_000 }).catch(() => {});
  return shown(page);
}

async function elementShot(page, selector, name) {
  mkdirSync(shots, { recursive: true });
  // The element's box in the whole page: a locator screenshot of an element
  // taller than the viewport came out shifted after the verdict's scroll.
  const clip = await page.$eval(selector, (n) => {
    const r = n.getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true, clip });
}

describe('effects and code binding in the page (SPEC §7)', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-effects-' });
  const fresh = () => open(env.browser.context, env.srv.url + '?nodemo');

  test('there are ten effects-* examples', () => {
    assert.equal(EFFECTS.length, 10, EFFECTS.join(', '));
  });

  test('every effects-* demo case gets its expected decision and failing checks', async () => {
    const page = await fresh();
    for (const name of EFFECTS) {
      const got = await loadDemo(page, name);
      assert.deepEqual(got, wanted(name), name);
      // The state diff was read: the panel is there, and the evidence check is the hash's own.
      assert.ok(await page.$('#effects[data-effects]'), `${name}: the Effects panel`);
      assert.equal(await checkStatus(page, 'simulation.evidence'), 'pass', `${name}: simulation.evidence`);
    }
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('every effects-* case folder dropped on the page gets its expected decision and failing checks', async () => {
    const page = await fresh();
    for (const name of EFFECTS) {
      await dropFolder(page, name, filesOf(join(examples, name)));
      await page.waitForFunction(() => document.querySelector('[data-slot="package"] [data-source]').dataset.sourceKind === 'case' && document.querySelector('[data-slot="evidence"]').classList.contains('filled'));
      await page.fill('#now', expectedOf(name).now);
      await page.click('#verify');
      assert.deepEqual(await shown(page), wanted(name), name);
      assert.equal(await page.getAttribute('#verdict [data-source-of="package"]', 'data-source-kind'), 'case', `${name}: package from the case folder`);
    }
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the Bybit-style case: the Safe’s slot 0 is shown broken by E4, with before → after as addresses', async () => {
    const page = await fresh();
    assert.equal((await loadDemo(page, 'effects-bybit-slot0')).decision, 'reject');
    assert.equal(await page.getAttribute('#effects', 'data-effects'), 'broken');
    assert.equal(await page.getAttribute('#effects [data-rule="E4"][data-holds]', 'data-holds'), 'false');
    for (const r of ['E0', 'E1', 'E2', 'E3', 'E5', 'E6']) assert.equal(await page.getAttribute(`#effects .fx-rules [data-rule="${r}"]`, 'data-holds'), 'true', r);
    const safe = page.locator('#effects .fx-account[data-role="safe"]');
    assert.equal(await safe.count(), 1);
    const slot0 = safe.locator(`[data-slot="${ZERO_SLOT}"]`);
    assert.equal(await slot0.getAttribute('data-rule'), 'E4');
    assert.equal(await slot0.getAttribute('data-name'), 'Safe singleton');
    // The nonce moved too, and is no broken rule.
    const nonce = safe.locator(`[data-slot="0x${'0'.repeat(63)}5"]`);
    assert.equal(await nonce.getAttribute('data-rule'), null);
    assert.deepEqual(await nonce.locator('.fx-word').allTextContents(), ['3', '4']);
    // Singleton words read as EIP-55 addresses: the word's address, mixed case.
    const words = await slot0.locator('.fx-word[data-word-kind="address"]').evaluateAll((ns) => ns.map((n) => ({ text: n.textContent, word: n.dataset.word })));
    assert.equal(words.length, 2);
    for (const { text, word } of words) {
      assert.match(text, /^0x[0-9a-fA-F]{40}$/);
      assert.notEqual(text, text.toLowerCase(), 'checksummed');
      assert.equal(`0x${'0'.repeat(24)}${text.slice(2).toLowerCase()}`, word);
    }
    // The two target proxies, their implementation slot by name.
    assert.equal(await page.locator('#effects .fx-account[data-role="targetProxy"] [data-name="ERC-1967 implementation"]').count(), 2);
    assert.equal(await page.locator('#effects [data-code-binding][data-result="exact"]').count(), 2);
    await page.close();
  });

  test('each code-binding result and the undeclared account are shown from the report', async () => {
    const page = await fresh();
    await loadDemo(page, 'effects-code-one-byte');
    const differs = page.locator('#effects [data-code-binding][data-status="fail"]');
    assert.equal(await differs.getAttribute('data-result'), 'differs');
    assert.match(await differs.textContent(), /byte/);
    await loadDemo(page, 'effects-code-metadata');
    assert.equal(await page.getAttribute('#effects [data-code-binding][data-status="fail"]', 'data-result'), 'metadataDiffers');
    await loadDemo(page, 'effects-uups-immutables');
    assert.equal(await page.locator('#effects [data-code-binding][data-result="immutablesFilled"]').count(), 1);
    await loadDemo(page, 'effects-hidden-upgrade');
    const undeclared = page.locator('#effects .fx-account[data-role="undeclared"]');
    assert.ok((await undeclared.count()) >= 1);
    assert.match(await undeclared.first().getAttribute('data-rule'), /E2|E5/);
    assert.match(await undeclared.first().locator('.fx-role').textContent(), /UNDECLARED/);
    await loadDemo(page, 'effects-beacon');
    assert.equal(await page.locator('#effects .fx-account[data-role="beacon"]').count(), 1);
    await page.close();
  });

  test('sequence: safe-multisend, bybit-slot0, standard-transparent, then own files; an evidence change clears the verdict', async () => {
    const page = await fresh();
    assert.equal((await loadDemo(page, 'effects-safe-multisend')).decision, 'release');
    assert.equal(await page.getAttribute('#effects', 'data-effects'), 'holds');
    assert.equal((await loadDemo(page, 'effects-bybit-slot0')).decision, 'reject');
    assert.equal(await page.getAttribute(`#effects .fx-account[data-role="safe"] [data-slot="${ZERO_SLOT}"]`, 'data-rule'), 'E4');
    assert.equal((await loadDemo(page, 'standard-transparent')).decision, 'release');
    assert.equal(await page.$('#effects'), null, 'no effects panel for a case whose evidence is no state diff');

    // Own files, opened one by one, the package with the folder picker.
    const own = join(env.tmp, 'own');
    cpSync(join(examples, 'effects-code-one-byte'), own, { recursive: true });
    await page.click('#clear-all');
    for (const doc of ['manifest', 'release', 'approvals', 'policy']) {
      await page.click(`.slot[data-slot="${doc}"] [data-open]`);
      await page.setInputFiles('#file-picker', join(own, `${doc}.json`));
      await page.waitForFunction((d) => document.querySelector(`#${d}`).value.length > 0, doc);
    }
    for (const [slot, file] of [['rollback', 'rollback.tar'], ['evidence', 'evidence.json']]) {
      await page.click(`.slot[data-slot="${slot}"] [data-open]`);
      await page.setInputFiles('#file-picker', join(own, file));
    }
    await page.click('.slot[data-slot="package"] [data-open-folder]');
    await page.setInputFiles('#folder-picker', join(own, 'package'));
    await page.fill('#now', expectedOf('effects-code-one-byte').now);
    await page.click('#verify');
    assert.deepEqual(await shown(page), wanted('effects-code-one-byte'));
    assert.equal(await page.getAttribute('#effects [data-code-binding][data-status="fail"]', 'data-result'), 'differs');

    // The evidence changed after Verify: the verdict and the panel go.
    const evidence = JSON.parse(readFileSync(join(own, 'evidence.json'), 'utf8'));
    evidence.chainId = 5;
    writeFileSync(join(own, 'evidence-edited.json'), JSON.stringify(evidence));
    await page.click('.slot[data-slot="evidence"] [data-open]');
    await page.setInputFiles('#file-picker', join(own, 'evidence-edited.json'));
    assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'stale');
    assert.equal(await page.$('#effects'), null);
    // Verified again, the verdict is the edited evidence's: its hash is not the
    // manifest's, and its chainId breaks E0.
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await checkStatus(page, 'simulation.evidence'), 'fail');
    assert.equal(await page.getAttribute('#effects [data-rule="E0"][data-holds]', 'data-holds'), 'false');

    // A binary evidence file stays hashed only: no state diff, no panel of effects.
    writeFileSync(join(own, 'evidence.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    await page.click('.slot[data-slot="evidence"] [data-open]');
    await page.setInputFiles('#file-picker', join(own, 'evidence.bin'));
    await page.click('#verify');
    await decision(page);
    assert.equal(await page.getAttribute('#effects', 'data-effects'), 'none', 'only the code binding is shown');
    assert.equal(await checkStatus(page, 'simulation.evidence'), 'fail');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a package folder dropped on its box gives the artifacts too', async () => {
    const page = await fresh();
    const name = 'effects-uups-immutables';
    const dir = join(examples, name);
    const top = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
    // The documents as loose files (a case without its package), then the folder on the package box.
    await page.evaluate((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, top.map((f) => ({ name: f, b64: readFileSync(join(dir, f)).toString('base64') })));
    await page.waitForFunction(() => document.querySelector('[data-slot="evidence"]').classList.contains('filled'));
    await dropFolder(page, 'package', filesOf(join(dir, 'package')), '.slot[data-slot="package"]');
    await page.waitForFunction(() => document.querySelector('[data-slot="package"]').classList.contains('filled'));
    await page.fill('#now', expectedOf(name).now);
    await page.click('#verify');
    assert.deepEqual(await shown(page), wanted(name));
    assert.equal(await page.getAttribute('#effects [data-code-binding]', 'data-result'), 'immutablesFilled');
    await page.close();
  });

  test('a malformed state diff is an input error: no decision', async () => {
    const page = await fresh();
    await loadDemo(page, 'effects-safe-multisend');
    const bad = join(env.tmp, 'evidence-bad.json');
    writeFileSync(bad, JSON.stringify({ pre: {}, post: { '0x4Ac49EEa116CDE79C605dFEf30E418A0fFEBA627': { storage: { '0x05': 'not hex' } } } }));
    await page.click('.slot[data-slot="evidence"] [data-open]');
    await page.setInputFiles('#file-picker', bad);
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict .errmsg'), /evidence/);
    assert.equal(await page.$('#effects'), null);
    await page.close();
  });

  test('the panel wraps at 390 px; screenshots at 390, 1280 and 1920 px', async () => {
    const page = await fresh();
    for (const name of ['effects-bybit-slot0', 'effects-code-one-byte']) {
      for (const width of [390, 1280, 1920]) {
        await page.setViewportSize({ width, height: 900 });
        await loadDemo(page, name);
        const overflow = await page.evaluate(() => {
          const root = document.querySelector('#effects');
          const wide = [...root.querySelectorAll('*')].filter((n) => n.getBoundingClientRect().right > root.getBoundingClientRect().right + 1);
          return { page: document.documentElement.scrollWidth > innerWidth, inside: wide.map((n) => n.className || n.tagName) };
        });
        assert.deepEqual(overflow, { page: false, inside: [] }, `${name} at ${width} px`);
        await elementShot(page, '#effects', `effects-${name.replace(/^effects-/, '')}-${width}`);
      }
    }
    await page.close();
  });

  test('the card says what the manifest binds for effects and code', async () => {
    const page = await env.browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 900 });
    const manifest = readFileSync(join(examples, 'effects-hidden-upgrade', 'manifest.json'), 'utf8');
    await page.goto(env.srv.url + 'embed.html#manifest=' + encodeURIComponent(manifest));
    await page.waitForSelector('body[data-ready]');
    const artifact = JSON.parse(manifest).targets.find((t) => t.artifact).artifact;
    assert.equal(await page.getAttribute('[data-effects-card]', 'data-effects-card'), 'declared');
    assert.ok((await page.textContent('[data-effects-card]')).includes(artifact));
    for (const a of JSON.parse(manifest).simulation.expectedAccounts) assert.ok((await page.textContent('[data-effects-card]')).includes(a), a);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'the card wraps at 390 px');
    const plain = readFileSync(join(examples, 'standard-transparent', 'manifest.json'), 'utf8');
    await page.goto(env.srv.url + 'embed.html#manifest=' + encodeURIComponent(plain));
    await page.waitForFunction(() => document.querySelector('[data-effects-card]')?.dataset.effectsCard === 'none');
    assert.match(await page.textContent('[data-effects-card]'), /not checked on this card/);
    await page.close();
  });
});
