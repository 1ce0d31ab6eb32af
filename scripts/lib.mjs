// Small helpers shared by the npm scripts: run a command, find a tool, read Cargo.lock.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// cargo installs into ~/.cargo/bin, which a fresh shell may not have on PATH yet.
const cargoBin = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin');
if (!(process.env.PATH || '').split(delimiter).includes(cargoBin)) {
  process.env.PATH = `${process.env.PATH || ''}${delimiter}${cargoBin}`;
}

export function log(message) {
  process.stderr.write(`[upgrade-gate] ${message}\n`);
}

/** Runs a command with inherited output; throws with the command line when it fails. */
export function run(cmd, args, options = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** The trimmed stdout of a command, or null if it cannot run or fails. */
export function output(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The full path of a program on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The version of a package pinned in Cargo.lock (the wasm-bindgen CLI must match it exactly). */
export function lockedVersion(crate) {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(new RegExp(`\\[\\[package\\]\\]\\s*\\nname = "${crate}"\\s*\\nversion = "([^"]+)"`));
  if (!m) throw new Error(`Cargo.lock has no ${crate}`);
  return m[1];
}

/**
 * The rustc flags that make a build independent of where it happens: paths
 * are what usually leaks into a binary (panic locations of dependencies name
 * ~/.cargo/registry/…), so the source folder, CARGO_HOME and RUSTUP_HOME are
 * mapped to fixed names. `npm run build` and `npm run reproduce` both use them.
 */
export function reproducibleRustflags(sourceDir = root) {
  const cargoHome = process.env.CARGO_HOME || join(homedir(), '.cargo');
  const rustupHome = process.env.RUSTUP_HOME || join(homedir(), '.rustup');
  return [
    `--remap-path-prefix=${sourceDir}=/upgrade-gate`,
    `--remap-path-prefix=${cargoHome}=/cargo`,
    `--remap-path-prefix=${rustupHome}=/rustup`,
  ];
}

/**
 * The flags of the wasm module's build: the reproducible ones, and simd128,
 * which gives sha2 its wasm SIMD compression (about 1.2× the plain one;
 * every current browser and Node ≥ 16.4 run SIMD modules).
 */
export function wasmRustflags(sourceDir = root) {
  return [...reproducibleRustflags(sourceDir), '-C', 'target-feature=+simd128'];
}

/**
 * Features rustc enables for wasm32-unknown-unknown (with +simd128) that
 * wasm-opt must accept: the strip = true profile removes the section that
 * lists them.
 */
export const WASM_FEATURES = ['sign-ext', 'mutable-globals', 'bulk-memory', 'nontrapping-float-to-int', 'multivalue', 'reference-types', 'simd'];
