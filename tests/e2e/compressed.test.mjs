// Issue 16, the card and the page on a slow link: the module travels gzipped
// inside its script and is inflated in the page (DecompressionStream), or as one
// character a byte inside the bundle's brotli twin (pinned as well), the
// forum card runs a smaller module of its own (the governance card one with
// the paste box's Governor reader), and `npm start`'s server sends
// the build's precompressed twins. Every guarantee stays: SRI over what the
// browser decodes, no request after load, file://, and a footer hash that is
// the hash of the inflated module that runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { acceptedEncodings, serve } from '../../scripts/serve.mjs';
import { unescapeLiteral, wasmFromChars } from '../../scripts/reproduce.mjs';
import { decision, fileUrl, launch, open, root, www } from './helpers.mjs';

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
// The page's first module (issue 24): what its bundle carries and its footer names.
const PAGE_WASM = join(www, 'pkg', 'light', 'upgrade_gate_bg.wasm');
const FULL_WASM = join(www, 'pkg', 'upgrade_gate_bg.wasm');
const CARD_WASM = join(www, 'pkg', 'card', 'upgrade_gate_bg.wasm');
const GOVERNANCE_CARD_WASM = join(www, 'pkg', 'card-governance', 'upgrade_gate_bg.wasm');
const MANIFEST = join(root, 'examples', 'standard-transparent', 'manifest.json');

