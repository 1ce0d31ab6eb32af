// Issue 5, "a verifier that can be verified": the page's Content-Security-Policy
// is strict, and every script it loads is pinned by Subresource Integrity so
// that a changed script is refused.
//
// The SRI tests are to-do tests until www/index.html carries `integrity`
// attributes (the page loads classic scripts so that it works from file://);
// they run, report, and do not fail the suite. The CSP tests are real.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve } from '../../scripts/serve.mjs';
import { launch, www } from './helpers.mjs';

const PAGES = ['index.html', 'embed.html'].filter((p) => existsSync(join(www, p)));

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
const hasSri = PAGES.some((p) => scripts(readFileSync(join(www, p), 'utf8')).some((s) => s.integrity));
const SRI_TODO = hasSri ? false : 'www/ does not pin its scripts with integrity attributes yet (issue 5)';

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

    test(`${page}: every script is pinned by Subresource Integrity`, { todo: SRI_TODO }, () => {
      for (const s of scripts(readFileSync(join(www, page), 'utf8'))) {
        assert.ok(s.integrity, `${s.src} has no integrity attribute`);
        const bytes = readFileSync(join(www, s.src));
        const alg = s.integrity.split('-')[0];
        assert.ok(['sha256', 'sha384', 'sha512'].includes(alg), `${s.src}: ${alg}`);
        assert.equal(s.integrity, sri(bytes, alg), `${s.src}: the pinned hash is the file's`);
      }
    });
  }

  describe('a changed script', () => {
    let browser;
    let srv;
    let dir;
    before(async () => {
      // A copy of the built page with one byte added to render.js.
      dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-integrity-'));
      cpSync(www, dir, { recursive: true });
      appendFileSync(join(dir, 'render.js'), '\n// changed\n');
      browser = await launch();
      const s = await serve({ port: 0, dir });
      srv = { url: s.url, stop: () => new Promise((r) => s.server.close(r)) };
    });
    after(async () => {
      await browser?.close();
      await srv?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('is refused by the browser, and the page shows no verdict', { todo: SRI_TODO }, async () => {
      const page = await browser.context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${srv.url}?nodemo`);
      await page.waitForTimeout(2000);
      assert.ok(errors.some((e) => /integrity/i.test(e)), `an integrity error: ${errors.join(' | ')}`);
      assert.notEqual(await page.getAttribute('body', 'data-ready'), 'true', 'the page must not start');
    });
  });
});
