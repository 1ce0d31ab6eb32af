// `npm run reproduce`: proves that the wasm module is reproducible. Copies the
// sources into two fresh folders at different paths, builds the module in each
// with scripts/build.mjs's own buildModule() (cargo, wasm-opt, wasm-bindgen)
// and a fresh target/, prints both hashes, and exits 1 if they differ.
//
// Paths are what usually leaks into a binary (panic locations of dependencies
// name ~/.cargo/registry/…), so each build maps its source folder, CARGO_HOME
// and RUSTUP_HOME to fixed names with --remap-path-prefix. The same flags in
// any folder, on any machine with the same toolchain, give the same bytes.
//
//   npm run reproduce            # two builds in a temp folder, removed after
//   npm run reproduce -- --keep  # keep them, to diff what differs
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, reproducibleRustflags, root } from './lib.mjs';
import { ensureWasmBindgen, ensureWasmTarget } from './setup.mjs';

// What the module is built from: the crate and the build script (which also embeds www/worker.js).
const SOURCES = ['Cargo.toml', 'Cargo.lock', 'README.md', 'src/', 'scripts/', 'www/worker.js', 'package.json', '.cargo/'];

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Files git knows (tracked, or new and not ignored) under SOURCES. */
function sourceFiles() {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('git ls-files failed: reproduce needs a git checkout');
  return [...new Set(r.stdout.split('\0'))]
    .filter((p) => p && SOURCES.some((s) => (s.endsWith('/') ? p.startsWith(s) : p === s)))
    .filter((p) => existsSync(join(root, p)))
    .sort();
}

/** Writes the same snapshot of the sources into every folder, before any build starts. */
function copySources(files, dirs) {
  const sources = createHash('sha256');
  const snapshot = files.map((f) => {
    const bytes = readFileSync(join(root, f));
    sources.update(`${f}\0${bytes.length}\0`).update(bytes);
    return [f, bytes];
  });
  for (const dir of dirs) {
    for (const [f, bytes] of snapshot) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), bytes);
    }
  }
  return `sha256:${sources.digest('hex')}`;
}

function buildIn(dir) {
  const env = { ...process.env };
  delete env.RUSTFLAGS;
  delete env.CARGO_ENCODED_RUSTFLAGS; // buildModule() sets reproducibleRustflags() for its own folder
  env.CARGO_TARGET_DIR = join(dir, 'target');
  // buildModule() is run from the copy, so its root (and target/, www/pkg/) is the copy's.
  const driver = join(dir, '..', `build-${Date.now()}.mjs`);
  writeFileSync(driver, `import { buildModule } from ${JSON.stringify(pathToFileURL(join(dir, 'scripts', 'build.mjs')).href)};\nbuildModule();\n`);
  log(`building in ${dir}`);
  const r = spawnSync(process.execPath, [driver], { cwd: dir, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`the build in ${dir} failed (${r.status ?? r.signal})`);
  const module = readFileSync(join(dir, 'www', 'pkg', 'upgrade_gate_bg.wasm'));
  const cargo = readFileSync(join(dir, 'target', 'wasm32-unknown-unknown', 'release', 'upgrade_gate.wasm'));
  return { module, cargo };
}

function main() {
  const keep = process.argv.includes('--keep');
  ensureWasmTarget();
  ensureWasmBindgen();
  const files = sourceFiles();
  const base = mkdtempSync(join(tmpdir(), 'upgrade-gate-reproduce-'));
  // Different depths and names, so a path that leaks changes the bytes.
  const dirs = [join(base, 'a', 'upgrade-gate'), join(base, 'second', 'checkout', 'elsewhere')];
  try {
    const sources = copySources(files, dirs);
    log(`sources: ${files.length} files, ${sources}`);
    const builds = dirs.map((d) => buildIn(d));
    const same = builds[0].module.equals(builds[1].module);
    for (const [i, b] of builds.entries()) {
      process.stdout.write(`${sha256(b.module)}  ${join(dirs[i], 'www/pkg/upgrade_gate_bg.wasm')}\n`);
    }
    if (!builds[0].cargo.equals(builds[1].cargo)) {
      log('cargo\'s own .wasm differs too (before wasm-opt and wasm-bindgen): see target/wasm32-unknown-unknown/release/');
    }
    if (same) {
      process.stdout.write(`reproducible: ${sha256(builds[0].module)} (${builds[0].module.length} bytes)\n`);
    } else {
      process.stdout.write('NOT reproducible: the two builds differ\n');
      if (!keep) log('run `npm run reproduce -- --keep` to keep both builds for diffing');
      process.exitCode = 1;
    }
  } finally {
    if (keep) log(`builds kept in ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
