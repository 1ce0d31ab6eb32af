// `npm run reproduce -- --expect …` (issue 15): the hash a published page
// runs is read from what a reader has — the footer's text, a page saved by
// the browser, the page's files, or its .wasm — and a build that differs from
// it, or two builds that differ, fail with a message that says so. Needs the
// built page (`npm run build`: npm test builds it first).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { expectedHash, verdict } from '../../scripts/reproduce.mjs';
import { fileUrl, launch, open, www } from '../e2e/helpers.mjs';

const wasmPath = join(www, 'pkg', 'upgrade_gate_bg.wasm');
const moduleHash = (path = wasmPath) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
// The forum card runs a smaller module of its own (issue 16): its footer shows that one's hash.
const cardWasmPath = join(www, 'pkg', 'card', 'upgrade_gate_bg.wasm');
const governanceCardWasmPath = join(www, 'pkg', 'card-governance', 'upgrade_gate_bg.wasm');
// index.html embeds the page's first module (issue 24); offline.html and the npm package the complete one.
const firstWasmPath = join(www, 'pkg', 'light', 'upgrade_gate_bg.wasm');

let tmp;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'upgrade-gate-expect-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a hash copied from the footer is accepted as the footer groups it, with or without sha256:', () => {
  const want = moduleHash();
  const hex = want.slice('sha256:'.length);
  assert.equal(expectedHash(want), want);
  assert.equal(expectedHash(`sha256: ${hex.match(/.{4}/g).join(' ')}`), want);
  assert.equal(expectedHash(hex.toUpperCase()), want);
});

test('a hash that is not a SHA-256, or a file of another kind, is refused with what to give instead', () => {
  assert.throws(() => expectedHash('sha256:1234'), /not a SHA-256/);
  assert.throws(() => expectedHash(join(tmp, 'missing.html')), /no such file/);
  const notWasm = join(tmp, 'x.wasm');
  writeFileSync(notWasm, 'hello');
  assert.throws(() => expectedHash(notWasm), /not a WebAssembly module/);
  const txt = join(tmp, 'notes.txt');
  writeFileSync(txt, 'x');
  assert.throws(() => expectedHash(txt), /give a sha256:… hash, a saved page \(\.html\) or a module \(\.wasm\)/);
  const other = join(tmp, 'other.html');
  writeFileSync(other, '<!doctype html><p>sha256:' + 'a'.repeat(64));
  assert.throws(() => expectedHash(other), /not an upgrade-gate page/);
});

test('a published .wasm gives its own hash', () => {
  assert.equal(expectedHash(wasmPath), moduleHash());
});

test('a page saved by the browser after it started gives the hash its footer shows', async () => {
  const browser = await launch();
  try {
    for (const [name, module] of [['offline.html', wasmPath], ['offline-embed.html', cardWasmPath], ['offline-embed-governance.html', governanceCardWasmPath]]) {
      const page = await open(browser.context, fileUrl(name));
      const saved = join(tmp, `saved-${name}`);
      writeFileSync(saved, await page.content()); // what "Save page as…, Webpage, complete" writes
      await page.close();
      assert.equal(expectedHash(saved), moduleHash(module), name);
    }
  } finally {
    await browser.close();
  }
});

test('a page saved as HTML only, its scripts beside it, gives the hash of the module they embed', () => {
  const copy = join(tmp, 'site');
  cpSync(www, copy, { recursive: true });
  assert.equal(expectedHash(join(copy, 'index.html')), moduleHash(firstWasmPath));
  assert.equal(expectedHash(join(copy, 'embed.html')), moduleHash(cardWasmPath));
  assert.equal(expectedHash(join(copy, 'embed-governance.html')), moduleHash(governanceCardWasmPath));
  // A page whose footer never ran and whose scripts are gone cannot be checked: the message says what to do.
  const lone = join(tmp, 'lone.html');
  writeFileSync(lone, readFileSync(join(www, 'index.html')));
  assert.throws(() => expectedHash(lone), /copy the footer's sha256:… and pass that/);
});

test('reproduce passes only when both builds are the same bytes and, with --expect, have that hash', () => {
  const a = Buffer.from('module a');
  const b = Buffer.from('module b');
  const hashOf = (x) => `sha256:${createHash('sha256').update(x).digest('hex')}`;
  assert.equal(verdict([a, Buffer.from(a)]).ok, true);
  assert.match(verdict([a, b]).message, /^NOT reproducible: the two builds differ/);
  assert.equal(verdict([a, b]).ok, false);
  assert.equal(verdict([a, Buffer.from(a)], hashOf(a), 'page.html').ok, true);
  const wrong = verdict([a, Buffer.from(a)], hashOf(b), 'page.html');
  assert.equal(wrong.ok, false);
  assert.match(wrong.message, new RegExp(`^MISMATCH: these sources build ${hashOf(a)} .* but page\\.html is ${hashOf(b)}`));
});
