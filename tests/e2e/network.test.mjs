// Trust: a CSP that forbids every connection, no request of any kind after
// load (whatever the person does), offline use, and a footer that names the
// SHA-256 of the wasm bytes actually running.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { browserAndServer, decision, open, server, www } from './helpers.mjs';

describe('trust', () => {
  const env = browserAndServer();

  test('the page issues no request after load, and works offline', async () => {
    const requests = [];
    let loaded = false;
    const record = (where) => (r) => requests.push({ where, url: r.url(), afterLoad: loaded });
    const onContext = record('context');
    env.browser.context.on('request', onContext);
    const page = await open(env.browser.context, env.srv.url + '?noprefetch');
    page.on('request', record('page'));
    page.on('websocket', (ws) => requests.push({ where: 'websocket', url: ws.url(), afterLoad: loaded }));
    for (const w of page.workers()) w.on('request', record('worker'));
    page.on('worker', (w) => {
      requests.push({ where: 'new worker', url: w.url(), afterLoad: loaded });
      w.on('request', record('worker'));
    });
    await page.waitForLoadState('networkidle');
    const atLoad = requests.length;
    assert.ok(atLoad > 0, 'the load itself was seen');
    loaded = true;
    // Everything a person does: demo, variants, a pasted Safe tx, a verification.
    await env.browser.context.setOffline(true);
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.click('button[data-case="folder-package"]');
    assert.equal(await decision(page), 'release');
    await page.click('button[data-case="safe-multisend"]');
    assert.equal(await decision(page), 'release');
    await page.click('#verify');
    assert.equal(await decision(page), 'release');
    // A request the page might try itself is refused by its CSP.
    const blocked = await page.evaluate(() => fetch('index.html').then(() => 'fetched', (e) => `refused: ${e.message}`));
    assert.match(blocked, /^refused/);
    await page.waitForTimeout(300);
    const late = requests.filter((r) => r.afterLoad && !(r.where === 'page' && /\/index\.html$/.test(r.url)));
    assert.deepEqual(late, [], `requests after load: ${JSON.stringify(late)}`);
    await env.browser.context.setOffline(false);
    env.browser.context.off('request', onContext);
    await page.close();
  });

  test('?noprefetch: after load, the only request is the pinned complete module, once, when a case needs it', async () => {
    const page = await open(env.browser.context, env.srv.url + '?noprefetch');
    await page.waitForLoadState('networkidle');
    const late = [];
    page.on('request', (r) => late.push(r.url()));
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    assert.deepEqual(late, [], 'a case without witness or layout needs nothing more');
    // SPEC §10: a layout case is decided by the complete module.
    await page.click('button[data-case="layout-gap-not-shrunk"]');
    await decision(page);
    await page.click('button[data-case="layout-gap-shrunk"]');
    await decision(page);
    await page.click('#verify');
    await decision(page);
    await page.waitForTimeout(300);
    assert.equal(late.length, 1, `requests after load: ${JSON.stringify(late)}`);
    assert.match(late[0], /\/pkg\/full\/upgrade_gate_full\.js$/);
    const integrity = await page.evaluate(() => document.querySelector('script[src$="pkg/full/upgrade_gate_full.js"]:not(template script)')?.integrity);
    assert.equal(integrity, await page.evaluate(() => document.querySelector('#full-module').content.querySelector('script').integrity));
    assert.match(integrity, /^sha384-/);
    await page.close();
  });

  test('on idle after ready the page fetches the pinned complete module once, and nothing else, ever', async () => {
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    env.browser.context.on('request', onRequest);
    const page = await open(env.browser.context, env.srv.url);
    await page.waitForFunction(() => UpgradeGate.fullModule() !== null, null, { timeout: 20000 });
    const atPrefetch = requests.length;
    assert.equal(requests.filter((u) => /\/pkg\/full\/upgrade_gate_full\.js$/.test(u)).length, 1, JSON.stringify(requests));
    // Then offline: witness and layout cases are decided with no request at all.
    await env.browser.context.setOffline(true);
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.click('button[data-case="layout-gap-not-shrunk"]');
    assert.equal(await decision(page), JSON.parse(readFileSync(join(www, '..', 'examples', 'layout-gap-not-shrunk', 'expected.json'), 'utf8')).decision);
    await page.waitForTimeout(300);
    assert.deepEqual(requests.slice(atPrefetch), [], 'no request after the prefetch');
    const integrity = await page.evaluate(() => document.querySelector('script[src$="pkg/full/upgrade_gate_full.js"]:not(template script)')?.integrity);
    assert.equal(integrity, await page.evaluate(() => document.querySelector('#full-module').content.querySelector('script').integrity));
    assert.deepEqual(await page.problems(), []);
    await env.browser.context.setOffline(false);
    env.browser.context.off('request', onRequest);
    await page.close();
  });

  test('a changed complete module refused at prefetch: silent until a case needs it, then an error, never a verdict', async () => {
    await env.browser.context.route('**/pkg/full/upgrade_gate_full.js', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('Generated by scripts/build.mjs', 'Generated by scripts/build.mjz');
      await route.fulfill({ response, body, headers: { ...response.headers(), 'content-encoding': 'identity' } });
    });
    try {
      const page = await open(env.browser.context, env.srv.url);
      await page.waitForFunction(() => document.querySelector('script[src$="pkg/full/upgrade_gate_full.js"]:not(template script)'), null, { timeout: 20000 });
      await page.waitForTimeout(500);
      assert.equal(await page.evaluate(() => UpgradeGate.fullModule()), null);
      await page.click('#load-demo');
      assert.equal(await decision(page), 'release', 'the first module still decides the cases it can');
      await page.click('button[data-case="layout-gap-not-shrunk"]');
      assert.equal(await decision(page), 'error');
      assert.match(await page.textContent('#verdict'), /complete module .* was refused/);
      await page.close();
    } finally {
      await env.browser.context.unroute('**/pkg/full/upgrade_gate_full.js');
    }
  });

  test('the demo cases are requested only once the bundle has arrived, pinned, and before the load event', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.waitForFunction(() => document.readyState === 'complete');
    const timing = await page.evaluate(() => {
      const entry = (name) => performance.getEntriesByType('resource').find((e) => e.name.endsWith(name));
      const bundle = entry('/pkg/index.bundle.js');
      const demo = entry('/demo/demo-data.js');
      const nav = performance.getEntriesByType('navigation')[0];
      return bundle && demo && { bundleEnd: bundle.responseEnd, demoStart: demo.startTime, demoEnd: demo.responseEnd, loadEvent: nav.loadEventStart };
    });
    assert.ok(timing, 'both were loaded');
    // On a slow link the two would share it: the module first.
    assert.ok(timing.demoStart >= timing.bundleEnd, JSON.stringify(timing));
    assert.ok(timing.demoEnd <= timing.loadEvent, `the load event waits for the demo cases: ${JSON.stringify(timing)}`);
    const integrity = await page.evaluate(() => document.querySelector('script[src$="demo/demo-data.js"]:not(template script)')?.integrity);
    assert.match(integrity || '', /^sha384-/, 'the inserted script carries the pinned hash');
    await page.waitForSelector('#load-demo:not([disabled])');
    await page.close();
  });

  test('the CSP forbids every connection and foreign script', async () => {
    const html = readFileSync(join(www, 'index.html'), 'utf8') + readFileSync(join(www, 'embed.html'), 'utf8');
    for (const page of ['index.html', 'embed.html', 'embed-governance.html']) {
      const text = readFileSync(join(www, page), 'utf8');
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(text)?.[1];
      assert.ok(csp, `${page} has a CSP`);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /connect-src 'none'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    }
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL: no CDN, no external font');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    for (const js of ['main.js', 'case.js', 'verdict.js', 'safe-release.js', 'drops.js', 'render.js', 'embed.js', 'gate.js', 'worker.js']) {
      assert.doesNotMatch(readFileSync(join(www, js), 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, js);
    }
  });

  test('the footer shows the SHA-256 of the wasm module that runs', async () => {
    // The page's first module (issue 24): the complete one runs only once a case needs it.
    const want = `sha256:${createHash('sha256').update(readFileSync(join(www, 'pkg', 'light', 'upgrade_gate_bg.wasm'))).digest('hex')}`;
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    assert.equal(await page.getAttribute('#wasm-hash', 'data-wasm-sha256'), want);
    const shown = await page.locator('#wasm-hash .hash').evaluate((n) => n.textContent);
    assert.equal(shown, want, 'the grouped hash copies back as the exact hash');
    await page.close();
  });

  test('the ES module of SPEC §6 runs in the browser with its own Sha256', async () => {
    // A test page outside the app, on the same server: the module as others use it.
    const page = await env.browser.context.newPage();
    await page.goto(env.srv.url + 'pkg/upgrade_gate.d.ts');
    const out = await page.evaluate(async () => {
      const m = await import('/pkg/upgrade_gate.js');
      await m.default();
      const h = new m.Sha256();
      h.update(new TextEncoder().encode('ab'));
      h.update(new TextEncoder().encode('c'));
      let error = null;
      try {
        m.verify({ manifest: '{"schema": "upgrade-gate/manifest/v1"}', release: '{}' });
      } catch (e) {
        error = e instanceof Error ? e.message : `not an Error: ${e}`;
      }
      return { hash: h.finalize(), error, exports: Object.keys(m).sort() };
    });
    assert.equal(out.hash, 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.match(out.error, /manifest/);
    for (const name of ['verify', 'Sha256', 'manifestDigest', 'actionsHash', 'safeTxHash', 'decodeCalldata', 'default']) {
      assert.ok(out.exports.includes(name), name);
    }
    await page.close();
  });
});
