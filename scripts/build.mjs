// `npm run build`: the wasm module into www/pkg/, the demo cases into www/demo/.
//
// www/pkg/upgrade_gate.js (+ _bg.wasm, .d.ts)  the ES module of SPEC §6 (wasm-bindgen --target web): the complete verifier
// www/pkg/light/upgrade_gate_bg.wasm           the page's first module (feature wasm-light: no witness, no layouts)
// www/pkg/upgrade_gate_classic.js              its bindings as a classic script (global `wasm_bindgen`)
// www/pkg/upgrade_gate_embedded.js             its .wasm bytes (gzip, base64) and the worker source, as a classic script
// www/pkg/full/upgrade_gate_full.js            the complete module (the .wasm above) with its glue, in one classic
//                                              script (global `upgrade_gate_full`): loaded by the page on first use,
//                                              pinned by SRI in index.html; inlined in offline.html (see buildPages)
// www/pkg/card/…                               the same three for the forum card's smaller module (feature wasm-card)
// www/pkg/card-governance/…                    and for the governance card's (feature wasm-governor: + §8's paste box)
// www/demo/<case>/…, www/demo/index.json       copies of examples/
// www/demo/demo-data.js                        the same files, embedded in a classic script (see demoScript)
// www/pkg/index.bundle.js, embed.bundle.js, …  each page's scripts, joined in one file (see bundle)
// www/index.html, www/embed.html               www/templates/*.html, every script and stylesheet pinned by SRI
// www/embed-governance.html                    the card with the governance card's module (see PAGES)
// www/offline*.html                            the same pages unpinned, for file:// (see buildPages)
// <file>.gz, <file>.br                         each served file precompressed (see precompress)
//
// Why classic scripts: the page must work from file://, where Chromium refuses
// ES modules, fetch() and workers loaded from files; and its CSP forbids every
// connection (connect-src 'none'), so even over http the wasm bytes and the
// demo files cannot be fetched. Scripts from the page's own folder are allowed.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gunzipSync, gzipSync } from 'node:zlib';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, pinnedRust, root, run, sourceRemap, WASM_FEATURES, WASM_OPT_PASSES, wasmOpt, wasmRustflags } from './lib.mjs';
import { checkRust, setup, stopIfDryRun } from './setup.mjs';

const www = join(root, 'www');
const pkg = join(www, 'pkg');
const demo = join(www, 'demo');
// The cards' modules are built with another profile, in a target folder of
// their own: one folder would rebuild every dependency at each switch.
const cardTarget = join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'wasm-card');

/**
 * The forum card's two modules. The plain card shows a manifest, its
 * Governor ids (from `verify`'s report) and checks a dropped package; only
 * the governance card's paste box reads pasted Governor calldata, whose
 * reader (governorProposal) would add 10 KB to every card's bytes.
 * `upgrade-gate embed-link` links a manifest with `governance` to that card.
 */
export const CARDS = {
  card: { features: 'wasm-card', page: 'embed.html' },
  'card-governance': { features: 'wasm-governor', page: 'embed-governance.html' },
};

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The module's cargo build with the pinned rustc: returns the path of its .wasm, before wasm-bindgen. */
export function cargoModule(features = 'wasm-formats') {
  // The published hash must be the one anyone gets: the pinned compiler, and
  // the flags `npm run reproduce` proves reproducible (and simd128), unless
  // the caller chose flags.
  const env = { ...process.env, RUSTUP_TOOLCHAIN: pinnedRust() };
  // Profile settings from the environment would change the bytes: Cargo.toml's profile is the build's.
  for (const k of Object.keys(env).filter((k) => k.startsWith('CARGO_PROFILE_'))) {
    log(`ignoring ${k}: the module is built with Cargo.toml's release profile`);
    delete env[k];
  }
  const targetDir = env.CARGO_TARGET_DIR || join(root, 'target');
  const own = !env.RUSTFLAGS && !env.CARGO_ENCODED_RUSTFLAGS;
  if (own) env.CARGO_ENCODED_RUSTFLAGS = wasmRustflags(targetDir).join('\x1f');
  else log('RUSTFLAGS set by the caller: this module will not have the published hash');
  checkRust(root, env);
  run('cargo', ['rustc', '--lib', '--release', '--target', 'wasm32-unknown-unknown', '--features', features, '--', ...(own ? sourceRemap(root) : [])], { env });
  return join(targetDir, 'wasm32-unknown-unknown', 'release', 'upgrade_gate.wasm');
}

