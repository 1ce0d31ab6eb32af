// The page's two modules (issue 24): the first, loaded with the page, and the
// complete one (SPEC §9 witness, §10 layouts), loaded once on first need,
// pinned by SRI. The first decides exactly as the complete one or refuses
// with `needs-full-module`; a changed complete module is refused and nothing
// is verified; offline.html carries the complete module and requests nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { caseInput, exampleCases, needsFullModule } from './cases.mjs';
import { browserAndServer, decision, fileUrl, open, root, www } from './helpers.mjs';

const FULL = /\/pkg\/full\/upgrade_gate_full\.js$/;

/** Runs `input` through the first module, the complete one and UpgradeGate.verify, in the page. */
function runBoth(page, input) {
  return page.evaluate(async (input) => {
    const run = async (f) => {
      try {
        return { report: JSON.stringify(await f()) };
      } catch (e) {
        return { error: String(e && e.message), code: e && e.code };
      }
    };
    const first = await run(() => UpgradeGate.api().verify(input));
    const full = await run(async () => (await UpgradeGate.full()).verify(input));
    const gate = await run(() => UpgradeGate.verify(input));
    return { first, full, gate };
  }, input);
}

describe('the page loads the complete module only when a case needs it', () => {
  const env = browserAndServer();

  test('every example: the first module gives the complete one\'s report byte for byte, or refuses with needs-full-module', async () => {
    const page = await open(env.browser.context, env.srv.url + '?noprefetch');
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const names = exampleCases();
    assert.ok(names.length > 20, `examples found: ${names.length}`);
    let refused = 0;
    for (const name of names) {
      const input = caseInput(name);
      const { first, full, gate } = await runBoth(page, input);
      assert.ok(full.report, `${name}: the complete module decides it (${full.error})`);
      assert.equal(gate.report, full.report, `${name}: UpgradeGate.verify answers as the complete module`);
      const expected = JSON.parse(readFileSync(join(root, 'examples', name, 'expected.json'), 'utf8'));
      assert.equal(JSON.parse(full.report).decision, expected.decision, `${name}: expected.json's decision`);
      if (needsFullModule(input)) {
        refused += 1;
        assert.equal(first.report, undefined, `${name}: the first module must not answer a witness or layout case`);
        assert.equal(first.code, 'needs-full-module', `${name}: ${first.error}`);
        assert.match(first.error, /needs the complete module: .*SPEC §(9|10)/, name);
      } else {
        assert.equal(first.report, full.report, `${name}: the two modules' reports differ`);
      }
    }
    assert.ok(refused >= 5, 'the witness and layout examples were run');
    // The complete module was fetched once, pinned, and nothing else.
    assert.deepEqual(requests.filter((u) => !FULL.test(u)), []);
    assert.equal(requests.length, 1, `one request for the complete module: ${requests}`);
    const integrity = await page.evaluate(() => document.querySelector('script[src$="pkg/full/upgrade_gate_full.js"]:not(template script)')?.integrity);
    assert.match(integrity || '', /^sha384-/, 'the inserted script carries the pinned hash');
    const full = await page.evaluate(() => UpgradeGate.fullModule());
    const first = await page.getAttribute('#wasm-hash', 'data-wasm-sha256');
    assert.match(full.wasmSha256, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(full.wasmSha256, first, 'the complete module is another module than the first');
    await page.close();
  });

  test('the first module is the one the page starts with, and it is smaller', async () => {
    const light = readFileSync(join(www, 'pkg', 'light', 'upgrade_gate_bg.wasm'));
    const full = readFileSync(join(www, 'pkg', 'upgrade_gate_bg.wasm'));
    assert.ok(light.length < full.length * 0.75, `first ${light.length} bytes, complete ${full.length}`);
    const index = readFileSync(join(www, 'index.html'), 'utf8');
    assert.match(index, /<template id="full-module"><script async src="pkg\/full\/upgrade_gate_full\.js" integrity="sha384-[^"]+"><\/script><\/template>/);
  });

  test('a layout case from the demo loads the complete module once; a case without needs nothing', async () => {
    const page = await open(env.browser.context, env.srv.url + '?noprefetch');
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.deepEqual(requests, [], 'no request for a case the first module decides');
    await page.click('button[data-case="layout-gap-shrunk"]');
    const shrunk = await decision(page);
    assert.equal(shrunk, JSON.parse(readFileSync(join(root, 'examples', 'layout-gap-shrunk', 'expected.json'), 'utf8')).decision);
    await page.click('button[data-case="layout-gap-not-shrunk"]');
    assert.equal(await decision(page), JSON.parse(readFileSync(join(root, 'examples', 'layout-gap-not-shrunk', 'expected.json'), 'utf8')).decision);
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.equal(requests.length, 1, `requests: ${requests}`);
    assert.match(requests[0], FULL);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a changed complete module is refused: the page fails closed and says why', async () => {
    const page = await open(env.browser.context, env.srv.url + '?noprefetch');
    // One byte of the served file changed: SRI must refuse it.
    await page.route(FULL, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('Generated by scripts/build.mjs', 'Generated by scripts/build.mjz');
      await route.fulfill({ response, body, headers: { ...response.headers(), 'content-encoding': 'identity' } });
    });
    const input = caseInput('anvil-safe-multisend');
    const out = await page.evaluate(async (input) => {
      const tries = [];
      for (let i = 0; i < 2; i++) {
        try {
          tries.push({ report: await UpgradeGate.verify(input) });
        } catch (e) {
          tries.push({ name: e.name, code: e.code, message: e.message });
        }
      }
      return tries;
    }, input);
    for (const t of out) {
      assert.equal(t.report, undefined, 'no report from a refused module');
      assert.equal(t.code, 'full-module-refused');
      assert.match(t.message, /refused: its bytes do not match the hash this page pins/);
    }
    // Through the page: a layout case answers with an error, never a verdict.
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.click('button[data-case="layout-gap-not-shrunk"]');
    assert.equal(await decision(page), 'error');
    assert.match(await page.textContent('#verdict'), /complete module .* was refused/);
    assert.doesNotMatch(await page.textContent('#verdict'), /RELEASE/);
    // The first module still decides the cases it can.
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.close();
  });
});

describe('offline.html carries the complete module', () => {
  const env = browserAndServer();

  test('from file://, a witness case is verified with no request at all after load', async () => {
    const page = await open(env.browser.context, fileUrl('offline.html'));
    const late = [];
    page.on('request', (r) => late.push(r.url()));
    for (const name of exampleCases().filter((n) => n.startsWith('anvil-'))) {
      const input = caseInput(name);
      const report = await page.evaluate((input) => UpgradeGate.verify(input), input);
      const expected = JSON.parse(readFileSync(join(root, 'examples', name, 'expected.json'), 'utf8'));
      assert.equal(report.decision, expected.decision, name);
      assert.deepEqual(report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort(), [...expected.fail].sort(), name);
      assert.equal(report.checks.find((c) => c.id === 'state.proof')?.status, 'pass', `${name}: the witness was proven`);
    }
    assert.equal(await page.evaluate(() => document.getElementById('full-module')), null, 'nothing left to load');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.deepEqual(late, []);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });
});
