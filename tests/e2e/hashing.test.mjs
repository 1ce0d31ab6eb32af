// Issue 4: files of at most 32 MiB are hashed by the browser's own SHA-256
// (crypto.subtle, faster here), larger ones stream through the wasm module;
// both must give the same digest as any other SHA-256, and the page says
// which one hashed what.
import assert from 'node:assert/strict';
import { createHash, randomFillSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open } from './helpers.mjs';

const MiB = 1024 * 1024;
const NATIVE_MAX = 32 * MiB;

describe('hashing engines', () => {
  const env = browserAndServer({ tmp: 'upgrade-gate-hashing-' });

  test('both engines give the digest of any SHA-256, and the choice follows the size', async () => {
    const sizes = [0, 1, 64 * 1024 + 1, NATIVE_MAX, NATIVE_MAX + 1];
    const files = sizes.map((size) => {
      const path = join(env.tmp, `f-${size}.bin`);
      writeFileSync(path, randomFillSync(Buffer.alloc(size)));
      return path;
    });
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), { type: 'file', multiple: true, id: 'test-picker', hidden: true });
      document.body.appendChild(input);
    });
    await page.setInputFiles('#test-picker', files);
    const got = await page.evaluate(async () => {
      const out = [];
      for (const file of document.querySelector('#test-picker').files) {
        const row = { size: file.size };
        for (const engine of ['auto', 'wasm', 'native']) {
          let used = null;
          const hashes = await UpgradeGate.hashFiles([{ path: 'f', file }], null, { engine, onFile: (f) => (used = f.engine) });
          row[engine] = { hash: hashes.f, used };
        }
        out.push(row);
      }
      return out;
    });
    for (const [i, row] of got.entries()) {
      const expected = `sha256:${createHash('sha256').update(readFileSync(files[i])).digest('hex')}`;
      for (const engine of ['auto', 'wasm', 'native']) assert.equal(row[engine].hash, expected, `${row.size} bytes, ${engine}`);
      assert.equal(row.wasm.used, 'wasm');
      assert.equal(row.native.used, 'native');
      assert.equal(row.auto.used, row.size <= NATIVE_MAX ? 'native' : 'wasm', `${row.size} bytes`);
    }
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the page says which SHA-256 hashed the package', async () => {
    const page = await open(env.browser.context, env.srv.url + '?nodemo');
    await page.click('#load-demo');
    assert.equal(await decision(page), 'release');
    const note = page.locator('.slot[data-slot="package"] .hashed-by');
    assert.equal(await note.getAttribute('data-engine'), 'native');
    assert.match(await note.textContent(), /browser's own SHA-256 \(crypto\.subtle\)/);
    // A package over 32 MiB streams through the wasm module, and the page says so.
    const big = join(env.tmp, 'big-package.tar');
    writeFileSync(big, Buffer.alloc(NATIVE_MAX + 1));
    await page.click('.slot[data-slot="package"] [data-open]');
    await page.setInputFiles('#file-picker', big);
    await page.click('#verify');
    assert.equal(await decision(page), 'reject');
    assert.equal(await note.getAttribute('data-engine'), 'wasm');
    assert.match(await note.textContent(), /wasm SHA-256, streamed/);
    await page.close();
  });
});