/**
 * The page's two modules (issue 24): the first, loaded with the page, has no
 * witness reader, re-execution or layout comparison (SPEC §9, §10; feature
 * wasm-light) and refuses such a case (`needs-full-module`); the complete one
 * is fetched when the first refuses, pinned by SRI. Both keep the drafting
 * formats (safe-release.js drafts from a Transaction Builder batch).
 */
export const MODULES = {
  full: { features: 'wasm-formats', global: 'upgrade_gate_full' },
  light: { features: 'wasm-light,wasm-formats', global: 'wasm_bindgen' },
};

/**
 * Optimises `input` into `output` with the pinned binaryen's wasm-opt
 * (WASM_OPT_PASSES, bench/RESULTS.md), run by Node: never a wasm-opt from
 * the PATH.
 */
export function optimise(input, output, slot = 'page') {
  const { cmd, args, version } = wasmOpt();
  const flags = [...WASM_OPT_PASSES, ...WASM_FEATURES.map((f) => `--enable-${f}`)];
  // wasm-opt is a pure function of its input, flags and version, and takes
  // tens of seconds in Node: a rebuild of unchanged code reuses its output.
  // (A fresh checkout, as in `npm run reproduce`, starts with no cache.)
  const key = createHash('sha256').update(`binaryen ${version}\0${flags.join(' ')}\0`).update(readFileSync(input)).digest('hex');
  const cache = join(root, 'target', 'wasm-opt-cache', slot);
  const cached = join(cache, `${key}.wasm`);
  if (existsSync(cached)) {
    log(`wasm-opt ${flags.join(' ')}: unchanged input, reusing ${relative(root, cached)}`);
    copyFileSync(cached, output);
    return;
  }
  run(cmd, [...args, ...flags, '-o', output, input]);
  rmSync(cache, { recursive: true, force: true }); // keep one entry a module: the last build's
  mkdirSync(cache, { recursive: true });
  copyFileSync(output, cached);
}

export function buildModule() {
  // The complete module: the ES module of the npm package, and the page's second module.
  // target/ of this checkout, also when CARGO_TARGET_DIR is elsewhere (reproduce's copies).
  mkdirSync(join(root, 'target'), { recursive: true });
  const fullWasm = join(root, 'target', 'upgrade_gate_full.cargo.wasm');
  copyFileSync(cargoModule(MODULES.full.features), fullWasm);
  rmSync(pkg, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, '--out-name', 'upgrade_gate', fullWasm]);
  const classicDir = join(root, 'target', 'www-classic');
  rmSync(classicDir, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'no-modules', '--no-modules-global', MODULES.full.global, '--no-typescript', '--out-dir', classicDir, '--out-name', 'upgrade_gate', fullWasm]);
  // Both glues must drive the very same module.
  const wasmPath = join(pkg, 'upgrade_gate_bg.wasm');
  if (!readFileSync(wasmPath).equals(readFileSync(join(classicDir, 'upgrade_gate_bg.wasm')))) {
    throw new Error('wasm-bindgen produced different modules for --target web and --target no-modules');
  }
  // wasm-opt runs on wasm-bindgen's output (as wasm-pack does): the code
  // wasm-bindgen drops is gone, and the glue only names exports, which
  // wasm-opt keeps.
  const unoptimised = join(root, 'target', 'upgrade_gate_bg.unopt.wasm');
  copyFileSync(wasmPath, unoptimised);
  optimise(unoptimised, wasmPath);
  const fullGlue = classicGlue(readFileSync(join(classicDir, 'upgrade_gate.js'), 'utf8'), MODULES.full.global, 'UPGRADE_GATE_FULL_GLUE');
  const wasm = readFileSync(wasmPath);

  // The first module: the same crate without §9 and §10 (src/gate/case.rs LIGHT).
  const lightWasm = join(root, 'target', 'upgrade_gate_light.cargo.wasm');
  copyFileSync(cargoModule(MODULES.light.features), lightWasm);
  const lightDir = join(pkg, 'light');
  run('wasm-bindgen', ['--target', 'no-modules', '--no-typescript', '--out-dir', lightDir, '--out-name', 'upgrade_gate', lightWasm]);
  const lightPath = join(lightDir, 'upgrade_gate_bg.wasm');
  const lightUnoptimised = join(root, 'target', 'upgrade_gate_light.unopt.wasm');
  copyFileSync(lightPath, lightUnoptimised);
  optimise(lightUnoptimised, lightPath, 'light');
  writeFileSync(join(pkg, 'upgrade_gate_classic.js'), classicGlue(readFileSync(join(lightDir, 'upgrade_gate.js'), 'utf8')));
  rmSync(join(lightDir, 'upgrade_gate.js'));
  return { wasm, wasmPath, fullGlue, light: readFileSync(lightPath), lightPath };
}

