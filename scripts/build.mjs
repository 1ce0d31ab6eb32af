// `npm run build`: the wasm module into www/pkg/, the demo cases into www/demo/.
//
// www/pkg/upgrade_gate.js (+ _bg.wasm, .d.ts)  the ES module of SPEC §6 (wasm-bindgen --target web)
// www/pkg/upgrade_gate_classic.js              the same bindings as a classic script (global `wasm_bindgen`)
// www/pkg/upgrade_gate_embedded.js             the .wasm bytes and the worker source, as a classic script
// www/demo/<case>/…, www/demo/index.json       copies of examples/
// www/demo/demo-data.js                        the same files, embedded in a classic script
// www/pkg/index.bundle.js, embed.bundle.js     each page's scripts, joined in one file (see bundle)
// www/index.html, www/embed.html               www/templates/*.html, every script and stylesheet pinned by SRI
// www/offline.html, www/offline-embed.html     the same pages unpinned, for file:// (see buildPages)
//
// Why classic scripts: the page must work from file://, where Chromium refuses
// ES modules, fetch() and workers loaded from files; and its CSP forbids every
// connection (connect-src 'none'), so even over http the wasm bytes and the
// demo files cannot be fetched. Scripts from the page's own folder are allowed.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, pinnedRust, root, run, sourceRemap, WASM_FEATURES, WASM_OPT_PASSES, wasmOpt, wasmRustflags } from './lib.mjs';
import { checkRust, setup, stopIfDryRun } from './setup.mjs';

const www = join(root, 'www');
const pkg = join(www, 'pkg');
const demo = join(www, 'demo');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The module's cargo build with the pinned rustc: returns the path of its .wasm, before wasm-bindgen. */
export function cargoModule() {
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
  run('cargo', ['rustc', '--lib', '--release', '--target', 'wasm32-unknown-unknown', '--features', 'wasm-formats', '--', ...(own ? sourceRemap(root) : [])], { env });
  return join(targetDir, 'wasm32-unknown-unknown', 'release', 'upgrade_gate.wasm');
}

/**
 * Optimises `input` into `output` with the pinned binaryen's wasm-opt
 * (WASM_OPT_PASSES, bench/RESULTS.md), run by Node: never a wasm-opt from
 * the PATH.
 */
export function optimise(input, output) {
  const { cmd, args, version } = wasmOpt();
  const flags = [...WASM_OPT_PASSES, ...WASM_FEATURES.map((f) => `--enable-${f}`)];
  // wasm-opt is a pure function of its input, flags and version, and takes
  // tens of seconds in Node: a rebuild of unchanged code reuses its output.
  // (A fresh checkout, as in `npm run reproduce`, starts with no cache.)
  const key = createHash('sha256').update(`binaryen ${version}\0${flags.join(' ')}\0`).update(readFileSync(input)).digest('hex');
  const cache = join(root, 'target', 'wasm-opt-cache');
  const cached = join(cache, `${key}.wasm`);
  if (existsSync(cached)) {
    log(`wasm-opt ${flags.join(' ')}: unchanged input, reusing ${relative(root, cached)}`);
    copyFileSync(cached, output);
    return;
  }
  run(cmd, [...args, ...flags, '-o', output, input]);
  rmSync(cache, { recursive: true, force: true }); // keep one entry: the last build's
  mkdirSync(cache, { recursive: true });
  copyFileSync(output, cached);
}

