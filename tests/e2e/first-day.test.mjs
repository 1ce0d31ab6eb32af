// Issue 21: what a signer and an approver saw on their first day. Each test
// is one finding, tried at the widths where it showed (390, 1280, 1920 px):
// the demo never replaces the user's case, the signer view with no manifest,
// the headline that names what was skipped, signing offered only after the
// bytes were verified, nothing offered to sign under a REJECT, and the card
// that says it is not a verdict.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open, root, screenshot } from './helpers.mjs';

const examples = join(root, 'examples');
const WIDTHS = [390, 1280, 1920];
const nowOf = (name) => JSON.parse(readFileSync(join(examples, name, 'expected.json'), 'utf8')).now;
const safeTxOf = (name) => JSON.parse(readFileSync(join(examples, name, 'release.json'), 'utf8')).safeTx;

/** The top-level files of an example, as a drop carries them. */
function caseFiles(name, { without = [] } = {}) {
  const dir = join(examples, name);
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile() && !without.includes(f) && f !== 'README.md' && f !== 'expected.json')
    .map((f) => ({ name: f, b64: readFileSync(join(dir, f)).toString('base64') }));
}

function drop(page, list) {
  return page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, list);
}

async function verifyDropped(page, name, opts) {
  await drop(page, caseFiles(name, opts));
  await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
  await page.fill('#now', nowOf(name));
  await page.click('#verify');
  return decision(page);
}

/** Whether `inner` lies within `outer` on screen, and nothing of the page overflows the viewport's width. */
async function inside(page, inner, outer) {
  return page.evaluate(
    ([i, o]) => {
      const a = document.querySelector(i).getBoundingClientRect();
      const b = document.querySelector(o).getBoundingClientRect();
      return a.width > 0 && a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    },
    [inner, outer],
  );
}