/**
 * wasm-bindgen's no-modules glue, kept in a function: the page calls it once
 * for the global `wasm_bindgen`, and gate.js starts the hashing workers from
 * that function's own source text (Function.prototype.toString), so the
 * glue is not sent a second time inside the worker's source (2 KB brotli).
 */
export function classicGlue(glue, global = 'wasm_bindgen', name = 'UPGRADE_GATE_GLUE') {
  return [
    '// Generated by scripts/build.mjs: wasm-bindgen\'s glue (--target no-modules), in a function that the hashing workers reuse.',
    `var ${name} = function () {`,
    glue,
    `return ${global};`,
    '};',
    `var ${global} = ${name}();`,
    '',
  ].join('\n');
}

/**
 * A JS string literal of one character per byte, each byte b written as the
 * character b + 1 (mod 256) so that the module's many zero bytes need no
 * escape. Bytes from 0x7f on are two bytes in UTF-8, which brotli models
 * almost as well as the bytes themselves.
 */
function charsLiteral(bytes) {
  const ESCAPES = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x00: '\\x00' };
  let out = '"';
  for (const byte of bytes) {
    const c = (byte + 1) & 0xff;
    out += ESCAPES[c] ?? String.fromCharCode(c);
  }
  return `${out}"`;
}

/**
 * The module and the hashing worker as a classic script (the page may not
 * fetch), in two forms that start the same module:
 *
 * - the file itself: the .wasm gzipped, then base64. Base64 of the raw module
 *   defeats later compression (344 KiB gzipped against 233 for the .wasm),
 *   while base64 of gzipped bytes gzips back to within 1 % of them and is
 *   only a third larger where nothing compresses (file://, a plain host).
 *   Zopfli writes a gzip stream 4–5 % smaller than zlib's level 9 (any
 *   inflater reads it); zlib when the package is missing. The page inflates
 *   it with DecompressionStream('gzip') (Chromium 80, Firefox 113, Safari
 *   16.4), whose CRC-32 also refuses a damaged copy.
 * - for brotli only (returned, and kept for `bundle`): the .wasm as a string
 *   of one character per byte (charsLiteral), which keeps the module's bytes
 *   aligned, so brotli compresses it within 4 % of the .wasm itself (card:
 *   161 KB against 164 as hex and 186 as the gzip form).
 *
 * bench/RESULTS.md has the encodings measured. Either way the footer hashes
 * the bytes that are compiled. Writes the first form to `out`, returns the
 * second.
 */
