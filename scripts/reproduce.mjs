// `npm run reproduce`: proves that the wasm modules are reproducible (the page's
// first and complete modules, the cards'), and
// checks a published page against the sources. Copies the sources into two
// fresh folders at different paths, builds the module in each with
// scripts/build.mjs's own buildModule() and a fresh target/, with the pinned
// tools (Rust of rust-toolchain.toml, wasm-bindgen of Cargo.lock, wasm-opt of
// the npm package binaryen in package-lock.json), prints both hashes, and
// exits 1 if they differ from each other or from the expected hash.
//
// Paths are what usually leaks into a binary (panic locations of dependencies
// name ~/.cargo/registry/…), so each build maps its source folder, its target
// folder, CARGO_HOME and RUSTUP_HOME to fixed names with --remap-path-prefix.
// The same flags in any folder, on any machine with the same tools, give the
// same bytes.
//
//   npm run reproduce                               two builds in a temp folder, removed after
//   npm run reproduce -- --expect sha256:…          …and both must have this hash (a page footer's)
//   npm run reproduce -- --expect saved/page.html   …the hash in a saved page's footer
//   npm run reproduce -- --expect upgrade_gate_bg.wasm   …the hash of a published module
//   npm run reproduce -- --keep                     keep the builds, to diff what differs
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockedVersion, log, output, pinnedRust, root, WASM_OPT_PASSES, wasmOpt } from './lib.mjs';
import { setup, stopIfDryRun } from './setup.mjs';

// What the module is built from: the crate, the toolchain pin and the build
// script (which also embeds www/worker.js), and package-lock.json (binaryen).
export const SOURCES = ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'README.md', 'src/', 'scripts/', 'www/worker.js', 'package.json', 'package-lock.json', '.cargo/'];

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Files git knows (tracked, or new and not ignored) under SOURCES. */
export function sourceFiles(from = root) {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: from, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('git ls-files failed: reproduce needs a git checkout');
  return [...new Set(r.stdout.split('\0'))]
    .filter((p) => p && SOURCES.some((s) => (s.endsWith('/') ? p.startsWith(s) : p === s)))
    .filter((p) => existsSync(join(from, p)))
    .sort();
}

/**
 * Writes the same snapshot of the sources into every folder, before any build
 * starts. node_modules is linked, not copied: wasmOpt() checks in each copy
 * that it holds the binaryen its package-lock.json pins.
 */
