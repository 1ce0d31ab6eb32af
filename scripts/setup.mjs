// Installs what the build and the tests need and is missing, and nothing else:
// the wasm32 target, the wasm-bindgen CLI of exactly the version in Cargo.lock,
// the npm packages of package-lock.json, and (for tests) Debian's Chromium.
//
//   node scripts/setup.mjs            for `npm start` / `npm run build`
//   node scripts/setup.mjs --test     also npm ci and Chromium, for `npm test`
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockedVersion, log, output, root, run, which } from './lib.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function ensureWasmTarget() {
  const installed = output('rustup', ['target', 'list', '--installed']);
  if (installed === null) {
    log('rustup not found: assuming the wasm32-unknown-unknown target is available');
    return;
  }
  if (!installed.split('\n').includes('wasm32-unknown-unknown')) {
    run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  }
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
  const ok = Object.entries(lock.packages || {}).every(([path, meta]) => {
    if (!path.startsWith('node_modules/')) return true;
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

export function setup({ test = false } = {}) {
  ensureWasmTarget();
  ensureWasmBindgen();
  if (!which('wasm-opt')) log('wasm-opt not found: the module is built without size optimisation (apt-get install binaryen)');
  if (test) {
    ensureNodeModules();
    ensureChromium();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setup({ test: process.argv.includes('--test') });
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