export async function embedModule(wasm, out, { global = 'UPGRADE_GATE_BUILD', prefix = '' } = {}) {
  let packed;
  try {
    const { gzipAsync } = await import('@gfx/zopfli');
    packed = Buffer.from(await gzipAsync(wasm, { numiterations: 3 }));
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    log('@gfx/zopfli not installed (npm ci): embedding the module with zlib level 9, about 5 % larger');
    packed = gzipSync(wasm, { level: 9 });
  }
  if (!gunzipSync(packed).equals(wasm)) throw new Error('gzip did not round-trip the wasm module');
  const worker = readFileSync(join(www, 'worker.js'), 'utf8');
  // The worker's source is worker.js alone: gate.js puts the glue before it.
  const script = (field, literal) =>
    [
      '// Generated by scripts/build.mjs: the wasm module and the hashing worker, for a page that may not fetch.',
      ...(prefix ? [prefix] : []),
      `self.${global} = {"workerSource":${JSON.stringify(worker)},${JSON.stringify(field)}:${literal}};`,
      // Decode, inflate and start compiling at once: the compile runs on the
      // browser's background threads while the page's other scripts are parsed.
      '(function (b) {',
      '  function fromChars(s) {',
      '    var out = new Uint8Array(s.length);',
      '    for (var i = 0; i < s.length; i++) out[i] = (s.charCodeAt(i) + 255) & 255;',
      '    return out;',
      '  }',
      '  function inflate(base64) {',
      "    var packed = typeof Uint8Array.fromBase64 === 'function' ? Uint8Array.fromBase64(base64) : Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });",
      "    if (typeof DecompressionStream !== 'function') return Promise.reject(new Error('this browser cannot inflate the module (no DecompressionStream): use Chromium 80, Firefox 113, Safari 16.4 or later'));",
      '    // A stream made here, not Blob.stream(): a Blob goes through the browser process.',
      '    var stream = new ReadableStream({ start: function (c) { c.enqueue(packed); c.close(); } });',
      "    return new Response(stream.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer().then(function (a) { return new Uint8Array(a); });",
      '  }',
      "  b.wasmBytes = typeof b.wasmChars === 'string' ? Promise.resolve(fromChars(b.wasmChars)) : inflate(b.wasmGzipBase64);",
      '  b.wasmModule = b.wasmBytes.then(function (bytes) { return WebAssembly.compile(bytes); });',
      '  b.wasmModule.catch(function () {}); // gate.js reports it',
      `})(self.${global});`,
      '',
    ].join('\n');
  writeFileSync(out, script('wasmGzipBase64', JSON.stringify(packed.toString('base64'))));
  const charsForm = script('wasmChars', charsLiteral(wasm));
  brotliTexts.set(out, charsForm);
  // A script the page loads by itself (the complete module): its .br twin is
  // the chars form, pinned beside the file's hash (see bundle, buildPages).
  if (global !== 'UPGRADE_GATE_BUILD') brotliForms.set(out, `\uFEFF${charsForm}`);
  return charsForm;
}

/** Embedded scripts → their text for brotli (see embedModule). */
const brotliTexts = new Map();

/**
 * Bundles → their text for brotli: the bundle with the brotli forms of the
 * embedded scripts. A bundle's .br twin is that text, not the file's: the
 * page pins both (an `integrity` attribute may list several hashes; the
 * browser takes a body that matches any of them).
 */
const brotliForms = new Map();

/**
 * A forum card's module, www/pkg/<name>/ (see CARDS): the crate with the
 * card's features (`verify`, `manifestDigest` and `Sha256` exported, and for
 * the governance card the §8 tools, so the linker drops the page-only tools)
 * and its classic glue; build() embeds it like the page's. Runs after
 * buildModule(), which empties www/pkg/.
 */
