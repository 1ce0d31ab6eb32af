// Approve where you verify (issue 13): the page's Approve panel, driven
// through its real buttons with a test-only EIP-6963 wallet injected before
// the page loads. The keys stay in this test process (the wallet's
// personal_sign is answered here, through page.exposeFunction): the page holds
// none. The merged document is then judged by the CLI, independently.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { browserAndServer, decision, open, root, screenshot } from './helpers.mjs';

const CASE = 'standard-transparent';
const dir = join(root, 'examples', CASE);
const NOW = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now;
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const approvals = JSON.parse(readFileSync(join(dir, 'approvals.json'), 'utf8'));
const DIGEST = approvals.approvals[0].manifestDigest;

// The Anvil/Hardhat default accounts #3 (a listed approver of the example,
// who has not signed it) and #0 (its proposer, not an approver): keys printed
// by every local dev node, the same as tests/examples.rs uses. Never for funds.
const KEYS = {
  approver: '7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  stranger: 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
};

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (h) => Uint8Array.from(h.replace(/^0x/, '').match(/../g) || [], (b) => parseInt(b, 16));

function addressOf(key) {
  const pub = secp256k1.getPublicKey(key, false).slice(1);
  return `0x${hex(keccak_256(pub).slice(-20))}`;
}

/** EIP-191 personal_sign of `message` bytes: r ‖ s ‖ v with v 27/28, as wallets return it. */
function personalSign(key, message) {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const all = new Uint8Array(prefix.length + message.length);
  all.set(prefix);
  all.set(message, prefix.length);
  const sig = secp256k1.sign(keccak_256(all), key);
  return `0x${sig.r.toString(16).padStart(64, '0')}${sig.s.toString(16).padStart(64, '0')}${(27 + sig.recovery).toString(16)}`;
}

const ADDRESS = { approver: addressOf(KEYS.approver), stranger: addressOf(KEYS.stranger) };
const ICON = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="#36c"/></svg>').toString('base64')}`;
const WALLETS = [
  { uuid: 'approver-wallet', name: 'Approver Wallet', rdns: 'test.approver', icon: ICON, address: ADDRESS.approver },
  // A remote icon must not be loaded (no request, and the CSP's img-src would refuse it anyway).
  { uuid: 'stranger-wallet', name: 'Stranger Wallet', rdns: 'test.stranger', icon: 'https://wallet.invalid/icon.png', address: ADDRESS.stranger },
];

/** The example's files, with approvals.json holding only its first approver's entry. */
function caseFiles() {
  const one = JSON.stringify({ schema: approvals.schema, approvals: approvals.approvals.slice(0, 1) }, null, 2);
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => ({ name: f, b64: f === 'approvals.json' ? Buffer.from(one).toString('base64') : readFileSync(join(dir, f)).toString('base64') }));
}

function drop(page, list) {
  return page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, list);
}

async function verifyCase(page, files = caseFiles()) {
  await drop(page, files);
  await page.waitForFunction(() => document.querySelector('[data-slot="manifest"] [data-source]').dataset.sourceKind === 'case');
  await page.fill('#now', NOW);
  await page.click('#verify');
  return decision(page);
}

const signButton = (page, uuid) => page.locator(`#approve [data-action="sign-approval"][data-wallet="${uuid}"]`);
const result = (page) => page.waitForSelector('#approve-result[data-approve-result]:not([data-approve-result="working"])').then((n) => n.getAttribute('data-approve-result'));

