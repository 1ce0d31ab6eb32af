// Saved to disk and opened from file://: no server at all.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decision, fileUrl, launch, open, root, screenshot, shownHash } from './helpers.mjs';

const examples = join(root, 'examples');
const expectedOf = (name) => JSON.parse(readFileSync(join(examples, name, 'expected.json'), 'utf8'));

/** Every file under a folder, by its path inside it, base64-encoded. */
function filesOf(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(dir, p).split(sep).join('/'), b64: readFileSync(p).toString('base64') });
    }
  };
  walk(dir);
  return out;
}

/** A drop of loose files as the browser builds it: a real DataTransfer of File objects. */
function dropFiles(page, files) {
  return page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.path));
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

/**
 * A case folder dropped on a page opened from file://, as Chromium hands it
 * over there: the directory entry's reader fails with EncodingError ("A URI
 * supplied to the API was malformed…"); with `handles`, the item's
 * FileSystemHandle (getAsFileSystemHandle) reads the folder.
 */
function dropFolderOnFileUrl(page, name, files, handles) {
  return page.evaluate(
    ({ name, files, handles }) => {
      const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const malformed = () => new DOMException('A URI supplied to the API was malformed, or the resulting Data URL has exceeded the URL length limitations for Data URLs.', 'EncodingError');
      const entry = { isFile: false, isDirectory: true, name, createReader: () => ({ readEntries: (ok, fail) => setTimeout(() => fail(malformed())) }) };
      const handle = (dirName, prefix) => {
        const kids = new Map();
        for (const f of files) {
          if (!f.path.startsWith(prefix)) continue;
          const rest = f.path.slice(prefix.length);
          kids.set(rest.split('/')[0], rest.includes('/') ? null : f);
        }
        return {
          kind: 'directory',
          name: dirName,
          async *values() {
            for (const [n, f] of kids) yield f ? { kind: 'file', name: n, getFile: async () => new File([bytes(f.b64)], n) } : handle(n, `${prefix}${n}/`);
          },
        };
      };
      const item = { kind: 'file', webkitGetAsEntry: () => entry };
      if (handles) item.getAsFileSystemHandle = async () => handle(name, '');
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: { items: [item], files: [] } });
      document.querySelector('main').dispatchEvent(event);
    },
    { name, files, handles },
  );
}

const rawMessage = (page) => page.evaluate(() => /malformed|Data URL/.test(document.body.innerText));

describe('from file://', () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page loads the demo and verifies it, with no request after load', async () => {
    const page = await open(browser.context, fileUrl('offline.html'));
    const late = [];
    page.on('request', (r) => late.push(r.url()));
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    await page.click('button[data-case="tampered-package-byte"]');
    assert.equal(await decision(page), 'reject');
    await page.click('button[data-case="tampered-folder-extra-file"]');
    assert.equal(await decision(page), 'reject');
    assert.equal(await page.getAttribute('tr[data-check="package.files"]', 'data-status'), 'fail');
    assert.deepEqual(late, []);
    await screenshot(page, '11-file-url-folder-reject');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a pasted Safe transaction is hashed', async () => {
    const v = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'safe-tx.json'), 'utf8')).vectors[0];
    const page = await open(browser.context, fileUrl('offline.html'));
    await page.fill('#release', JSON.stringify(v.safeTx));
    await page.waitForSelector('#safe [data-safe-hashes]');
    assert.equal(await shownHash(page.locator('#safe .hw-row').nth(2).locator('.hash.big')), v.expected.safeTxHash);
    await page.close();
  });

  test('the embed card works too', async () => {
    const manifest = readFileSync(join(root, 'examples', 'standard-transparent', 'manifest.json'), 'utf8');
    const page = await open(browser.context, `${fileUrl('offline-embed.html')}#manifest=${encodeURIComponent(JSON.stringify(JSON.parse(manifest)))}`);
    await page.setInputFiles('#file-picker', join(root, 'examples', 'standard-transparent', 'package.tar'));
    await page.waitForSelector('[data-package]');
    assert.equal(await page.getAttribute('[data-package]', 'data-package'), 'pass');
    await page.close();
  });

  test('a dropped single manifest, then the loose files of a case, fill their boxes and verify', async () => {
    const page = await open(browser.context, fileUrl('offline.html'));
    const name = 'standard-transparent';
    const dir = join(examples, name);
    const top = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
    await dropFiles(page, filesOf(dir).filter((f) => f.path === 'manifest.json'));
    await page.waitForFunction(() => document.querySelector('#manifest').value.length > 0);
    assert.equal(await page.inputValue('#manifest'), readFileSync(join(dir, 'manifest.json'), 'utf8'));
    await dropFiles(page, filesOf(dir).filter((f) => top.includes(f.path)));
    await page.waitForFunction(() => document.querySelector('#release').value.length > 0 && document.querySelector('[data-slot="evidence"]').classList.contains('filled'));
    await page.fill('#now', expectedOf(name).now);
    await page.click('#verify');
    assert.equal(await decision(page), expectedOf(name).decision);
    assert.equal(await rawMessage(page), false, 'no raw browser message');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('a dropped case folder is read through its handle where the entries fail, else a plain way out', async () => {
    const name = 'effects-uups-immutables';
    const files = filesOf(join(examples, name));
    const page = await open(browser.context, fileUrl('offline.html'));
    await dropFolderOnFileUrl(page, name, files, true);
    await page.waitForFunction(() => document.querySelector('[data-slot="package"] [data-source]')?.dataset.sourceKind === 'case' && document.querySelector('[data-slot="evidence"]').classList.contains('filled'));
    await page.fill('#now', expectedOf(name).now);
    await page.click('#verify');
    assert.equal(await decision(page), expectedOf(name).decision);
    assert.equal(await rawMessage(page), false);
    await page.close();

    // No handle either: nothing is filled, and the message says what to do, not the browser's words.
    const bare = await open(browser.context, fileUrl('offline.html'));
    await dropFolderOnFileUrl(bare, name, files, false);
    await bare.waitForFunction(() => /Open a case folder/.test(document.body.innerText));
    assert.equal(await rawMessage(bare), false, 'the raw EncodingError text is not shown');
    assert.equal(await bare.inputValue('#manifest'), '');
    await bare.close();
  });

  test('the demo loads on file:// from its link too', async () => {
    const page = await open(browser.context, `${fileUrl('offline.html')}#demo`);
    assert.equal(await decision(page), 'release');
    await page.close();
  });
});