export function buildCardModule(name = 'card') {
  const { features } = CARDS[name];
  // opt-level "z": 7 % fewer bytes gzipped than the page's "s". The card
  // verifies one manifest's few actions, where speed does not show; hashing
  // keeps its opt-level 3 (the per-package settings in Cargo.toml).
  // The pinned compiler and the reproducible flags, as for the page's module.
  const env = { ...process.env, RUSTUP_TOOLCHAIN: pinnedRust(), CARGO_TARGET_DIR: cardTarget, CARGO_PROFILE_RELEASE_OPT_LEVEL: 'z' };
  const own = !env.RUSTFLAGS && !env.CARGO_ENCODED_RUSTFLAGS;
  if (own) env.CARGO_ENCODED_RUSTFLAGS = wasmRustflags(cardTarget).join('\x1f');
  // keccak's speed matters nowhere in the card (a few addresses and
  // selectors): size first there too. SHA-256 keeps its opt-level 3.
  const small = ['keccak', 'sha3', 'alloy-primitives'].flatMap((p) => ['--config', `profile.release.package.${p}.opt-level="z"`]);
  run('cargo', ['rustc', '--lib', '--release', '--target', 'wasm32-unknown-unknown', '--features', features, ...small, '--', ...(own ? sourceRemap(root) : [])], { env });
  const input = join(cardTarget, 'wasm32-unknown-unknown', 'release', 'upgrade_gate.wasm');
  const dir = join(pkg, name);
  rmSync(dir, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'no-modules', '--no-typescript', '--out-dir', dir, '--out-name', 'upgrade_gate', input]);
  const glue = join(dir, 'upgrade_gate_classic.js');
  writeFileSync(glue, classicGlue(readFileSync(join(dir, 'upgrade_gate.js'), 'utf8')));
  rmSync(join(dir, 'upgrade_gate.js'));
  // The page's wasm-opt passes: −1 % brotli, −1.2 % gzip on this module
  // (binaryen's -Oz would add 4 % gzipped: bench/RESULTS.md).
  const wasmPath = join(dir, 'upgrade_gate_bg.wasm');
  const unoptimised = join(cardTarget, `${name}.unopt.wasm`);
  copyFileSync(wasmPath, unoptimised);
  optimise(unoptimised, wasmPath, name);
  return { wasm: readFileSync(wasmPath), wasmPath, glue };
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const DEMO_FIRST = 'standard-transparent';

