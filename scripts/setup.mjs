// Installs what the npm scripts need and is missing, and nothing else: the
// Rust toolchain of rust-toolchain.toml with its wasm32 target, the
// wasm-bindgen CLI of exactly the version in Cargo.lock, the npm packages of
// package-lock.json (binaryen's wasm-opt among them), and (for the tests and
// the benchmark) Debian's Chromium. Each entry script calls it first, so every
// script works on a fresh clone.
//
//   node scripts/setup.mjs            for `npm start` / `npm run build` / `npm run reproduce`
//   node scripts/setup.mjs --browser  also Chromium, for `npm test` and `npm run bench`
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockedVersion, log, output, pinnedRust, root, run, wasmOpt, which } from './lib.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * The toolchain of rust-toolchain.toml and its wasm32 target. rustup ≥ 1.28
 * no longer installs a missing toolchain on first use (it fails with "toolchain
 * … is not installed"), so we ask it to, once; `--no-self-update` leaves the
 * user's rustup as it is. Without rustup, the cargo on the PATH must be the
 * pinned version: checkRust() refuses to build the module with another.
 */
export function ensureRust() {
  const channel = pinnedRust();
  const toolchains = output('rustup', ['toolchain', 'list']);
  if (toolchains === null) {
    log(`rustup not found: using the cargo on the PATH, which must be Rust ${channel} with the wasm32-unknown-unknown target`);
    return;
  }
  const installed = toolchains.split('\n').some((l) => l.startsWith(`${channel}-`));
  const targets = installed ? output('rustup', ['target', 'list', '--installed', '--toolchain', channel]) : null;
  if (!installed || !(targets || '').split('\n').includes('wasm32-unknown-unknown')) {
    log(`installing Rust ${channel} (rust-toolchain.toml) with the wasm32-unknown-unknown target`);
    // With no toolchain named, rustup installs the one rust-toolchain.toml names, with its targets and profile.
    run('rustup', ['toolchain', 'install', '--no-self-update']);
  }
}

/** Throws unless `rustc` in `dir` (where rust-toolchain.toml applies) is the pinned version. */
export function checkRust(dir = root, env = process.env) {
  const channel = pinnedRust();
  const r = output('rustc', ['--version'], { cwd: dir, env });
  if (!r || !r.startsWith(`rustc ${channel} `)) {
    throw new Error(`the module must be built with Rust ${channel} (rust-toolchain.toml), but rustc is ${r ?? 'missing'}: install rustup, or unset RUSTUP_TOOLCHAIN`);
  }
  return r;
}

export function ensureWasmBindgen() {
  const want = lockedVersion('wasm-bindgen');
  const have = output('wasm-bindgen', ['--version']);
  if (have === `wasm-bindgen ${want}`) return;
  log(`wasm-bindgen ${want} needed (Cargo.lock), found ${have ?? 'none'}: installing (takes a few minutes once)`);
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', want, '--force']);
}

export function ensureNodeModules() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  // An optional package for another platform (e.g. @foundry-rs/anvil-darwin-arm64,
  // whose `os`/`cpu` exclude this machine) is never installed here: not missing.
  const elsewhere = (meta) => meta.optional && ((meta.os && !meta.os.includes(process.platform)) || (meta.cpu && !meta.cpu.includes(process.arch)));
  const ok = Object.entries(lock.packages || {}).every(([path, meta]) => {
    if (!path.startsWith('node_modules/') || elsewhere(meta)) return true;
    try {
      return JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')).version === meta.version;
    } catch {
      return false;
    }
  });
  if (!ok) run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  log(`${CHROMIUM} is missing: installing Debian's chromium`);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = asRoot ? [] : which('sudo') ? ['sudo'] : null;
  if (sudo === null) throw new Error('Chromium is missing and this user cannot run apt-get: run `apt-get install -y chromium` as root');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (sudo.length ? run('sudo', ['apt-get', ...args], { env }) : run('apt-get', args, { env }));
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
}

/** What the npm scripts need; `browser: true` (or the older `test: true`) for the ones that drive Chromium. */
export function setup({ browser = false, test = false } = {}) {
  ensureNodeModules();
  wasmOpt(); // the pinned binaryen is there, or this says how to get it
  ensureRust();
  checkRust(root, { ...process.env, RUSTUP_TOOLCHAIN: pinnedRust() });
  ensureWasmBindgen();
  if (browser || test) ensureChromium();
}

/**
 * `--dry-run`: an entry script installs what it needs, says so and stops
 * before its real work (the fresh-clone test runs every script this way).
 */
export function stopIfDryRun(what) {
  if (!process.argv.includes('--dry-run')) return;
  process.stdout.write(`${what}: ready, nothing missing\n`);
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setup({ browser: process.argv.includes('--browser') || process.argv.includes('--test') });
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
