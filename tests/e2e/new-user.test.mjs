// What new users hit when they tried the page and the card (task H11): each
// test failed before its fix. An approver who drops a case without evidence
// is told why the Effects panel is empty in the report's words; a forum reader
// reads the proxy kind as it is written (UUPS, not "Uups").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { browserAndServer, decision, open, root, screenshot } from './helpers.mjs';

const examples = join(root, 'examples');
const NOW = JSON.parse(readFileSync(join(examples, 'effects-uups-immutables', 'expected.json'), 'utf8')).now;

/** Runs the CLI (built by `cargo test`; built here if missing). */
function cli(...args) {
  const bin = join(root, 'target', 'debug', process.platform === 'win32' ? 'upgrade-gate.exe' : 'upgrade-gate');
  const r = existsSync(bin)
    ? spawnSync(bin, args, { encoding: 'utf8' })
    : spawnSync('cargo', ['run', '--quiet', '--bin', 'upgrade-gate', '--', ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Every file under an example, with its path inside it, minus `without`. */
function filesOf(name, { without = [] } = {}) {
  const dir = join(examples, name);
  const out = [];
  const walk = (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const path = relative(dir, p).split(sep).join('/');
      if (without.includes(path)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path, b64: readFileSync(p).toString('base64') });
    }
  };
  walk(dir);
  return out;
}

/** Drops a case folder as Chromium hands one over (a directory entry; see effects.test.mjs). */
function dropFolder(page, name, files) {
  return page.evaluate(
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
      const entry = dir(name, '');
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: { items: [{ kind: 'file', webkitGetAsEntry: () => entry }], files: [] } });
      document.querySelector('main').dispatchEvent(event);
    },
    { name, files },
  );
}

// The Anvil/Hardhat default account #3: a listed approver of standard-transparent
// who has not signed it (as in approve.test.mjs). A public test key, never for funds.
const APPROVER_KEY = '7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';

/** EIP-191 personal_sign of `text`: r ‖ s ‖ v with v 27/28, as a wallet returns it. */
function personalSign(key, text) {
  const message = new TextEncoder().encode(text);
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const all = new Uint8Array(prefix.length + message.length);
  all.set(prefix);
  all.set(message, prefix.length);
  const sig = secp256k1.sign(keccak_256(all), key);
  return `0x${sig.r.toString(16).padStart(64, '0')}${sig.s.toString(16).padStart(64, '0')}${(27 + sig.recovery).toString(16)}`;
}

describe('what new users hit', () => {
  const env = browserAndServer();

  test('an Effects panel without effects says why, in the report’s words: no evidence was given', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 390, height: 844 });
    await dropFolder(page, 'effects-uups-immutables-without-evidence', filesOf('effects-uups-immutables', { without: ['evidence.json'] }));
    await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]')?.dataset.sourceKind === 'case');
    await page.fill('#now', NOW);
    await page.click('#verify');
    assert.equal(await decision(page), 'hold');
    assert.equal(await page.getAttribute('#effects', 'data-effects'), 'none');
    const why = await page.textContent('#effects [data-effects-why]');
    const check = await page.textContent('#details tr[data-check="simulation.effects"]');
    assert.match(why, /no evidence supplied/, 'the panel says the evidence is missing');
    assert.doesNotMatch(why, /not a state diff/, 'not that a file nobody gave is of the wrong form');
    assert.match(check, /no evidence supplied/, 'as the check itself says');
    await screenshot(page, 'new-user-effects-no-evidence');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the card names each proxy kind as it is written: UUPS proxy, Transparent proxy', async () => {
    for (const [example, kind] of [['effects-uups-immutables', 'UUPS proxy'], ['standard-transparent', 'Transparent proxy']]) {
      const link = cli('embed-link', join(examples, example, 'manifest.json'), '--base', `${env.srv.url}embed.html`);
      const page = await open(env.browser.context, link);
      await page.setViewportSize({ width: 390, height: 844 });
      // innerText: the words as rendered, after any CSS text-transform.
      const shown = await page.locator('.target strong').first().evaluate((n) => n.innerText.trim());
      assert.equal(shown, kind, example);
      await screenshot(page, `new-user-card-${example}`);
      assert.deepEqual(await page.problems(), []);
      await page.close();
    }
  });

  test('a third approval on a quorum of two reads "3 approvals (2 required)", in the panel and the check, never "3 of 2"', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.waitForSelector('#approve[data-state="ready"]');
    const message = (await page.textContent('[data-output="approval-message"]')).trim();
    await page.fill('[data-input="signature"]', personalSign(APPROVER_KEY, message));
    await page.click('[data-action="check-signature"]');
    await page.waitForSelector('#approve-result[data-approve-result="added"]');
    await page.waitForSelector('#verdict .banner[data-decision="release"]');
    const status = await page.textContent('[data-approve-status]');
    assert.match(status, /^3 approvals \(2 required/, status);
    const check = await page.textContent('#details tr[data-check="approvals.quorum"]');
    assert.match(check, /3 approvals \(2 required\)/, check);
    for (const text of [status, check]) assert.doesNotMatch(text, /3 of 2/);
    await screenshot(page, 'new-user-approve-third');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a Safe field the release does not use or contradicts makes no decision: the verdict is of what the page shows', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('button[data-case="effects-safe-multisend"]');
    assert.equal(await decision(page), 'release');
    const release = JSON.parse(await page.inputValue('#release'));
    // A signer types the nonce they expect beside a release document that carries its own.
    await page.fill('#safe-nonce', String(Number(release.safeTx.nonce) + 1));
    await page.click('#verify');
    assert.equal(await decision(page), 'error', 'a nonce shown on the page but not used');
    assert.match(await page.textContent('#verdict'), /Nonce field/);
    // The same nonce as the release's: it agrees, and the verdict is the release's.
    await page.fill('#safe-nonce', String(release.safeTx.nonce));
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    // A chain id beside a release whose Safe transaction names another.
    await page.fill('#safe-chain-id', String(Number(release.safeTx.chainId) + 1));
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict'), /Chain id field/);
    await screenshot(page, 'new-user-safe-field-disagrees');
    // A release without a Safe transaction: no Safe field can be used.
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.fill('#safe-address', release.safeTx.safe || '0x4Ac49EEa116CDE79C605dFEf30E418A0fFEBA627');
    await page.click('#verify');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict'), /Safe field/);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a case folder without its manifest is named as such, and nothing of it is used', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    const before = await page.inputValue('#release');
    await dropFolder(page, 'vault-upgrade', filesOf('uups-initializer', { without: ['manifest.json'] }));
    await page.waitForFunction(() => /vault-upgrade\//.test(document.querySelector('#demo-note').textContent));
    const note = await page.textContent('#demo-note');
    assert.match(note, /vault-upgrade\/ has no manifest/, note);
    assert.doesNotMatch(note, /not a usual name/, note);
    assert.equal(await page.inputValue('#release'), before, 'the demo’s release stays, with its source shown');
    assert.equal(await page.getAttribute('[data-slot="release"] [data-source]', 'data-source-kind'), 'demo');
    await screenshot(page, 'new-user-folder-without-manifest');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });
});