/** A case's one-line description: the first prose line of its README, as plain text. */
function about(readme) {
  const line = readme.split('\n').map((l) => l.trim()).find((l) => l && !/^(#|```|\||<)/.test(l)) || '';
  return line.replace(/\*\*|`/g, '').replace(/\s*Expected:.*$/, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

export function buildDemo(examples = process.env.UPGRADE_GATE_EXAMPLES || join(root, 'examples')) {
  rmSync(demo, { recursive: true, force: true });
  mkdirSync(demo, { recursive: true });
  const cases = [];
  if (existsSync(examples)) {
    // Cases with a witness (examples/anvil-*, SPEC §9) wait for the page that reads
    // witness.json and block-hash.txt: without them they would come out `hold`.
    const names = readdirSync(examples)
      .filter((n) => existsSync(join(examples, n, 'manifest.json')) && !existsSync(join(examples, n, 'witness.json')))
      .sort((a, b) => (a === DEMO_FIRST ? -1 : b === DEMO_FIRST ? 1 : a.localeCompare(b)));
    for (const name of names) {
      const dir = join(examples, name);
      const files = {};
      for (const path of walk(dir)) {
        const rel = relative(dir, path).split(sep).join('/');
        const bytes = readFileSync(path);
        files[rel] = bytes.toString('base64');
        mkdirSync(join(demo, name, relative(dir, path), '..'), { recursive: true });
        copyFileSync(path, join(demo, name, relative(dir, path)));
      }
      const text = (f) => (files[f] ? Buffer.from(files[f], 'base64').toString('utf8') : null);
      let expected = null;
      try {
        expected = text('expected.json') && JSON.parse(text('expected.json'));
      } catch {
        expected = null;
      }
      cases.push({ name, about: about(text('README.md') || ''), expected, files });
    }
  } else {
    log(`${examples} not found: building the page without demo cases`);
  }
  const index = cases.map(({ name, about, expected, files }) => ({ name, about, expected, files: Object.keys(files) }));
  writeFileSync(join(demo, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  writeFileSync(join(demo, 'demo-data.js'), demoScript(cases));
  return cases;
}

/**
 * A JS string literal holding one character per byte (an ASCII file): what
 * `btoa` turns into base64 at once. Text stays text here, so gzip and brotli
 * see the examples themselves, not their base64 (15 KB brotli, not 27).
 */
function byteString(bytes) {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x00 && !(bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39)) out += '\\0';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/**
 * demo/demo-data.js: the cases as `self.UPGRADE_GATE_DEMO`, every file
 * base64-encoded as the page reads them, but written as byte strings that
 * `btoa` encodes when the script runs (synchronously, before it says so).
 * Loaded async (the page does not wait for it to be ready): it says when it has run.
 */
function demoScript(cases) {
  const literal = cases.map(({ name, about, expected, files }) => {
    const list = Object.entries(files).map(([path, b64]) => `${JSON.stringify(path)}: ${byteString(Buffer.from(b64, 'base64'))}`);
    return `{ "name": ${JSON.stringify(name)}, "about": ${JSON.stringify(about)}, "expected": ${JSON.stringify(expected)}, "files": {\n${list.join(',\n')}\n} }`;
  });
  return [
    '// Generated by scripts/build.mjs from examples/: every file as a byte string, base64-encoded when this runs.',
    `self.UPGRADE_GATE_DEMO = [\n${literal.join(',\n')}\n];`,
    'self.UPGRADE_GATE_DEMO.forEach(function (c) {',
    '  Object.keys(c.files).forEach(function (f) { c.files[f] = btoa(c.files[f]); });',
    '});',
    "self.dispatchEvent(new Event('upgrade-gate:demo'));",
    '',
  ].join('\n');
}

/** Starts the built module in Node and checks a known answer, so a broken build never ships. */
async function smokeTest() {
  const m = await import(`${pathToFileURL(join(pkg, 'upgrade_gate.js')).href}?${Date.now()}`);
  m.initSync({ module: readFileSync(join(pkg, 'upgrade_gate_bg.wasm')) });
  const h = new m.Sha256();
  h.update(new TextEncoder().encode('abc'));
  const got = h.finalize();
  const want = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  if (got !== want) throw new Error(`the built module hashes "abc" to ${got}, not ${want}`);
}

/** The JSON Schemas (generated from the Rust types into schema/), served by the page at /schema/. */
export function copySchemas() {
  const from = join(root, 'schema');
  const to = join(www, 'schema');
  rmSync(to, { recursive: true, force: true });
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from).filter((n) => n.endsWith('.json'))) copyFileSync(join(from, name), join(to, name));
}

// [page, its offline copy, its template, what the template's scripts load instead].
const PAGES = [
  ['index.html', 'offline.html', 'index.html'],
  ['embed.html', 'offline-embed.html', 'embed.html'],
  // The card again, with the module that has the paste box's Governor tools.
  ['embed-governance.html', 'offline-embed-governance.html', 'embed.html', ['pkg/card/', 'pkg/card-governance/']],
];

const sri = (path) => `sha384-${createHash('sha384').update(readFileSync(path)).digest('base64')}`;

/**
 * A page's deferred scripts, joined in their order into www/pkg/<page>.bundle.js;
 * returns the page with one <script defer> for it. HTTP/1.1 opens at most
 * six connections to a host: with six scripts and the stylesheet, the last
 * scripts waited their turn and Chromium laid the page out before running
 * any (the first layout of a fresh renderer takes ~30 ms here): one file
 * started the page about 20 ms sooner (bench/RESULTS.md). Our own scripts
 * keep their 'use strict' by each running in a function of its own; the
 * generated ones (wasm-bindgen's glue, the embedded module, the demo data)
 * define globals and are joined as they are.
 */
function bundle(name, template) {
  const tags = [...template.matchAll(/<script defer src="([^"]+)"><\/script>\n/g)];
  if (tags.length < 2) return template;
  const ref = `pkg/${name.replace(/\.html$/, '')}.bundle.js`;
  const part = (text, src) => {
    const strict = /^(\s*\/\/[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*'use strict';/.test(text);
    return `// ---- ${src} ----\n${strict ? `(function () {\n${text}\n})();` : text}\n;\n`;
  };
  const parts = tags.map(([, src]) => part(readFileSync(join(www, src), 'utf8'), src));
  writeFileSync(join(www, ref), parts.join(''));
  if (tags.some(([, src]) => brotliTexts.has(join(www, src)))) {
    const forBrotli = tags.map(([, src]) => part(brotliTexts.get(join(www, src)) ?? readFileSync(join(www, src), 'utf8'), src));
    // A byte-order mark first: the twin holds characters above 0x7f, and a
    // BOM makes browsers read it as UTF-8 whatever charset a host declares.
    brotliForms.set(join(www, ref), `\uFEFF${forBrotli.join('')}`);
  }
  let first = true;
  return template.replace(/<script defer src="[^"]+"><\/script>\n/g, () => {
    if (!first) return '';
    first = false;
    return `<script defer src="${ref}"></script>\n`;
  });
}