describe('issue 21: the first day of a signer and an approver', () => {
  const env = browserAndServer();

  for (const width of WIDTHS) {
    test(`${width} px: a reload or Back never shows the demo's verdict instead of the user's case`, async () => {
      const page = await open(env.browser.context, env.srv.url);
      await page.setViewportSize({ width, height: 900 });
      // No hash: no demo verdict, and one obvious way to load it.
      assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'none');
      await page.waitForSelector('#load-demo:not([disabled])');
      assert.equal(await page.isVisible('#load-demo'), true);
      // The demo, asked for: flagged inside its banner.
      await page.click('#load-demo');
      assert.equal(await decision(page), 'release');
      assert.match(await page.textContent('#verdict .banner [data-demo-flag]'), /DEMO — not your files/);
      assert.ok(await inside(page, '#verdict .banner [data-demo-flag]', '#verdict .banner'), 'the flag is inside the banner');
      assert.equal(await page.isVisible('#verdict .banner [data-demo-flag]'), true);
      assert.match(new URL(page.url()).hash, /^#demo=standard-transparent$/);
      await screenshot(page, `issue21-demo-flag-${width}`);
      // The user's own case (REJECT) replaces it: no demo flag, and the address no longer asks for the demo.
      assert.equal(await verifyDropped(page, 'effects-bybit-slot0'), 'reject');
      assert.equal(await page.locator('#verdict [data-demo-flag]').count(), 0);
      assert.equal(new URL(page.url()).hash, '');
      // Reload: never the demo's RELEASE.
      await page.reload();
      await page.waitForSelector('body[data-ready]');
      await page.waitForSelector('#load-demo:not([disabled])');
      await page.waitForTimeout(300);
      assert.notEqual(await page.getAttribute('#verdict .banner', 'data-decision'), 'release');
      assert.equal(await page.locator('#verdict [data-demo-flag]').count(), 0);
      // Away and Back: not the demo either.
      await page.goto(`${env.srv.url}embed.html`);
      await page.goBack();
      await page.waitForSelector('body[data-ready]');
      await page.waitForTimeout(300);
      assert.notEqual(await page.getAttribute('#verdict .banner', 'data-decision'), 'release');
      await page.close();
    });
  }

  test('the headline counts what passed and names what was skipped, in the words of the CLI\'s markdown', async () => {
    const page = await open(env.browser.context, `${env.srv.url}#demo`);
    assert.equal(await decision(page), 'release');
    const line = (await page.textContent('#verdict .banner [data-summary]')).trim();
    assert.doesNotMatch(await page.textContent('#verdict .banner'), /every check pass/i);
    assert.match(line, /^RELEASE — \d+ checks passed, \d+ skipped: .*effects not checked/);
    // The CLI's markdown for the same case opens with the same words.
    const golden = readFileSync(join(root, 'tests', 'golden', 'markdown', 'standard-transparent.md'), 'utf8').split('\n')[0];
    assert.equal(golden.replace(/^## \S+ /, ''), line);
    await page.close();
  });

  for (const width of WIDTHS) {
    test(`${width} px: the signer view, with no manifest, says MISMATCH and warns of a delegatecall outside the allowlist`, async () => {
      const page = await open(env.browser.context, `${env.srv.url}#signer`);
      await page.setViewportSize({ width, height: 900 });
      assert.equal(await page.isVisible('#signer'), true);
      assert.equal(await page.isVisible('#manifest'), false, 'the signer view needs no manifest');
      const tx = safeTxOf('tampered-safe-delegatecall');
      await page.fill('[data-input="safe-tx"]', JSON.stringify(tx, null, 2));
      await page.waitForSelector('#signer [data-safe-hash="mismatch"]');
      const alarm = await page.textContent('#signer [data-safe-hash="mismatch"]');
      assert.match(alarm, /MISMATCH/);
      const groups = (s) => s.replace(/\s+/g, '');
      assert.ok(groups(alarm).includes(tx.safeTxHash), 'the claimed hash is named');
      const danger = await page.textContent('#signer [data-danger="delegatecall"]');
      assert.match(danger, /Safe's own storage/);
      assert.match(danger, /0x7567b6253a9cd0BD3C4A6eCbF307024BA0ED8551/);
      assert.ok((await page.locator('#signer [data-call-class]').count()) >= 1);
      // Nothing overflows the viewport.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width + 1, `page ${wide} px wide at ${width} px`);
      await screenshot(page, `issue21-signer-mismatch-${width}`);
      assert.deepEqual(await page.problems(), []);
      await page.close();
    });
  }

  test('the signer view: a MultiSend batch matches and lists its calls; missing gas fields default to zero, said so', async () => {
    const page = await open(env.browser.context, `${env.srv.url}#signer`);
    const tx = safeTxOf('safe-multisend');
    await page.fill('[data-input="safe-tx"]', JSON.stringify(tx));
    await page.waitForSelector('#signer [data-safe-hash="match"]');
    assert.equal(await page.locator('#signer [data-danger]').count(), 0);
    assert.ok((await page.locator('#signer [data-call-class]').count()) >= 3, 'the batch and its calls');
    // What the Safe UI shows: no gas fields, no claimed hash, chain and version given beside it.
    const short = { ...tx };
    for (const k of ['safeTxGas', 'baseGas', 'gasPrice', 'gasToken', 'refundReceiver', 'safeTxHash', 'chainId', 'safeVersion']) delete short[k];
    await page.fill('[data-input="safe-tx"]', JSON.stringify(short));
    await page.waitForSelector('#signer [data-signer-error="chainId"]');
    await page.fill('#signer-chain-id', String(tx.chainId));
    await page.selectOption('#signer-version', tx.safeVersion);
    await page.waitForSelector('#signer [data-safe-hash="unclaimed"]');
    assert.equal(await page.getAttribute('#signer [data-defaulted]', 'data-defaulted'), 'safeTxGas baseGas gasPrice gasToken refundReceiver');
    const shown = (await page.textContent('#signer [data-safe-hashes] .hw-row:nth-of-type(3) .hash')).replace(/\s+/g, '');
    assert.equal(shown, tx.safeTxHash);
    await page.close();
  });

  test('a pasted Safe transaction claiming another hash is a red MISMATCH on the verifier page too', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.fill('#release', JSON.stringify(safeTxOf('tampered-safe-delegatecall')));
    await page.waitForSelector('#safe [data-safe-hash="mismatch"]');
    assert.match(await page.textContent('#safe'), /MISMATCH/);
    await page.close();
  });

  for (const width of [390, 1280]) {
    test(`${width} px: on a REJECT the Safe and Nested Safe panels say do not sign`, async () => {
      const page = await open(env.browser.context, `${env.srv.url}#demo=tampered-safe-delegatecall`);
      await page.setViewportSize({ width, height: 900 });
      assert.equal(await decision(page), 'reject');
      assert.equal(await page.isVisible('#safe [data-do-not-sign]'), true);
      assert.match(await page.textContent('#safe h2'), /rejected: do not sign/);
      assert.equal(await page.locator('#safe .safe-verdict').count(), 0, 'no green ✓ under a REJECT');
      assert.equal(await page.isVisible('#safe [data-safe-hashes]'), false, 'the hashes are not offered to compare and sign');
      await page.fill('#nested-safe', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
      await page.fill('#nested-nonce', '4');
      await page.fill('#nested-version', '1.4.1');
      await page.waitForSelector('#nested [data-do-not-sign]');
      assert.equal(await page.locator('#nested-out [data-safe-hashes]').count(), 0);
      await screenshot(page, `issue21-reject-safe-${width}`);
      await page.close();
    });
  }

  test('a HOLD whose package was never hashed offers no signing, and says what to supply first', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    assert.equal(await verifyDropped(page, 'standard-transparent', { without: ['package.tar'] }), 'hold');
    assert.equal(await page.getAttribute('#approve', 'data-state'), 'blocked');
    assert.match(await page.textContent('#approve [data-approve-blocked]'), /Not ready to sign/);
    assert.match(await page.textContent('#approve-blocked'), /package/);
    assert.equal(await page.locator('#approve [data-action="sign-approval"]:visible').count(), 0);
    assert.equal(await page.isVisible('[data-output="approval-message"]'), false);
    await page.close();
  });

  test('the forum card says at the top what it checked and what not, and links to the verifier', async () => {
    const manifest = join(examples, 'standard-transparent', 'manifest.json');
    const link = execFileSync(join(root, 'target', 'debug', 'upgrade-gate'), ['embed-link', manifest, '--base', env.srv.url], { encoding: 'utf8' }).trim();
    const page = await open(env.browser.context, link);
    const scope = await page.textContent('[data-card-scope]');
    assert.match(scope, /Not a verdict/);
    for (const word of ['approvals', 'release', 'effects', 'package']) assert.ok(scope.includes(word), word);
    assert.equal(await page.getAttribute('[data-card-scope] [data-verifier-link]', 'href'), 'index.html');
    const top = await page.evaluate(() => document.querySelector('[data-card-scope]').getBoundingClientRect().top);
    assert.ok(top < 120, `the scope is at the top (${top} px)`);
    assert.doesNotMatch(await page.textContent('.ebrand'), /checked in your browser/);
    await page.close();
  });

  for (const [width, height] of [[390, 800], [600, 700]]) {
    test(`${width}×${height}: the governance card's MISMATCH (a 77-digit announced id) stays inside the card`, async () => {
      const m = JSON.parse(readFileSync(join(examples, 'governor-timelock', 'manifest.json'), 'utf8'));
      m.governance.proposalId = m.governance.proposalId.replace(/1/g, '2');
      const dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-i21-'));
      const file = join(dir, 'manifest.json');
      writeFileSync(file, JSON.stringify(m, null, 2));
      const link = execFileSync(join(root, 'target', 'debug', 'upgrade-gate'), ['embed-link', file, '--base', env.srv.url], { encoding: 'utf8' }).trim();
      rmSync(dir, { recursive: true, force: true });
      const page = await open(env.browser.context, link);
      await page.setViewportSize({ width, height });
      await page.waitForSelector('[data-governance][data-declared="mismatch"]');
      assert.ok(await inside(page, '.gov-declared.bad', '#card'), 'the MISMATCH text is inside the card');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width + 1, `card ${wide} px wide at ${width} px`);
      await page.close();
    });
  }

  test('1280 px: the Nested Safe approveHash line stays inside its panel', async () => {
    const page = await open(env.browser.context, `${env.srv.url}#demo=safe-multisend`);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.equal(await decision(page), 'release');
    await page.fill('#nested-safe', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    await page.fill('#nested-nonce', '4');
    await page.fill('#nested-version', '1.4.1');
    await page.waitForSelector('#nested-out h3');
    assert.ok(await inside(page, '#nested-out h3', '#nested'), 'the approveHash line is inside the panel');
    await page.close();
  });

  test('no evaluation time given: the banner says it is this browser\'s clock, to the second, and the --now to reproduce it', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await drop(page, caseFiles('standard-transparent'));
    await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
    await page.click('#verify');
    await decision(page);
    assert.match(await page.textContent('#verdict .banner .when'), /this browser’s clock/);
    assert.match(await page.textContent('#verdict [data-now-arg]'), /^--now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await page.close();
  });

  for (const width of [390, 1280]) {
    test(`${width} px: a drop error is shown where the user is looking, scrolled down`, async () => {
      const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
      await page.setViewportSize({ width, height: 800 });
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await drop(page, [{ name: 'notes.bin', b64: Buffer.from('hello').toString('base64') }]);
      await page.waitForSelector('#toast:not([hidden])');
      const r = await page.evaluate(() => {
        const b = document.querySelector('#toast').getBoundingClientRect();
        return { top: b.top, bottom: b.bottom, left: b.left, right: b.right };
      });
      assert.ok(r.top >= 0 && r.bottom <= 800 && r.left >= 0 && r.right <= width, JSON.stringify(r));
      assert.match(await page.textContent('#toast'), /notes\.bin/);
      await page.close();
    });
  }

  test('a whole case folder can be picked ("Open a case folder…"), and one picked as the package is read as the case', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    const dir = join(examples, 'effects-bybit-slot0');
    let [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#open-case')]);
    await chooser.setFiles(dir);
    await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
    assert.ok((await page.inputValue('#release')).length > 0);
    await page.click('#clear-all');
    [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('.slot[data-slot="package"] [data-open-folder]')]);
    await chooser.setFiles(dir);
    await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
    assert.match(await page.textContent('#toast'), /whole case folder/);
    await page.close();
  });

  test('a misspelt field (two letters swapped: lnae, titel) gets a "did you mean"', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    const manifest = readFileSync(join(examples, 'standard-transparent', 'manifest.json'), 'utf8');
    await page.fill('#release', readFileSync(join(examples, 'standard-transparent', 'release.json'), 'utf8'));
    for (const [from, to] of [['"lane"', 'lane'], ['"title"', 'title']]) {
      const typo = from === '"lane"' ? '"lnae"' : '"titel"';
      await page.fill('#manifest', manifest.replace(from, typo));
      await page.click('#verify');
      assert.equal(await decision(page), 'error');
      assert.match(await page.textContent('#verdict'), new RegExp(`did you mean \`${to}\``));
    }
    await page.close();
  });

  test('600×700: the governance card says at its top what is further down', async () => {
    const manifest = join(examples, 'governor-timelock', 'manifest.json');
    const link = execFileSync(join(root, 'target', 'debug', 'upgrade-gate'), ['embed-link', manifest, '--base', env.srv.url], { encoding: 'utf8' }).trim();
    const page = await env.browser.context.newPage();
    await page.setViewportSize({ width: 600, height: 700 });
    await page.goto(link);
    await page.waitForSelector('body[data-ready]');
    await page.waitForSelector('[data-governance]');
    const below = page.locator('[data-below]');
    assert.equal(await below.isVisible(), true);
    assert.match(await below.textContent(), /Targets/);
    const top = await below.evaluate((n) => n.getBoundingClientRect().bottom);
    assert.ok(top < 700, `said in view (${top} px)`);
    await page.close();
  });

  test('390 px: the demo bar is one line and one button on a phone; after the user\'s own case it says so', async () => {
    const page = await env.browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(env.srv.url);
    await page.waitForSelector('body[data-ready]');
    await page.waitForSelector('#load-demo:not([disabled])');
    assert.equal(await page.locator('#demo-variants button:visible').count(), 0, 'the variants are folded away');
    assert.equal(await page.isVisible('#demo-more summary'), true);
    await drop(page, caseFiles('standard-transparent'));
    await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
    assert.match(await page.textContent('#demo-note'), /Your own case is on the page/);
    await page.close();
  });

  test('no manifest: a pasted Safe transaction is not said to be wrapped with the manifest; no "previous verdict" when there was none', async () => {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.fill('#release', JSON.stringify(safeTxOf('safe-multisend')));
    await page.waitForFunction(() => document.querySelector('#release-kind').textContent.length > 0);
    const kind = await page.textContent('#release-kind');
    assert.doesNotMatch(kind, /manifest’s digest/);
    assert.match(kind, /signer view/);
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    await page.fill('#now', '2026-11-23T10:00:00Z');
    await page.waitForSelector('#verdict [data-decision="stale"]');
    assert.doesNotMatch(await page.textContent('#verdict'), /previous verdict/);
    await page.close();
  });
});
