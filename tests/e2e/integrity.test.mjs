// Issue 5, "a verifier that can be verified": the page's Content-Security-Policy
// is strict, and every script it loads is pinned by Subresource Integrity so
// that a changed script is refused. The build writes the pinned pages from
// www/templates/, and unpinned twins for file:// (where Chromium cannot
// enforce SRI and would block every pinned script).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { FULL_MODULE_TAG } from '../../scripts/build.mjs';
import { serve } from '../../scripts/serve.mjs';
import { launch, www } from './helpers.mjs';

const PAGES = ['index.html', 'embed.html', 'embed-governance.html'].filter((p) => existsSync(join(www, p)));
// Each page's template, and what the governance card loads instead of the card's module (scripts/build.mjs PAGES).
const TEMPLATE = { 'index.html': ['index.html'], 'embed.html': ['embed.html'], 'embed-governance.html': ['embed.html', ['pkg/card/', 'pkg/card-governance/']] };

/** The page's CSP as { directive: [sources] }, from its <meta http-equiv>. */
function csp(html) {
  const m = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  assert.ok(m, 'the page declares a Content-Security-Policy');
  return Object.fromEntries(
    m[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

/** Every <script> element: its src and integrity attributes. */
function scripts(html) {
  return [...html.matchAll(/<script\b([^>]*)>/gi)].map(([, attrs]) => ({
    src: attrs.match(/\bsrc="([^"]*)"/i)?.[1] ?? null,
    integrity: attrs.match(/\bintegrity="([^"]*)"/i)?.[1] ?? null,
  }));
}

const sri = (bytes, alg) => `${alg}-${createHash(alg).update(bytes).digest('base64')}`;
const OFFLINE = { 'index.html': 'offline.html', 'embed.html': 'offline-embed.html', 'embed-governance.html': 'offline-embed-governance.html' };
const BUNDLE = 'pkg/index.bundle.js';

/**
 * A copy of the built site, changed by `change(dir)`, served on a port of its
 * own, with a browser: `{ browser, srv, dir }`, filled in before the tests.
 */
function servedCopy(change) {
  const env = {};
  before(async () => {
    env.dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-integrity-'));
    cpSync(www, env.dir, { recursive: true });
    change(env.dir);
    env.browser = await launch();
    const s = await serve({ port: 0, dir: env.dir });
    env.srv = { url: s.url, stop: () => new Promise((r) => s.server.close(r)) };
  });
  after(async () => {
    await env.browser?.close();
    await env.srv?.stop();
    rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

describe('integrity', () => {
  for (const page of PAGES) {
    test(`${page}: a strict CSP — nothing but the page's own scripts, no connections`, () => {
      const policy = csp(readFileSync(join(www, page), 'utf8'));
      assert.deepEqual(policy['default-src'], ["'none'"]);
      assert.deepEqual(policy['connect-src'], ["'none'"], 'no request of any kind after load');
      assert.deepEqual(policy['object-src'], ["'none'"]);
      assert.deepEqual(policy['base-uri'], ["'none'"]);
      assert.deepEqual(policy['form-action'], ["'none'"]);
      const scriptSrc = policy['script-src'] ?? [];
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:', 'http:', 'https:']) {
        assert.ok(!scriptSrc.includes(bad), `script-src must not allow ${bad}: ${scriptSrc.join(' ')}`);
      }
      assert.ok(scriptSrc.every((s) => s.startsWith("'")), `script-src names no host: ${scriptSrc.join(' ')}`);
    });

    test(`${page}: no inline script`, () => {
      for (const s of scripts(readFileSync(join(www, page), 'utf8'))) {
        assert.ok(s.src, 'every script is a file the CSP and SRI can pin');
      }
    });

    test(`${page}: every script and stylesheet is pinned by Subresource Integrity`, () => {
      const html = readFileSync(join(www, page), 'utf8');
      const styles = [...html.matchAll(/<link\b([^>]*rel="stylesheet"[^>]*)>/gi)].map(([, attrs]) => ({
        src: attrs.match(/\bhref="([^"]*)"/i)?.[1] ?? null,
        integrity: attrs.match(/\bintegrity="([^"]*)"/i)?.[1] ?? null,
      }));
      assert.ok(styles.length > 0, 'the page has its stylesheet');
      for (const s of [...scripts(html), ...styles]) {
        assert.ok(s.integrity, `${s.src} has no integrity attribute`);
        const bytes = readFileSync(join(www, s.src));
        // The file's hash, and for a bundle also the hash of what its brotli
        // twin decodes to (the module as hex: see embedModule in scripts/build.mjs).
        const [own, ...others] = s.integrity.split(' ');
        const alg = own.split('-')[0];
        assert.ok(['sha256', 'sha384', 'sha512'].includes(alg), `${s.src}: ${alg}`);
        assert.equal(own, sri(bytes, alg), `${s.src}: the pinned hash is the file's`);
        const twin = join(www, `${s.src}.br`);
        assert.deepEqual(others, others.length ? [sri(brotliDecompressSync(readFileSync(twin)), alg)] : [], `${s.src}: any other pinned hash is its brotli twin's`);
      }
    });
  }

  for (const [page, offline] of Object.entries(OFFLINE)) {
    test(`${offline} is ${page} without the integrity attributes (file:// cannot check them)`, () => {
      const strip = (html) =>
        html
          .replace(/ integrity="[^"]*"/g, '')
          .replace(/href="offline\.html"/g, 'href="index.html"')
          // offline.html's bundle has the complete module in place of the first, and nothing to load later (issue 24).
          .replace('src="pkg/offline.bundle.js"', 'src="pkg/index.bundle.js"')
          .replace(FULL_MODULE_TAG, '')
          .replace(/<!-- Generated [^\n]* -->\n/, '');
      const served = readFileSync(join(www, page), 'utf8');
      const unpinned = readFileSync(join(www, offline), 'utf8');
      assert.ok(!/integrity=/.test(unpinned));
      assert.equal(strip(unpinned), strip(served));
    });
  }

  for (const page of PAGES) {
    test(`${page}: its deferred scripts are the template's, joined byte for byte`, () => {
      const [from, swap] = TEMPLATE[page];
      let template = readFileSync(join(www, 'templates', from), 'utf8');
      if (swap) template = template.replaceAll(`src="${swap[0]}`, `src="${swap[1]}`);
      const sources = [...template.matchAll(/<script defer src="([^"]+)"><\/script>/g)].map((m) => m[1]);
      const separate = [...template.matchAll(/<script async src="([^"]+)"><\/script>/g)].map((m) => m[1]);
      const loaded = scripts(readFileSync(join(www, page), 'utf8')).map((s) => s.src);
      const ref = `pkg/${page.replace('.html', '')}.bundle.js`;
      assert.deepEqual(loaded.slice().sort(), [ref, ...separate].sort(), 'the bundle, and the async scripts as they are');
      const bundle = readFileSync(join(www, ref), 'utf8');
      let at = 0;
      for (const src of sources) {
        const found = bundle.indexOf(readFileSync(join(www, src), 'utf8'), at);
        assert.ok(found >= at, `${src} is in the bundle, whole and in order`);
        at = found;
      }
    });
  }

  describe('changed demo cases', () => {
    // The page starts demo/demo-data.js itself (after its bundle), with the hash pinned in its HTML.
    const env = servedCopy((dir) => {
      appendFileSync(join(dir, 'demo', 'demo-data.js'), '\n// changed\n');
      rmSync(join(dir, 'demo', 'demo-data.js.br'), { force: true });
      rmSync(join(dir, 'demo', 'demo-data.js.gz'), { force: true });
    });

    test('are refused: the page verifies, and no demo case can be loaded', async () => {
      const page = await env.browser.context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${env.srv.url}index.html?nodemo`);
      await page.waitForSelector('body[data-ready=""]', { timeout: 20000 });
      await page.waitForFunction(() => document.readyState === 'complete');
      assert.ok(errors.some((e) => /integrity/i.test(e) && e.includes('demo-data.js')), `an integrity error for demo-data.js: ${errors.join(' | ')}`);
      assert.equal(await page.evaluate(() => typeof self.UPGRADE_GATE_DEMO), 'undefined');
      assert.equal(await page.getAttribute('#load-demo', 'disabled'), '', 'the demo button stays disabled');
      await page.close();
    });
  });

  describe('a changed script', () => {
    // A copy of the built page with one byte added to its scripts (the
    // build joins them in pkg/index.bundle.js, which the page pins).
    const env = servedCopy((dir) => appendFileSync(join(dir, BUNDLE), '\n// changed\n'));

    test('is refused by the browser, and the page shows no verdict', async () => {
      const page = await env.browser.context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      // The demo would load and verify itself on a page that started.
      await page.goto(`${env.srv.url}index.html#demo`);
      await page.waitForTimeout(2000);
      assert.ok(errors.some((e) => /integrity/i.test(e) && e.includes(BUNDLE)), `an integrity error for ${BUNDLE}: ${errors.join(' | ')}`);
      assert.equal(await page.getAttribute('body', 'data-ready'), null, 'the page must not start');
      assert.equal(await page.getAttribute('#verdict .banner', 'data-decision'), 'none', 'no verdict is shown');
      await page.close();
    });

    test('the unchanged page starts from the same server (the refusal is the changed byte)', async () => {
      cpSync(join(www, BUNDLE), join(env.dir, BUNDLE));
      const page = await env.browser.context.newPage();
      await page.goto(`${env.srv.url}index.html?nodemo`);
      await page.waitForSelector('body[data-ready=""]', { timeout: 20000 });
      await page.close();
    });
  });
});