export function buildModule() {
  const cargoWasm = cargoModule();
  rmSync(pkg, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, '--out-name', 'upgrade_gate', cargoWasm]);
  const classicDir = join(root, 'target', 'www-classic');
  rmSync(classicDir, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'no-modules', '--no-typescript', '--out-dir', classicDir, '--out-name', 'upgrade_gate', cargoWasm]);
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
  copyFileSync(join(classicDir, 'upgrade_gate.js'), join(pkg, 'upgrade_gate_classic.js'));
  const wasm = readFileSync(wasmPath);
  const glue = readFileSync(join(pkg, 'upgrade_gate_classic.js'), 'utf8');
  const worker = readFileSync(join(www, 'worker.js'), 'utf8');
  const embedded = [
    '// Generated by scripts/build.mjs: the wasm module and the hashing worker, for a page that may not fetch.',
    `self.UPGRADE_GATE_BUILD = ${JSON.stringify({
      wasmBase64: wasm.toString('base64'),
      workerSource: `${glue}\n;\n${worker}`,
    })};`,
    // Decode and start compiling at once: the compile runs on the browser's
    // background threads while the page's other scripts are parsed.
    '(function (b) {',
    "  b.wasmBytes = typeof Uint8Array.fromBase64 === 'function' ? Uint8Array.fromBase64(b.wasmBase64) : Uint8Array.from(atob(b.wasmBase64), (c) => c.charCodeAt(0));",
    '  b.wasmModule = WebAssembly.compile(b.wasmBytes);',
    '  b.wasmModule.catch(function () {}); // gate.js reports it',
    '})(self.UPGRADE_GATE_BUILD);',
    '',
  ].join('\n');
  writeFileSync(join(pkg, 'upgrade_gate_embedded.js'), embedded);
  return { wasm, wasmPath };
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
    const names = readdirSync(examples)
      .filter((n) => existsSync(join(examples, n, 'manifest.json')))
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
  writeFileSync(
    join(demo, 'demo-data.js'),
    // Loaded async (the page does not wait for it to be ready): it says when it has run.
    `// Generated by scripts/build.mjs from examples/: every file base64-encoded.\nself.UPGRADE_GATE_DEMO = ${JSON.stringify(cases)};\nself.dispatchEvent(new Event('upgrade-gate:demo'));\n`,
  );
  return cases;
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

const PAGES = [
  ['index.html', 'offline.html'],
  ['embed.html', 'offline-embed.html'],
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
  const parts = tags.map(([, src]) => {
    const text = readFileSync(join(www, src), 'utf8');
    const strict = /^(\s*\/\/[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*'use strict';/.test(text);
    return `// ---- ${src} ----\n${strict ? `(function () {\n${text}\n})();` : text}\n;\n`;
  });
  writeFileSync(join(www, ref), parts.join(''));
  let first = true;
  return template.replace(/<script defer src="[^"]+"><\/script>\n/g, () => {
    if (!first) return '';
    first = false;
    return `<script defer src="${ref}"></script>\n`;
  });
}

/**
 * The pages, from www/templates/. Served pages pin every script and
 * stylesheet with Subresource Integrity, so a changed file is refused.
 * Chromium cannot enforce SRI on file:// (it needs a CORS response) and
 * blocks every pinned script there, so the offline copies carry none: from
 * a disk, the footer's module hash is the check.
 */
export function buildPages() {
  const pin = (tag, ref) => `${tag} integrity="${sri(join(www, ref))}">`;
  for (const [name, offline] of PAGES) {
    const template = bundle(name, readFileSync(join(www, 'templates', name), 'utf8'));
    const stamp = (html, what) =>
      html.replace(/^<!doctype html>\n/i, (d) => `${d}<!-- Generated by scripts/build.mjs from templates/${name}${what}: edit that file. -->\n`);
    const pinned = template
      .replace(/(<script\b[^>]*\bsrc="([^"]+)"[^>]*)>/g, (m, tag, ref) => pin(tag, ref))
      .replace(/(<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*)>/g, (m, tag, ref) => pin(tag, ref));
    writeFileSync(join(www, name), stamp(pinned, ''));
    const unpinned = template.replace(/href="index\.html"/g, 'href="offline.html"');
    writeFileSync(join(www, offline), stamp(unpinned, ', unpinned for file://'));
  }
}

export async function build() {
  setup();
  const { wasm, wasmPath } = buildModule();
  await smokeTest();
  copySchemas();
  const cases = buildDemo();
  buildPages();
  const rel = relative(root, wasmPath);
  log(`demo cases: ${cases.length ? cases.map((c) => c.name).join(', ') : 'none'}`);
  log(`${rel}: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped`);
  process.stdout.write(`sha256:${sha256(wasm)}  ${rel}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setup();
    stopIfDryRun('npm run build');
    await build();
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