/** `upgrade-gate verify --format json` of the example with these approvals. */
function cliVerify(approvalsText, tmp) {
  const path = join(tmp, `approvals-${Date.now()}.json`);
  writeFileSync(path, approvalsText);
  const built = join(root, 'target', 'debug', process.platform === 'win32' ? 'upgrade-gate.exe' : 'upgrade-gate');
  if (!existsSync(built)) execFileSync('cargo', ['build', '--bin', 'upgrade-gate'], { cwd: root, stdio: 'inherit' });
  const args = ['verify', '--manifest', 'manifest.json', '--release', 'release.json', '--approvals', path, '--package', 'package.tar', '--rollback-package', 'rollback.tar', '--evidence', 'evidence.json', '--now', NOW, '--format', 'json'];
  const r = spawnSync(built, args, { cwd: dir, encoding: 'utf8' });
  assert.ok(r.stdout, `upgrade-gate verify printed nothing: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('approve where you verify', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-approve-' });
  const signed = []; // every personal_sign the wallets were asked for

  before(async () => {
    // The test process is the wallets' key store: the page only sees a provider.
    await env.browser.context.exposeFunction('__testWalletSign', (who, messageHex, address) => {
      signed.push({ who, message: Buffer.from(unhex(messageHex)).toString('utf8'), address });
      return personalSign(KEYS[who], unhex(messageHex));
    });
    await env.browser.context.addInitScript((wallets) => {
      const announced = wallets.map((w) => ({
        info: Object.freeze({ uuid: w.uuid, name: w.name, icon: w.icon, rdns: w.rdns }),
        provider: {
          async request({ method, params }) {
            (window.__walletCalls ||= []).push({ wallet: w.uuid, method, params });
            if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [w.address];
            if (method === 'personal_sign') return window.__testWalletSign(w.uuid.replace(/-wallet$/, ''), params[0], params[1]);
            throw Object.assign(new Error(`${method} is not supported by this test wallet`), { code: 4200 });
          },
        },
      }));
      const announce = () => {
        for (const d of announced) window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze(d) }));
      };
      window.addEventListener('eip6963:requestProvider', announce);
      announce();
    }, WALLETS);
  });

  const fresh = () => open(env.browser.context, env.srv.url + '?noprefetch');

  test('the test keys are the example approvers: one listed and not yet counted, one not listed', () => {
    const listed = manifest.roles.approvers.map((a) => a.toLowerCase());
    assert.ok(listed.includes(ADDRESS.approver));
    assert.ok(!listed.includes(ADDRESS.stranger));
    assert.ok(!approvals.approvals.slice(0, 1).some((a) => a.approver.toLowerCase() === ADDRESS.approver));
  });

  test('a wallet signs the exact text of the verified digest; the merged document passes upgrade-gate verify', async () => {
    const page = await fresh();
    assert.equal(await verifyCase(page), 'hold', 'one approval of the two required: pending');
    assert.equal(await page.isVisible('#approve'), true);
    assert.equal(await page.textContent('[data-output="approval-message"]'), `upgrade-gate:approve:${DIGEST}`);
    // Several wallets, by name; an icon only from a data:image URI.
    await signButton(page, 'stranger-wallet').waitFor();
    assert.match(await signButton(page, 'approver-wallet').textContent(), /Approver Wallet/);
    assert.match(await signButton(page, 'stranger-wallet').textContent(), /Stranger Wallet/);
    assert.equal(await signButton(page, 'approver-wallet').locator('img').getAttribute('src'), ICON);
    assert.equal(await signButton(page, 'stranger-wallet').locator('img').count(), 0, 'no remote icon');

    // No request of any kind while signing, merging and verifying again.
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    env.browser.context.on('request', onRequest);
    const before = signed.length;
    await signButton(page, 'approver-wallet').click();
    assert.equal(await result(page), 'added');
    await page.waitForFunction(() => document.querySelector('[data-slot="approvals"] [data-source]').dataset.sourceKind === 'signed');
    assert.equal(await decision(page), 'release', 'the verdict refreshed with the merged document');
    await page.waitForTimeout(200);
    env.browser.context.off('request', onRequest);
    assert.deepEqual(requests, [], 'no network request while signing');

    // The wallet was asked for accounts, then to sign exactly that text, as hex UTF-8, by that account.
    const calls = await page.evaluate(() => window.__walletCalls);
    assert.deepEqual(calls.map((c) => c.method), ['eth_requestAccounts', 'personal_sign']);
    assert.equal(calls[1].params[0], `0x${Buffer.from(`upgrade-gate:approve:${DIGEST}`).toString('hex')}`);
    assert.equal(calls[1].params[1], ADDRESS.approver);
    assert.deepEqual(signed.slice(before), [{ who: 'approver', message: `upgrade-gate:approve:${DIGEST}`, address: ADDRESS.approver }]);

    // Shown, in the Approvals slot ("signed in this page"), downloadable without the network.
    const out = await page.textContent('[data-output="approvals"]');
    assert.equal(await page.inputValue('#approvals'), out);
    assert.match(await page.textContent('[data-slot="approvals"] [data-source]'), /signed in this page/);
    assert.match(await page.getAttribute('[data-download-approvals]', 'href'), /^blob:/);
    assert.equal(await page.getAttribute('[data-download-approvals]', 'download'), 'approvals.json');
    await screenshot(page, 'approve-signed');

    // The CLI, on its own, counts the approval the page merged.
    const doc = JSON.parse(out);
    assert.equal(doc.approvals.length, 2);
    const report = cliVerify(out, env.tmp);
    assert.equal(report.decision, 'release');
    assert.equal(report.checks.find((c) => c.id === 'approvals.quorum').status, 'pass');
    const without = cliVerify(JSON.stringify({ schema: approvals.schema, approvals: doc.approvals.slice(0, 1) }), env.tmp);
    assert.equal(without.checks.find((c) => c.id === 'approvals.quorum').status, 'pending', 'without the page’s entry, the quorum is not met');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a signature from an unlisted account is flagged and not merged', async () => {
    const page = await fresh();
    assert.equal(await verifyCase(page), 'hold');
    const slotBefore = await page.inputValue('#approvals');
    await signButton(page, 'stranger-wallet').click();
    assert.equal(await result(page), 'notListed');
    assert.match(await page.textContent('#approve-result'), /not a listed approver/);
    assert.equal(await page.getAttribute('#approve-result [data-signer]', 'data-signer').then((a) => a.toLowerCase()), ADDRESS.stranger);
    assert.equal(await page.locator('[data-output="approvals"]').count(), 0, 'no document offered');
    assert.equal(await page.inputValue('#approvals'), slotBefore, 'the Approvals slot is unchanged');
    assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'hold', 'the verdict stands');
    await page.close();
  });

  test('a REJECT verdict offers no signing', async () => {
    const page = await fresh();
    const files = caseFiles().map((f) => (f.name === 'package.tar' ? { ...f, b64: Buffer.from('not the reviewed package').toString('base64') } : f));
    assert.equal(await verifyCase(page, files), 'reject');
    assert.equal(await page.isVisible('#approve'), false);
    assert.equal(await page.locator('[data-action="sign-approval"]:visible').count(), 0);
    assert.equal(await page.locator('[data-input="signature"]:visible').count(), 0);
    await page.close();
  });

  test('an input changed after Verify disables signing until the next Verify', async () => {
    const page = await fresh();
    assert.equal(await verifyCase(page), 'hold');
    assert.equal(await signButton(page, 'approver-wallet').isEnabled(), true);
    await page.fill('#now', '2026-11-23T10:00:01Z');
    assert.equal(await signButton(page, 'approver-wallet').isDisabled(), true);
    assert.equal(await page.locator('[data-input="signature"]').isDisabled(), true);
    assert.equal(await page.isVisible('#approve-stale'), true);
    assert.equal(await page.isVisible('[data-output="approval-message"]'), false, 'no text to sign beside a verdict that is gone');
    const calls = await page.evaluate(() => (window.__walletCalls || []).length);
    await signButton(page, 'approver-wallet').click({ force: true }).catch(() => {});
    assert.equal(await page.evaluate(() => (window.__walletCalls || []).length), calls, 'the wallet was not asked');
    await page.click('#verify');
    assert.equal(await decision(page), 'hold');
    assert.equal(await signButton(page, 'approver-wallet').isEnabled(), true);
    assert.equal(await page.isVisible('[data-output="approval-message"]'), true);
    await page.close();
  });

  test('a signature made elsewhere can be pasted and is checked the same way', async () => {
    const page = await fresh();
    assert.equal(await verifyCase(page), 'hold');
    await page.fill('[data-input="signature"]', '0x1234');
    await page.click('[data-action="check-signature"]');
    assert.equal(await result(page), 'error');
    assert.match(await page.textContent('#approve-result'), /signature/);
    const message = await page.textContent('[data-output="approval-message"]');
    await page.fill('[data-input="signature"]', `  ${personalSign(KEYS.approver, new TextEncoder().encode(message))}\n`);
    await page.click('[data-action="check-signature"]');
    assert.equal(await result(page), 'added');
    assert.equal(await decision(page), 'release');
    const report = cliVerify(await page.textContent('[data-output="approvals"]'), env.tmp);
    assert.equal(report.checks.find((c) => c.id === 'approvals.quorum').status, 'pass');
    // The result names the verdict "above" (issue 21: it is above the panel).
    assert.match(await page.textContent('#approve-result'), /The verdict above is refreshed/);
    // Issue 21: an input changed — the earlier "quorum is met" is not left beside stale inputs.
    await page.fill('#now', '2026-11-23T10:00:01Z');
    assert.equal(await result(page), 'stale');
    assert.doesNotMatch(await page.textContent('#approve-result'), /quorum is met/);
    // Another case: the panel was for the case that went, so it goes (not "an input changed").
    await page.evaluate(() => CaseState.emptyCase()); // what a dropped case folder or a demo case does first
    assert.equal(await page.isVisible('#approve'), false);
    assert.doesNotMatch(await page.textContent('#approve-result'), /An input changed|quorum is met/);
    await page.close();
  });

  test('approve.js renders no markup from data', () => {
    assert.doesNotMatch(readFileSync(join(root, 'www', 'approve.js'), 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});

describe('approve with a legacy injected wallet', () => {
  const env = browserAndServer();

  before(async () => {
    await env.browser.context.exposeFunction('__testLegacySign', (messageHex) => personalSign(KEYS.approver, unhex(messageHex)));
    // No EIP-6963 announcement: only window.ethereum, as older wallets inject it.
    await env.browser.context.addInitScript((address) => {
      window.ethereum = {
        async request({ method, params }) {
          if (method === 'eth_requestAccounts') return [address];
          if (method === 'personal_sign') return window.__testLegacySign(params[0]);
          throw Object.assign(new Error(`${method} is not supported`), { code: 4200 });
        },
      };
    }, ADDRESS.approver);
  });

  test('window.ethereum is offered when no wallet announces itself, and signs the same way', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    assert.equal(await verifyCase(page), 'hold');
    const buttons = page.locator('#approve [data-action="sign-approval"]');
    assert.equal(await buttons.count(), 1);
    assert.match(await buttons.textContent(), /window\.ethereum/);
    await buttons.click();
    assert.equal(await result(page), 'added');
    assert.equal(await decision(page), 'release');
    await page.close();
  });
});