export function copySources(files, dirs, from = root) {
  const sources = createHash('sha256');
  const snapshot = files.map((f) => {
    const bytes = readFileSync(join(from, f));
    sources.update(`${f}\0${bytes.length}\0`).update(bytes);
    return [f, bytes];
  });
  for (const dir of dirs) {
    for (const [f, bytes] of snapshot) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), bytes);
    }
    symlinkSync(join(from, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
  return `sha256:${sources.digest('hex')}`;
}

/**
 * Builds the module in `dir` (a copy of the sources) with that copy's own
 * scripts/build.mjs; `targetDir` defaults to a fresh one inside the copy.
 * Returns the module the page would run, cargo's own .wasm and
 * wasm-bindgen's before wasm-opt.
 */
export function buildIn(dir, { targetDir = join(dir, 'target'), env: extra = {}, card = false } = {}) {
  const env = { ...process.env, ...extra };
  delete env.RUSTFLAGS;
  delete env.CARGO_ENCODED_RUSTFLAGS; // the copy's build sets its own, for its own folders
  env.CARGO_TARGET_DIR = targetDir;
  // buildModule() is run from the copy, so its root (and www/pkg/) is the copy's.
  const driver = join(dir, '..', `build-${process.pid}-${Date.now()}.mjs`);
  // With `card`, the forum cards' modules too (embed.html's and embed-governance.html's footers show their hashes).
  const calls = card ? 'buildModule();\nfor (const name of Object.keys(CARDS)) buildCardModule(name);\n' : 'buildModule();\n';
  writeFileSync(driver, `import { buildCardModule, buildModule, CARDS } from ${JSON.stringify(pathToFileURL(join(dir, 'scripts', 'build.mjs')).href)};\n${calls}`);
  log(`building in ${dir}`);
  const r = spawnSync(process.execPath, [driver], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  rmSync(driver, { force: true });
  if (r.status !== 0) throw new Error(`the build in ${dir} failed (${r.status ?? r.signal})`);
  // The complete module (the npm package's, the page's second) and the page's first (issue 24).
  const module = readFileSync(join(dir, 'www', 'pkg', 'upgrade_gate_bg.wasm'));
  const light = readFileSync(join(dir, 'www', 'pkg', 'light', 'upgrade_gate_bg.wasm'));
  const cargo = readFileSync(join(dir, 'target', 'upgrade_gate_full.cargo.wasm'));
  const unoptimised = readFileSync(join(dir, 'target', 'upgrade_gate_bg.unopt.wasm'));
  const lightUnoptimised = readFileSync(join(dir, 'target', 'upgrade_gate_light.unopt.wasm'));
  const cards = card ? CARD_NAMES.map((name) => [name, readFileSync(join(dir, 'www', 'pkg', name, 'upgrade_gate_bg.wasm'))]) : [];
  return { module, light, cargo, unoptimised, lightUnoptimised, cards: Object.fromEntries(cards) };
}

/**
 * The hash to expect, from `--expect`: a `sha256:…` (spaces allowed, as the
 * footer groups it), a `.wasm` file (its hash), or a saved page (`.html`):
 * the hash its footer shows (`#wasm-hash`, filled in when the page ran: saved
 * by the browser as "Webpage, complete"), or else the hash of the module
 * embedded in the scripts it loads from its folder.
 */
export function expectedHash(arg) {
  const compact = arg.replace(/\s+/g, '').toLowerCase();
  if (/^(sha256:)?[0-9a-f]{64}$/.test(compact)) return compact.startsWith('sha256:') ? compact : `sha256:${compact}`;
  if (compact.startsWith('sha256:')) throw new Error(`--expect ${arg}: not a SHA-256 (sha256: and 64 hex digits)`);
  const path = resolve(arg);
  if (!existsSync(path)) throw new Error(`--expect ${arg}: no such file, and not a sha256:… hash`);
  const bytes = readFileSync(path);
  if (extname(path) === '.wasm') {
    if (!bytes.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))) throw new Error(`--expect ${arg}: not a WebAssembly module`);
    return sha256(bytes);
  }
  if (!/^\.html?$/.test(extname(path))) throw new Error(`--expect ${arg}: give a sha256:… hash, a saved page (.html) or a module (.wasm)`);
  const html = bytes.toString('utf8');
  const at = html.search(/\bid=["']?wasm-hash\b/);
  if (at < 0) throw new Error(`--expect ${arg}: not an upgrade-gate page (it has no #wasm-hash footer)`);
  // The footer prints the hash in groups of four: read its text, tags dropped.
  const footer = html.slice(at, at + 4000).replace(/<[^>]*>/g, ' ');
  const m = footer.replace(/\s+/g, '').match(/sha256:[0-9a-f]{64}/) || html.slice(at, at + 4000).match(/sha256:[0-9a-f]{64}/);
  if (m) return m[0];
  // Saved as "HTML only": the footer was never filled in. The module is in a script beside the page.
  for (const [, src] of html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/g)) {
    const file = join(dirname(path), decodeURIComponent(src.split(/[?#]/)[0]));
    if (!existsSync(file)) continue;
    // pkg/…embedded.js (or a bundle holding it): the module gzipped then base64, or one character a byte (see build.mjs embedModule).
    const text = readFileSync(file, 'utf8');
    const gz = text.match(/"wasmGzipBase64":"([A-Za-z0-9+/=]+)"/);
    if (gz) return sha256(gunzipSync(Buffer.from(gz[1], 'base64')));
    const chars = text.match(/"wasmChars":("(?:[^"\\]|\\.)*")/);
    if (chars) return sha256(wasmFromChars(unescapeLiteral(chars[1])));
  }
  throw new Error(`--expect ${arg}: its footer shows no module hash (the page was saved before it started, or as "HTML only" without its scripts): open the page, copy the footer's sha256:… and pass that`);
}

/** The text of a JS string literal as build.mjs charsLiteral writes it (escapes: \\" \\\\ \\n \\r \\xNN). */
export function unescapeLiteral(literal) {
  let out = '';
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal[i];
    if (c !== '\\') out += c;
    else {
      const n = literal[++i];
      if (n === 'x') {
        out += String.fromCharCode(parseInt(literal.slice(i + 1, i + 3), 16));
        i += 2;
      } else out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
    }
  }
  return out;
}

/** The module from a bundle's brotli form: one character a byte, each byte b written as b + 1 (mod 256). */
export function wasmFromChars(s) {
  const out = Buffer.alloc(s.length);
  for (let i = 0; i < s.length; i++) out[i] = (s.charCodeAt(i) + 255) & 255;
  return out;
}

/** The forum cards' modules, www/pkg/<name>/ (scripts/build.mjs CARDS). */
const CARD_NAMES = ['card', 'card-governance'];

/** What the two builds say: the same bytes, and (with --expect) the expected hash. */
export function verdict([a, b], expected = null, from = expected, tools = 'the pinned tools') {
  const got = sha256(a);
  if (!a.equals(b)) {
    return { ok: false, message: `NOT reproducible: the two builds differ from each other (${got}, ${sha256(b)})` };
  }
  if (expected && got !== expected) {
    return {
      ok: false,
      message:
        `MISMATCH: these sources build ${got} (${a.length} bytes), but ${from} is ${expected}\n` +
        `  the page was not built from these sources with these tools (${tools}):\n` +
        '  check out the commit the page was published from and run again; if it still differs, do not trust the page',
    };
  }
  return { ok: true, message: `reproducible: ${got} (${a.length} bytes)${expected ? ', the expected hash' : ''}` };
}

function usage() {
  process.stdout.write(
    'usage: npm run reproduce [-- [--expect sha256:…|PAGE.html|MODULE.wasm] [--keep] [--dry-run]]\n' +
      '  builds the wasm module twice in clean folders with the pinned tools and compares;\n' +
      '  with --expect, both builds must also have that hash (the one a published page shows)\n',
  );
}

function parseArgs(argv) {
  const opts = { keep: false, expect: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') opts.keep = true;
    else if (a === '--dry-run') continue; // see stopIfDryRun
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--expect') {
      if (i + 1 >= argv.length) throw new Error('--expect needs a value: sha256:…, a saved page (.html) or a module (.wasm)');
      opts.expect = argv[++i];
    } else if (a.startsWith('--expect=')) opts.expect = a.slice('--expect='.length);
    else throw new Error(`unknown argument ${a} (see --help)`);
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) return usage();
  // Read the expected hash first: a mistyped one should not cost two builds.
  const expected = opts.expect === null ? null : expectedHash(opts.expect);
  if (expected) log(`expected: ${expected} (from ${opts.expect})`);
  setup();
  stopIfDryRun('npm run reproduce');
  const tools = `${output('rustc', ['--version'], { env: { ...process.env, RUSTUP_TOOLCHAIN: pinnedRust() } })}, wasm-bindgen ${lockedVersion('wasm-bindgen')}, binaryen ${wasmOpt().version} (wasm-opt ${WASM_OPT_PASSES.join(' ')})`;
  log(`tools: ${tools}`);
  const files = sourceFiles();
  const base = mkdtempSync(join(tmpdir(), 'upgrade-gate-reproduce-'));
  // Different depths and names, so a path that leaks changes the bytes.
  const dirs = [join(base, 'a', 'upgrade-gate'), join(base, 'second', 'checkout', 'elsewhere')];
  try {
    const sources = copySources(files, dirs);
    log(`sources: ${files.length} files, ${sources}`);
    const builds = dirs.map((d) => buildIn(d, { card: true }));
    for (const [i, b] of builds.entries()) {
      process.stdout.write(`${sha256(b.light)}  ${join(dirs[i], 'www/pkg/light/upgrade_gate_bg.wasm')}\n`);
      process.stdout.write(`${sha256(b.module)}  ${join(dirs[i], 'www/pkg/upgrade_gate_bg.wasm')}\n`);
      for (const name of CARD_NAMES) process.stdout.write(`${sha256(b.cards[name])}  ${join(dirs[i], `www/pkg/${name}/upgrade_gate_bg.wasm`)}\n`);
    }
    const same = builds.every((b) => b.module.equals(builds[0].module) && b.light.equals(builds[0].light) && CARD_NAMES.every((n) => b.cards[n].equals(builds[0].cards[n])));
    if (!builds[0].cargo.equals(builds[1].cargo)) {
      log("cargo's own .wasm differs too (before wasm-bindgen and wasm-opt): see target/wasm32-unknown-unknown/release/ in each folder");
    }
    // The page runs two modules (its first, then the complete one on need) and each card
    // one of its own: an expected hash may be any of the four's.
    const modules = [['page', builds.map((b) => b.light)], ['complete', builds.map((b) => b.module)], ...CARD_NAMES.map((n) => [n, builds.map((b) => b.cards[n])])];
    const holder = expected ? modules.find(([, m]) => sha256(m[0]) === expected)?.[0] ?? 'page' : null;
    let ok = true;
    for (const [name, pair] of modules) {
      const v = verdict(pair, name === holder ? expected : null, opts.expect, tools);
      ok &&= v.ok;
      process.stdout.write(`${name}: ${v.message}\n`);
    }
    if (!same && !opts.keep) log('run `npm run reproduce -- --keep` to keep both builds for diffing');
    if (!ok) process.exitCode = 1;
  } finally {
    if (opts.keep) log(`builds kept in ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (e) {
    log(e.message);
    process.exit(process.exitCode || 2);
  }
}