/** The CLI's `embed-link` (built by `cargo test`; built here if missing). */
function embedLink(base, manifest = MANIFEST) {
  const bin = join(root, 'target', 'debug', process.platform === 'win32' ? 'upgrade-gate.exe' : 'upgrade-gate');
  const args = ['embed-link', manifest, '--base', base];
  const r = existsSync(bin)
    ? spawnSync(bin, args, { encoding: 'utf8' })
    : spawnSync('cargo', ['run', '--quiet', '--bin', 'upgrade-gate', '--', ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** A GET (or HEAD) with the given Accept-Encoding: { status, headers, body } with the body as sent. */
function get(url, acceptEncoding, method = 'GET') {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding == null ? {} : { 'accept-encoding': acceptEncoding };
    const req = request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (r) =>
  r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;

/** Starts a server; returns { url, stop }. */
async function server(options) {
  const s = await serve({ port: 0, ...options });
  return { url: s.url, stop: () => new Promise((r) => s.server.close(r)) };
}

/** Opens a page, noting each response's Content-Encoding by file name. */
async function openNoting(context, url) {
  const encodings = {};
  const onResponse = async (r) => {
    encodings[new URL(r.url()).pathname.split('/').pop()] = (await r.allHeaders())['content-encoding'] || 'identity';
  };
  context.on('response', onResponse);
  try {
    const page = await open(context, url);
    return { page, encodings };
  } finally {
    context.off('response', onResponse);
  }
}

/** The footer's module hash, as the page shows it. */
const footerHash = (page) => page.locator('#wasm-hash .hash').evaluate((n) => n.textContent.replace(/\s+/g, ''));

/** What the card's module exports, read from the module the page compiled. */
const moduleExports = (page) =>
  page.evaluate(async () => WebAssembly.Module.exports(await self.UPGRADE_GATE_BUILD.wasmModule).map((e) => e.name));

describe('the module compressed, the card small, the responses precompressed', () => {
  let browser;
  let srv;
  let plain;
  before(async () => {
    browser = await launch();
    srv = await server({});
    plain = await server({ precompressed: false });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await plain?.stop();
  });

  test('the scripts carry the module gzipped, not as base64 of the raw .wasm', () => {
    for (const [bundle, wasm] of [
      ['index.bundle.js', PAGE_WASM],
      ['embed.bundle.js', CARD_WASM],
      ['embed-governance.bundle.js', GOVERNANCE_CARD_WASM],
    ]) {
      const text = readFileSync(join(www, 'pkg', bundle), 'utf8');
      // "\0asm" in base64 starts every raw module; a gzip stream starts "H4sI".
      assert.ok(!text.includes(readFileSync(wasm).subarray(0, 48).toString('base64').slice(0, 60)), `${bundle} holds the raw module`);
      const packed = JSON.parse(text.match(/"wasmGzipBase64":("[^"]*")/)[1]);
      assert.ok(gunzipSync(Buffer.from(packed, 'base64')).equals(readFileSync(wasm)), `${bundle} inflates to ${wasm}`);
    }
  });

  test('a bundle’s brotli twin carries the module one character a byte, and the page pins it too', () => {
    for (const [page, bundle, wasm] of [
      ['index.html', 'index.bundle.js', PAGE_WASM],
      ['embed.html', 'embed.bundle.js', CARD_WASM],
      ['embed-governance.html', 'embed-governance.bundle.js', GOVERNANCE_CARD_WASM],
    ]) {
      const form = brotliDecompressSync(readFileSync(join(www, 'pkg', `${bundle}.br`)));
      const literal = form.toString('utf8').match(/"wasmChars":("(?:[^"\\]|\\.)*")/)[1];
      assert.ok(wasmFromChars(unescapeLiteral(literal)).equals(readFileSync(wasm)), `${bundle}.br holds ${wasm}`);
      const pinned = readFileSync(join(www, page), 'utf8').match(new RegExp(`src="pkg/${bundle}" integrity="([^"]*)"`))[1].split(' ');
      assert.ok(pinned.includes(`sha384-${createHash('sha384').update(form).digest('base64')}`), `${page} pins the brotli form of ${bundle}`);
      assert.ok(pinned.includes(`sha384-${createHash('sha384').update(readFileSync(join(www, 'pkg', bundle))).digest('base64')}`), `${page} pins ${bundle}`);
    }
  });

  test('the card’s module is smaller than the governance card’s, which is smaller than the page’s', () => {
    assert.ok(readFileSync(CARD_WASM).length < readFileSync(GOVERNANCE_CARD_WASM).length);
    assert.ok(readFileSync(GOVERNANCE_CARD_WASM).length < readFileSync(PAGE_WASM).length);
  });

  test('the server sends the twin the request accepts, with Vary and the twin’s length', async () => {
    const file = 'render.js';
    const original = readFileSync(join(www, file));
    for (const [accept, want] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, deflate', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['*', 'br'],
      ['identity', undefined],
      [null, undefined],
    ]) {
      const r = await get(`${srv.url}${file}`, accept);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-encoding'], want, `Accept-Encoding: ${accept}`);
      assert.equal(r.headers.vary, 'Accept-Encoding', 'caches must key on Accept-Encoding');
      assert.equal(Number(r.headers['content-length']), r.body.length);
      assert.ok(decode(r).equals(original), `Accept-Encoding: ${accept}: the body decodes to the file`);
    }
    const head = await get(`${srv.url}${file}`, 'br', 'HEAD');
    assert.equal(head.headers['content-encoding'], 'br');
    assert.equal(Number(head.headers['content-length']), readFileSync(join(www, `${file}.br`)).length);
    const none = await get(`${plain.url}${file}`, 'br');
    assert.equal(none.headers['content-encoding'], undefined, 'precompressed: false sends the file as it is');
    assert.ok(none.body.equals(original));
  });

  test('Accept-Encoding is read with its weights', () => {
    assert.deepEqual([...acceptedEncodings('gzip, br;q=0')], ['gzip']);
    assert.deepEqual([...acceptedEncodings('*, gzip;q=0')].sort(), ['br']);
    assert.deepEqual([...acceptedEncodings('x-gzip')], ['gzip']);
    assert.deepEqual([...acceptedEncodings('')], []);
  });

  test('a twin older than its file is not sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-twins-'));
    try {
      writeFileSync(join(dir, 'a.js'), 'new\n');
      writeFileSync(join(dir, 'a.js.br'), brotliCompressSync('old\n'));
      writeFileSync(join(dir, 'a.js.gz'), gzipSync('old\n'));
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(dir, 'a.js.br'), past, past);
      utimesSync(join(dir, 'a.js.gz'), past, past);
      const s = await server({ dir });
      try {
        const r = await get(`${s.url}a.js`, 'gzip, br');
        assert.equal(r.headers['content-encoding'], undefined);
        assert.equal(r.body.toString(), 'new\n');
      } finally {
        await s.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the card, served compressed: rollback ready, and the footer names the inflated card module', async () => {
    const { page, encodings } = await openNoting(browser.context, embedLink(srv.url));
    assert.equal(encodings['embed.bundle.js'], 'br', JSON.stringify(encodings));
    // Brotli brings the module one character a byte.
    assert.equal(await page.evaluate(() => (typeof self.UPGRADE_GATE_BUILD.wasmChars === 'string' ? 'chars' : 'gzip')), 'chars');
    assert.equal(await page.getAttribute('[data-rollback]', 'data-rollback'), 'pass');
    assert.equal(await footerHash(page), sha256(readFileSync(CARD_WASM)));
    const exports = await moduleExports(page);
    assert.ok(exports.includes('verify') && exports.includes('manifestDigest'), exports.join(' '));
    assert.ok(!exports.includes('safeTxHash') && !exports.includes('timelockOperations'), `the card's module has page-only exports: ${exports.join(' ')}`);
    assert.ok(!exports.includes('governorProposal'), `the plain card's module has the governance card's reader: ${exports.join(' ')}`);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the page, served compressed: the demo verdict, and the footer names the inflated page module', async () => {
    const { page, encodings } = await openNoting(browser.context, `${srv.url}index.html#demo`);
    assert.match(encodings['index.bundle.js'], /^(br|gzip)$/, JSON.stringify(encodings));
    assert.equal(await decision(page), 'release');
    assert.equal(await page.getAttribute('#wasm-hash', 'data-wasm-sha256'), sha256(readFileSync(PAGE_WASM)));
    assert.ok((await moduleExports(page)).includes('safeTxHash'));
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the brotli twin is read as UTF-8 even where a host declares another charset', async () => {
    // The twin carries the module as characters up to U+00FF (two bytes each in
    // UTF-8); read as windows-1252 they would be other bytes. Its byte-order mark decides.
    const page = await browser.context.newPage();
    const twin = brotliDecompressSync(readFileSync(join(www, 'pkg', 'embed.bundle.js.br')));
    assert.deepEqual([...twin.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the twin starts with a byte-order mark');
    await page.route('**/pkg/embed.bundle.js', (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/javascript; charset=windows-1252' }, body: twin }));
    await page.goto(embedLink(srv.url));
    await page.waitForSelector('body[data-ready]');
    assert.equal(await page.getAttribute('body', 'data-ready'), '');
    assert.equal(await page.evaluate(() => typeof self.UPGRADE_GATE_BUILD.wasmChars), 'string');
    assert.equal(await footerHash(page), sha256(readFileSync(CARD_WASM)));
    await page.close();
  });

  test('a browser that takes only gzip gets the gzipped form, and the card starts from it', async () => {
    const page = await browser.context.newPage();
    await page.setExtraHTTPHeaders({ 'accept-encoding': 'gzip' });
    const encodings = {};
    page.on('response', async (r) => (encodings[new URL(r.url()).pathname.split('/').pop()] = (await r.allHeaders())['content-encoding']));
    await page.goto(embedLink(srv.url));
    await page.waitForSelector('body[data-ready=""]');
    assert.equal(encodings['embed.bundle.js'], 'gzip');
    assert.equal(await page.evaluate(() => (self.UPGRADE_GATE_BUILD.wasmGzipBase64 ? 'gzip' : 'chars')), 'gzip');
    assert.equal(await page.getAttribute('[data-rollback]', 'data-rollback'), 'pass');
    assert.equal(await footerHash(page), sha256(readFileSync(CARD_WASM)));
    await page.close();
  });

  test('from a host that does not compress, the card and the page start alike', async () => {
    const card = await openNoting(browser.context, embedLink(plain.url));
    assert.equal(card.encodings['embed.bundle.js'], 'identity');
    assert.equal(await card.page.getAttribute('[data-rollback]', 'data-rollback'), 'pass');
    assert.equal(await footerHash(card.page), sha256(readFileSync(CARD_WASM)));
    await card.page.close();
    const { page, encodings } = await openNoting(browser.context, `${plain.url}index.html#demo`);
    assert.equal(encodings['index.bundle.js'], 'identity');
    assert.equal(await decision(page), 'release');
    await page.close();
  });

  test('from file://, the card and the page start from the compressed form', async () => {
    const fragment = embedLink('http://127.0.0.1/').split('#')[1];
    const card = await open(browser.context, `${fileUrl('offline-embed.html')}#${fragment}`);
    assert.equal(await card.getAttribute('[data-rollback]', 'data-rollback'), 'pass');
    assert.equal(await footerHash(card), sha256(readFileSync(CARD_WASM)));
    assert.deepEqual(await card.problems(), []);
    await card.close();
    const page = await open(browser.context, `${fileUrl('offline.html')}#demo`);
    assert.equal(await decision(page), 'release');
    // offline.html carries the complete module alone (issue 24: nothing to load later from a disk).
    assert.equal(await page.getAttribute('#wasm-hash', 'data-wasm-sha256'), sha256(readFileSync(FULL_WASM)));
    await page.close();
    // The governance card's offline copy: its own module, and the paste box works from a disk.
    const proposal = embedLink('http://127.0.0.1/', join(root, 'examples', 'governor-timelock', 'manifest.json')).split('#')[1];
    const governance = await open(browser.context, `${fileUrl('offline-embed-governance.html')}#${proposal}`);
    assert.equal(await footerHash(governance), sha256(readFileSync(GOVERNANCE_CARD_WASM)));
    await governance.fill('#governor-calldata', '0x160cbed7');
    await governance.waitForSelector('[data-proposal-match="error"]');
    assert.deepEqual(await governance.problems(), []);
    await governance.close();
  });

  test('the card makes no request after load, served compressed', async () => {
    const requests = [];
    let loaded = false;
    const record = (r) => requests.push({ url: r.url(), afterLoad: loaded });
    browser.context.on('request', record);
    try {
      const page = await open(browser.context, embedLink(srv.url));
      await page.waitForLoadState('networkidle');
      loaded = true;
      await browser.context.setOffline(true);
      await page.setInputFiles('#file-picker', join(root, 'examples', 'standard-transparent', 'package.tar'));
      await page.waitForSelector('[data-package]');
      assert.equal(await page.getAttribute('[data-package]', 'data-package'), 'pass');
      await page.waitForTimeout(300);
      assert.deepEqual(requests.filter((r) => r.afterLoad), []);
      await page.close();
    } finally {
      await browser.context.setOffline(false);
      browser.context.off('request', record);
    }
  });

  describe('a changed byte in a precompressed twin', () => {
    let dir;
    let changed;
    before(async () => {
      // The twins of the card's bundle decode to the bundle plus one line: the
      // browser checks SRI over the decoded body, so it must refuse them.
      dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-twin-integrity-'));
      cpSync(www, dir, { recursive: true });
      const bundle = join(dir, 'pkg', 'embed.bundle.js');
      const tampered = Buffer.concat([readFileSync(bundle), Buffer.from('\n// changed\n')]);
      writeFileSync(`${bundle}.br`, brotliCompressSync(tampered));
      writeFileSync(`${bundle}.gz`, gzipSync(tampered));
      changed = await server({ dir });
    });
    after(async () => {
      await changed?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('is refused by the browser, and the card does not start', async () => {
      const page = await browser.context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const served = {};
      page.on('response', async (r) => (served[new URL(r.url()).pathname.split('/').pop()] = (await r.allHeaders())['content-encoding']));
      await page.goto(embedLink(changed.url));
      await page.waitForTimeout(2000);
      assert.match(served['embed.bundle.js'] || '', /^(br|gzip)$/, 'the tampered twin was sent');
      assert.ok(errors.some((e) => /integrity/i.test(e) && e.includes('embed.bundle.js')), `an integrity error: ${errors.join(' | ')}`);
      assert.equal(await page.getAttribute('body', 'data-ready'), null, 'the card must not start');
      await page.close();
    });
  });
});