/**
 * offline.html (file://, where nothing may be fetched after load) runs the
 * complete module only: its own bundle has pkg/full/upgrade_gate_full.js in
 * place of the first module's two scripts, and no pinned template for it.
 */
/** index.html's pinned tag for the complete module, and the comment above it. */
export const FULL_MODULE_TAG = /<!-- The complete module[^]*?<template id="full-module">.*<\/template>\n/;

function offlineTemplate(name, offline, source, template) {
  const first = '<script defer src="pkg/upgrade_gate_classic.js"></script>\n<script defer src="pkg/upgrade_gate_embedded.js"></script>\n';
  if (!source.includes(first)) return template;
  const own = source.replace(first, '<script defer src="pkg/full/upgrade_gate_full.js"></script>\n').replace(FULL_MODULE_TAG, '');
  return bundle(offline, own);
}

/**
 * The pages, from www/templates/. Served pages pin every script and
 * stylesheet with Subresource Integrity, so a changed file is refused.
 * Chromium cannot enforce SRI on file:// (it needs a CORS response) and
 * blocks every pinned script there, so the offline copies carry none: from
 * a disk, the footer's module hash is the check.
 */
export function buildPages() {
  const pin = (tag, ref) => {
    const form = brotliForms.get(join(www, ref));
    const also = form ? ` sha384-${createHash('sha384').update(form).digest('base64')}` : '';
    return `${tag} integrity="${sri(join(www, ref))}${also}">`;
  };
  for (const [name, offline, from, swap] of PAGES) {
    let source = readFileSync(join(www, 'templates', from), 'utf8');
    if (swap) source = source.replaceAll(`src="${swap[0]}`, `src="${swap[1]}`);
    const template = bundle(name, source);
    const stamp = (html, what) =>
      html.replace(/^<!doctype html>\n/i, (d) => `${d}<!-- Generated by scripts/build.mjs from templates/${from}${what}: edit that file. -->\n`);
    const pinned = template
      .replace(/(<script\b[^>]*\bsrc="([^"]+)"[^>]*)>/g, (m, tag, ref) => pin(tag, ref))
      .replace(/(<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*)>/g, (m, tag, ref) => pin(tag, ref));
    writeFileSync(join(www, name), stamp(pinned, ''));
    const unpinned = offlineTemplate(name, offline, source, template).replace(/href="index\.html"/g, 'href="offline.html"');
    writeFileSync(join(www, offline), stamp(unpinned, ', unpinned for file://'));
  }
}

// What a server may send compressed: text, and the .wasm of the ES module.
const COMPRESSIBLE = /\.(html|js|mjs|css|json|wasm|svg|ts|md)$/;

