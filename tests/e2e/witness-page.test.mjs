// Issue 24 on the page: the witness is a case slot, the block hash is typed by
// the user beside what the witness claims, and the verdict is the CLI's.
// Sequences as an approver performs them: a case folder with a witness, first
// without the hash (HOLD, the field pointed at), then a wrong hash, then the
// right one; a witness that misses a slot; the next case without reloading;
// reload and Back.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { spawnSync, execFileSync } from 'node:child_process';
import { browserAndServer, checkStatus, decision, open, root, screenshot, shots, shownHash, filesOf, dropFolder } from './helpers.mjs';

const examples = join(root, 'examples');
const ANVIL = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'witness.json'))).sort();
const expectedOf = (name) => JSON.parse(readFileSync(join(examples, name, 'expected.json'), 'utf8'));
const blockHashOf = (name) => readFileSync(join(examples, name, 'block-hash.txt'), 'utf8').trim();
const WRONG = `0x${'ab'.repeat(32)}`;

async function dropCase(page, name) {
  await dropFolder(page, name, filesOf(join(examples, name)));
  await page.waitForFunction(() => document.querySelector('[data-slot="package"] [data-source]').dataset.sourceKind === 'case');
}

/** `upgrade-gate verify … --format json` on an example, with this block hash (or none). */
function cli(name, blockHash) {
  const bin = join(root, 'target', 'debug', 'upgrade-gate');
  if (!existsSync(bin)) execFileSync('cargo', ['build', '--bin', 'upgrade-gate'], { cwd: root, stdio: 'inherit' });
  const dir = join(examples, name);
  const args = ['verify', '--manifest', 'manifest.json', '--release', 'release.json', '--approvals', 'approvals.json', '--package-dir', 'package',
    '--rollback-package', 'rollback.tar', '--evidence', 'evidence.json', '--now', expectedOf(name).now, '--format', 'json'];
  if (existsSync(join(dir, 'policy.json'))) args.push('--policy', 'policy.json');
  if (existsSync(join(dir, 'witness.json'))) args.push('--witness', 'witness.json');
  if (blockHash) args.push('--block-hash', blockHash);
  const r = spawnSync(bin, args, { cwd: dir, encoding: 'utf8' });
  assert.ok(r.stdout, `upgrade-gate verify printed nothing: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const shownReport = async (page) => JSON.parse(await page.textContent('#report-json pre'));
const detailOf = (report, id) => report.checks.find((c) => c.id === id).detail;
const banner = (page) => page.getAttribute('#verdict .banner', 'data-decision');

describe('the page with a witness and the block hash you trust (SPEC §9, issue 24)', () => {
  const env = browserAndServer();

  /** The page as an approver opens it, at `now` on this browser's clock (the examples' blocks are recent then). */
  async function fresh(now, width = 1360) {
    const page = await open(env.browser.context, `${env.srv.url}?nodemo`);
    await page.setViewportSize({ width, height: 1000 });
    if (now) await page.clock.setFixedTime(new Date(now));
    return page;
  }

  for (const name of ANVIL) {
    test(`${name}: the case folder and the typed hash give the report \`upgrade-gate verify --format json\` prints`, async () => {
      const page = await fresh();
      await dropCase(page, name);
      assert.equal(await page.getAttribute('[data-slot="witness"] [data-source]', 'data-source-kind'), 'case');
      // Never pre-filled from the case: block-hash.txt is the proposer's, not the user's.
      assert.equal(await page.inputValue('#trusted-block-hash'), '');
      await page.fill('#now', expectedOf(name).now);
      await page.fill('#trusted-block-hash', blockHashOf(name));
      await page.click('#verify');
      assert.equal(await decision(page), expectedOf(name).decision);
      assert.deepEqual(await shownReport(page), cli(name, blockHashOf(name)));
      assert.equal(await page.getAttribute('#verdict [data-source-of="trustedBlockHash"]', 'data-source-kind'), 'typed');
      assert.deepEqual(await page.problems(), []);
      await page.close();
    });
  }

  test('a case folder with a witness: no hash (HOLD, the field pointed at), a wrong one, the right one; an edit after Verify', async () => {
    const name = 'anvil-safe-multisend';
    const { now } = expectedOf(name);
    const page = await fresh(now);
    await dropCase(page, name);
    // What the witness claims, beside the empty field, with where to read the hash.
    await page.waitForSelector('#witness-claims[data-block="16"]');
    assert.equal(await page.inputValue('#trusted-block-hash'), '');
    assert.equal(await shownHash(page.locator('[data-claimed-hash] .hash')), blockHashOf(name));
    assert.match(await page.textContent('[data-typed-hash]'), /not typed yet/);
    assert.match(await page.textContent('[data-cast-block]'), /^cast block 16 --field hash/);
    assert.match(await page.textContent('#witness-claims'), /Block 16 of chain 31337/);
    assert.match(await page.textContent('[data-block-age]'), /before now/);
    assert.match(await page.textContent('#demo-note'), /block-hash\.txt/);

    // 1. No hash: HOLD, and the verdict points at the field.
    await page.click('#verify');
    assert.equal(await decision(page), 'hold');
    assert.equal(await checkStatus(page, 'state.proof'), 'pending');
    assert.equal(await page.getAttribute('#trust', 'data-needed'), '');
    assert.match(await page.textContent('#verdict [data-points-to="trusted-block-hash"]'), /Block hash you trust/);
    assert.equal(await page.getAttribute('#effects [data-effects-source]', 'data-effects-source'), 'none');
    await screenshot(page, 'witness-1-no-hash-1360');
    await page.click('[data-action="go-to-trusted-hash"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'trusted-block-hash');

    // 2. A wrong hash: typing clears the verdict; the core's state.proof fails.
    await page.keyboard.type(WRONG);
    assert.equal(await banner(page), 'stale');
    assert.equal(await page.getAttribute('#trust', 'data-needed'), null);
    assert.equal(await shownHash(page.locator('[data-typed-hash] .hash')), WRONG);
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await checkStatus(page, 'state.proof'), 'fail');
    const wrong = cli(name, WRONG);
    assert.equal(await page.textContent('tr[data-check="state.proof"] .detail'), detailOf(wrong, 'state.proof'));
    assert.deepEqual((await shownReport(page)).checks, wrong.checks.map((c) => ({ ...c, detail: c.detail })));
    // The lead says the witness proved nothing against the typed hash, not that the release differs.
    const lead = await page.textContent('#verdict [data-lead]');
    assert.match(lead, /does not prove its state against the block hash you gave/);
    assert.doesNotMatch(lead, /not what was approved/);

    // One digit off: the group of four that differs is marked, in both hashes.
    const right = blockHashOf(name);
    await page.fill('#trusted-block-hash', right.slice(0, -1) + (right.endsWith('0') ? '1' : '0'));
    assert.equal(await page.getAttribute('[data-hash-differs]', 'data-hash-differs'), '1');
    assert.equal(await page.locator('[data-typed-hash] .g.differs').count(), 1);
    assert.equal(await page.locator('[data-claimed-hash] .g.differs').count(), 1);

    // 3. The right hash: re-executed here, RELEASE.
    await page.fill('#trusted-block-hash', blockHashOf(name));
    assert.equal(await page.locator('[data-hash-differs], .g.differs').count(), 0, 'equal hashes: nothing marked');
    assert.equal(await banner(page), 'stale');
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    assert.deepEqual((await shownReport(page)).checks, cli(name, blockHashOf(name)).checks);
    const source = page.locator('#effects [data-effects-source="replay"]');
    assert.match(await source.textContent(), /Re-executed here, on state proven against block 16/);
    assert.equal(await shownHash(source.locator('.hash')), blockHashOf(name));
    assert.equal(await page.getAttribute('#effects [data-safe-version]', 'data-safe-version'), '1.4.1');
    assert.equal(await page.getAttribute('#effects [data-safe-version]', 'data-claimed-version'), '1.4.1');
    await screenshot(page, 'witness-3-right-hash-1360');

    // An edit of the field after Verify clears the verdict, as any input edit does.
    await page.focus('#trusted-block-hash');
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    assert.equal(await banner(page), 'stale');
    assert.equal(await page.locator('#effects').count(), 0);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a witness that misses a slot: REJECT naming the slot and the cast command; then the next case keeps nothing of it; reload and Back bring no verdict', async () => {
    const name = 'anvil-missing-slot';
    const page = await fresh(expectedOf(name).now);
    // An earlier case's hash is on the page: the next case folder takes it away.
    await dropCase(page, 'anvil-safe-multisend');
    await page.fill('#trusted-block-hash', blockHashOf('anvil-safe-multisend'));
    await dropCase(page, name);
    assert.equal(await page.inputValue('#trusted-block-hash'), '');
    await page.fill('#trusted-block-hash', blockHashOf(name));
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    const expected = cli(name, blockHashOf(name));
    assert.deepEqual((await shownReport(page)).checks, expected.checks);
    const command = /fetch it with `([^`]+)`/.exec(detailOf(expected, 'simulation.replay'))[1];
    const unproven = page.locator('#effects [data-unproven]');
    assert.equal(await unproven.getAttribute('data-account'), '0xC05e24398c12B31ee2626AB1b9708AacD287082F');
    assert.equal(await unproven.getAttribute('data-slot'), `0x${'0'.repeat(64)}`);
    assert.equal(await page.textContent('#effects [data-cast-proof]'), command);
    assert.match(command, /^cast proof 0xC05e24398c12B31ee2626AB1b9708AacD287082F 0x0{64} --block 16$/);
    await page.locator('#effects').screenshot({ path: join(shots, 'witness-missing-slot-effects.png') });

    // The next case, no reload: nothing of the witness or the hash remains.
    await dropCase(page, 'standard-transparent');
    assert.equal(await page.inputValue('#witness'), '');
    assert.equal(await page.inputValue('#trusted-block-hash'), '');
    assert.equal(await page.isHidden('#witness-claims'), true);
    await page.fill('#now', expectedOf('standard-transparent').now);
    await page.click('#verify');
    assert.equal(await decision(page), expectedOf('standard-transparent').decision);
    const report = await shownReport(page);
    assert.equal(report.replay, undefined);
    assert.equal(report.checks.find((c) => c.id === 'state.proof').status, 'skip');
    assert.equal(await page.getAttribute('#verdict [data-source-of="witness"]', 'data-source-kind'), 'none');
    assert.equal(await page.getAttribute('#verdict [data-source-of="trustedBlockHash"]', 'data-source-kind'), 'none');

    // Reload, and away and Back: no verdict comes back, nor the witness or the hash.
    for (const step of ['reload', 'back']) {
      await dropCase(page, 'anvil-safe-multisend');
      await page.fill('#trusted-block-hash', blockHashOf('anvil-safe-multisend'));
      await page.click('#verify');
      assert.equal(await decision(page), 'release');
      if (step === 'reload') await page.reload();
      else {
        await page.goto(`${env.srv.url}embed.html`);
        await page.goBack();
      }
      await page.waitForSelector('body[data-ready]');
      await page.waitForTimeout(300);
      assert.equal(await banner(page), 'none', step);
      assert.equal(await page.inputValue('#trusted-block-hash'), '', step);
      assert.equal(await page.inputValue('#witness'), '', step);
    }
    await page.close();
  });

  test('a forged diff: the proposer’s diff and the re-execution side by side at the first difference', async () => {
    const name = 'anvil-forged-diff';
    const page = await fresh(expectedOf(name).now);
    await dropCase(page, name);
    await page.fill('#trusted-block-hash', blockHashOf(name));
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    const expected = cli(name, blockHashOf(name));
    assert.deepEqual((await shownReport(page)).checks, expected.checks);
    assert.match(await page.textContent('#verdict [data-lead]'), /What would run is not what was approved/, 'the re-execution differs from the approved diff');
    const [, account, slot, replay, evidence] = /(0x[0-9a-fA-F]{40}) slot (0x[0-9a-f]{64}): after (\S+|not shown) in the replay, (\S+|not shown) in the evidence/.exec(detailOf(expected, 'simulation.replay'));
    const diff = page.locator('#effects [data-first-difference]');
    assert.equal(await diff.getAttribute('data-account'), account);
    assert.equal(await diff.getAttribute('data-slot'), slot);
    const side = (s) => diff.locator(`[data-side="${s}"] .v`);
    for (const [s, word] of [['replay', replay], ['evidence', evidence]]) {
      if (word === 'not shown') assert.equal(await side(s).textContent(), 'not shown', s);
      else assert.equal(await side(s).locator('[data-word]').getAttribute('data-word'), word, s);
    }
    // Not re-executed to its end as the proposer says: the panel says whose effects there are none of.
    assert.equal(await page.getAttribute('#effects [data-effects-source]', 'data-effects-source'), 'none');
    await page.locator('#effects').screenshot({ path: join(shots, 'witness-forged-diff-effects.png') });
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a witness opened on its box, dropped alone on the page (routed by its schema), or pasted broken: its claims, or the error with line and column', async () => {
    const name = 'anvil-code-one-byte';
    const page = await fresh();
    await page.click('.slot[data-slot="witness"] [data-open]');
    await page.setInputFiles('#file-picker', join(examples, name, 'witness.json'));
    await page.waitForSelector('#witness-claims[data-block]');
    assert.equal(await page.getAttribute('[data-slot="witness"] [data-source]', 'data-source-kind'), 'file');
    assert.equal(await shownHash(page.locator('[data-claimed-hash] .hash')), blockHashOf(name));
    await page.click('#clear-all');
    assert.equal(await page.isHidden('#witness-claims'), true);
    // Alone on the page, under another name: its "schema" says where it goes.
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'proofs-block-16.json', { type: 'application/json' }));
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: dt });
      document.querySelector('main').dispatchEvent(event);
    }, readFileSync(join(examples, name, 'witness.json'), 'utf8'));
    await page.waitForSelector('#witness-claims[data-block]');
    assert.equal(await page.getAttribute('[data-slot="witness"] [data-source]', 'data-source-kind'), 'file');
    // A broken one, pasted: the core's error, with the field, line and column; never a verdict.
    const broken = readFileSync(join(examples, name, 'witness.json'), 'utf8').replace('"chainId": 31337', '"chainId": "thirty"');
    assert.notEqual(broken, readFileSync(join(examples, name, 'witness.json'), 'utf8'));
    await page.fill('#witness', broken);
    await page.waitForSelector('[data-witness-error]');
    assert.equal(await page.getAttribute('[data-witness-error]', 'data-witness-error'), 'chainId');
    assert.match(await page.textContent('[data-witness-error]'), /line \d+, column \d+/);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the forum card does not re-execute: it says whose effects they are and links to the verifier page for that', async () => {
    for (const [card, verifier] of [['embed.html', 'index.html'], ['offline-embed.html', 'offline.html']]) {
      const page = await env.browser.context.newPage();
      const manifest = readFileSync(join(examples, 'anvil-safe-multisend', 'manifest.json'), 'utf8');
      await page.goto(`${env.srv.url}${card}#manifest=${encodeURIComponent(manifest)}`);
      await page.waitForSelector('body[data-ready]');
      const said = await page.textContent('[data-effects-card]');
      assert.match(said, /^not checked on this card/);
      assert.match(said, /from the proposer’s simulation unless re-executed there/);
      const link = page.locator('[data-effects-card] [data-reexecute-link]');
      assert.equal(await link.getAttribute('href'), verifier, card);
      assert.equal(new URL(await link.evaluate((a) => a.href)).pathname.endsWith(verifier), true);
      await page.close();
    }
  });

  test('the witness case at 390, 1280 and 1920 px: what the witness claims beside the field, and the verdict pointing at it', async () => {
    const name = 'anvil-safe-multisend';
    for (const width of [390, 1280, 1920]) {
      const page = await fresh(expectedOf(name).now, width);
      await dropCase(page, name);
      await page.waitForSelector('#witness-claims[data-block="16"]');
      await page.click('#verify');
      assert.equal(await decision(page), 'hold');
      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert.ok(overflow <= 0, `${width}px: ${overflow}px wider than the screen`);
      await page.locator('#verdict .banner').screenshot({ path: join(shots, `witness-hold-banner-${width}.png`) });
      await page.locator('#trust').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `witness-hold-${width}.png`), fullPage: false });
      await page.fill('#trusted-block-hash', blockHashOf(name));
      await page.click('#verify');
      assert.equal(await decision(page), 'release');
      await screenshot(page, `witness-release-${width}`);
      await page.locator('#effects').screenshot({ path: join(shots, `witness-release-effects-${width}.png`) });
      await page.close();
    }
  });
});
