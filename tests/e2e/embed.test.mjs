// The forum card: a manifest carried in the URL fragment (as the CLI's
// `embed-link` prints it), rendered, and a package verified right there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, open, root, screenshot, shownHash } from './helpers.mjs';

/** Runs the CLI (built by `cargo test`; built here if missing). */
function cli(...args) {
  const bin = join(root, 'target', 'debug', process.platform === 'win32' ? 'upgrade-gate.exe' : 'upgrade-gate');
  const r = existsSync(bin)
    ? spawnSync(bin, args, { encoding: 'utf8' })
    : spawnSync('cargo', ['run', '--quiet', '--bin', 'upgrade-gate', '--', ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('the embed card', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-embed-' });

  async function card(example) {
    const manifest = join(root, 'examples', example, 'manifest.json');
    const link = cli('embed-link', manifest, '--base', env.srv.url);
    assert.match(link, /\/embed\.html#manifest=/);
    const page = await open(env.browser.context, link);
    await page.setViewportSize({ width: 600, height: 600 });
    return { page, manifest: JSON.parse(readFileSync(manifest, 'utf8')), digest: cli('digest', manifest).split(/\s+/)[0] };
  }

  test('renders from the URL fragment and verifies a package file', async () => {
    const { page, manifest, digest } = await card('standard-transparent');
    assert.equal(await page.textContent('h1'), manifest.title);
    assert.equal(await shownHash(page.locator('.kv .hash').first()), digest);
    assert.match(await page.textContent('#card-body'), /standard_upgrade/);
    for (const t of manifest.targets) {
      const proxies = await page.locator('.target .hash').evaluateAll((ns) => ns.map((n) => n.dataset.hash.toLowerCase()));
      assert.ok(proxies.includes(t.proxy.toLowerCase()), t.proxy);
    }
    assert.equal(await page.getAttribute('[data-rollback]', 'data-rollback'), 'pass');
    // The manifest's plan, not a tested rollback: not drawn as a passed check.
    assert.match(await page.textContent('[data-rollback]'), /not tested, and its rollback package is not checked here/);
    assert.doesNotMatch(await page.getAttribute('[data-rollback]', 'class'), /\byes\b/);
    await page.setInputFiles('#file-picker', join(root, 'examples', 'standard-transparent', 'package.tar'));
    await page.waitForSelector('[data-package]');
    assert.equal(await page.getAttribute('[data-package]', 'data-package'), 'pass');
    await screenshot(page, '09-embed-package-matches');
    // One flipped byte: the card says so.
    const bytes = readFileSync(join(root, 'examples', 'standard-transparent', 'package.tar'));
    bytes[100] ^= 0x20;
    writeFileSync(join(env.tmp, 'package.tar'), bytes);
    await page.setInputFiles('#file-picker', join(env.tmp, 'package.tar'));
    await page.waitForSelector('[data-package="fail"]');
    assert.match(await page.textContent('[data-package]'), /does NOT match/);
    await screenshot(page, '10-embed-package-differs');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('verifies a folder package, and rejects one with an extra file', async () => {
    const { page } = await card('folder-package');
    const folder = join(env.tmp, 'package');
    cpSync(join(root, 'examples', 'folder-package', 'package'), folder, { recursive: true });
    await page.setInputFiles('#folder-picker', folder);
    await page.waitForSelector('[data-package]');
    assert.equal(await page.getAttribute('[data-package]', 'data-package'), 'pass');
    writeFileSync(join(folder, 'extra.txt'), 'not reviewed\n');
    await page.setInputFiles('#folder-picker', folder);
    await page.waitForSelector('[data-package="fail"]');
    assert.match(await page.textContent('[data-package]'), /extra\.txt/);
    await page.close();
  });

  test('says so when the link carries no manifest or a broken one', async () => {
    const page = await open(env.browser.context, env.srv.url + 'embed.html');
    assert.match(await page.textContent('#card-body'), /No manifest in this link/);
    await page.goto(env.srv.url + 'embed.html#manifest=' + encodeURIComponent('{"schema":"upgrade-gate/manifest/v1"}'));
    await page.waitForSelector('[data-error]');
    assert.match(await page.textContent('#card-body'), /cannot be read/);
    await page.close();
  });

  test('a link cut off anywhere says "the link looks cut off"', async () => {
    const manifest = readFileSync(join(root, 'examples', 'standard-transparent', 'manifest.json'), 'utf8');
    const full = encodeURIComponent(JSON.stringify(JSON.parse(manifest)));
    const page = await env.browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Cut in a string, and inside a %XX escape.
    for (const cut of [full.length >> 1, full.indexOf('%22', 200) + 2]) {
      await page.goto('about:blank');
      await page.goto(env.srv.url + 'embed.html#manifest=' + full.slice(0, cut));
      await page.waitForSelector('[data-error]');
      const text = await page.textContent('#card-body');
      assert.match(text, /the link looks cut off/, `cut at ${cut}`);
      assert.doesNotMatch(text, /EOF/);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('says whether a storage layout is named, that the card does not check it, and links to the verifier page', async () => {
    const page = await env.browser.context.newPage();
    for (const width of [390, 600]) {
      await page.setViewportSize({ width, height: 700 });
      for (const example of ['layout-gap-not-shrunk', 'layout-gap-shrunk', 'standard-transparent']) {
        const m = JSON.parse(readFileSync(join(root, 'examples', example, 'manifest.json'), 'utf8'));
        await page.goto(`${env.srv.url}embed.html#manifest=${encodeURIComponent(JSON.stringify(m))}`);
        await page.waitForSelector('body[data-ready] [data-layout-card]');
        const line = page.locator('[data-layout-card]');
        const named = m.targets.filter((t) => t.layout);
        assert.equal(await line.getAttribute('data-layout-card'), named.length ? 'named' : 'none', example);
        const text = await line.textContent();
        if (named.length) {
          assert.match(text, /not checked by this card \(it does not read build infos\)/, example);
          for (const t of named) for (const ref of [t.proxy, t.layout.previous, t.layout.next]) assert.ok(text.includes(ref), `${example}: ${ref}`);
        } else {
          assert.match(text, /no target of the manifest names a storage layout/, example);
        }
        // Not a verdict either way: nothing green, and the way to one.
        assert.doesNotMatch(text, /✓|passes|compatible/, example);
        assert.equal(await line.locator('a[data-layout-verifier]').getAttribute('href'), 'index.html', example);
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, `${example} wraps at ${width} px`);
      }
    }
    await page.close();
  });
});