/**
 * Every file the pages and the npm module load gets a .gz (gzip -9) and a
 * .br (brotli 11) next to it, made here once: `npm start`'s server sends
 * them to a browser that accepts them, and a static host that serves
 * precompressed files (nginx gzip_static/brotli_static, Caddy's
 * `precompressed`, …) can send the same. SRI holds: browsers check it over
 * the decoded body, which for a page's bundle may be its brotli form (see
 * embedModule), pinned as well. A variant that is not smaller is not written.
 * The demo's case folders are copies of examples/ for people to download
 * and stay as they are.
 */
export function precompress() {
  const top = readdirSync(www).map((n) => join(www, n)).filter((p) => statSync(p).isFile());
  for (const p of top) if (/\.(gz|br)$/.test(p)) rmSync(p); // stale ones of the last build
  const files = [...top, ...[pkg, join(www, 'schema')].filter(existsSync).flatMap(walk), join(demo, 'demo-data.js'), join(demo, 'index.json')];
  let sizes = { raw: 0, gz: 0, br: 0 };
  for (const p of files) {
    if (!COMPRESSIBLE.test(p) || !existsSync(p)) continue;
    const bytes = readFileSync(p);
    const gz = gzipSync(bytes, { level: 9 });
    const forBrotli = brotliForms.has(p) ? Buffer.from(brotliForms.get(p)) : bytes;
    const br = brotliCompressSync(forBrotli, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 11,
        [zlib.BROTLI_PARAM_SIZE_HINT]: forBrotli.length,
        [zlib.BROTLI_PARAM_MODE]: p.endsWith('.wasm') ? zlib.BROTLI_MODE_GENERIC : zlib.BROTLI_MODE_TEXT,
      },
    });
    sizes = { raw: sizes.raw + bytes.length, gz: sizes.gz + Math.min(gz.length, bytes.length), br: sizes.br + Math.min(br.length, bytes.length) };
    if (gz.length < bytes.length) writeFileSync(`${p}.gz`, gz);
    if (br.length < bytes.length) writeFileSync(`${p}.br`, br);
  }
  return sizes;
}

export async function build() {
  setup(); // also the npm packages: @gfx/zopfli, for embedModule
  const { wasm, wasmPath, fullGlue, light, lightPath } = buildModule();
  await smokeTest();
  await embedModule(light, join(pkg, 'upgrade_gate_embedded.js'));
  mkdirSync(join(pkg, 'full'), { recursive: true });
  await embedModule(wasm, join(pkg, 'full', 'upgrade_gate_full.js'), { global: 'UPGRADE_GATE_FULL', prefix: fullGlue });
  const cards = Object.keys(CARDS).map((name) => ({ name, ...buildCardModule(name) }));
  for (const card of cards) await embedModule(card.wasm, join(pkg, card.name, 'upgrade_gate_embedded.js'));
  copySchemas();
  const cases = buildDemo();
  buildPages();
  const sizes = precompress();
  log(`demo cases: ${cases.length ? cases.map((c) => c.name).join(', ') : 'none'}`);
  log(`precompressed: ${sizes.raw} bytes, ${sizes.gz} as gzip, ${sizes.br} as brotli`);
  for (const [what, bytes, path] of [['page\'s first', light, lightPath], ['complete', wasm, wasmPath], ...cards.map((c) => [`${c.name}'s`, c.wasm, c.wasmPath])]) {
    log(`${relative(root, path)} (the ${what} module): ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
  }
  // The page's first module first (its footer's hash), then the complete one: the lines `npm run reproduce` and SECURITY.md compare.
  process.stdout.write(`sha256:${sha256(light)}  ${relative(root, lightPath)}\n`);
  process.stdout.write(`sha256:${sha256(wasm)}  ${relative(root, wasmPath)}\n`);
  for (const c of cards) process.stdout.write(`sha256:${sha256(c.wasm)}  ${relative(root, c.wasmPath)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setup();
    stopIfDryRun('npm run build');
    await build();
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
