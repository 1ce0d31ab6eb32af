// `npm run bench:size`: what each dependency costs in the wasm module.
//
// Builds the module as `npm run build` does (same features, then the build's
// wasm-opt passes, with the pinned binaryen)
// but keeps the function names (strip = false, wasm-opt -g) in its own target
// folder, reads the name section, and adds up the code of each function by the
// crate its name starts with; data segments are counted apart. Figures are
// bytes of code before gzip: use them to compare crates, and the gzip -9 size
// `npm run bench` prints for the module itself (the code here still includes
// wasm-bindgen's describe functions, which wasm-bindgen removes from the
// module it emits).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pinnedRust, root, WASM_FEATURES, WASM_OPT_PASSES, wasmOpt, wasmRustflags } from '../scripts/lib.mjs';
import { setup, stopIfDryRun } from '../scripts/setup.mjs';

// `npm run bench:size -- --features wasm-light,wasm-formats` (the page's first
// module), `-- --features wasm-card` (the card's, built at opt-level "z" as the
// build does): another feature set than the complete module's. BENCH_SIZE_TARGET
// reuses a target folder (e.g. target/ or target/wasm-card: only our crate is relinked).
const at = process.argv.indexOf('--features');
const features = at >= 0 ? process.argv[at + 1] : 'wasm-formats';
// Absolute: the reproducible flags name the target folder, and a relative path
// there would differ from the build's and rebuild every dependency.
const target = process.env.BENCH_SIZE_TARGET ? resolve(root, process.env.BENCH_SIZE_TARGET) : join(root, 'target', 'size');

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

setup();
stopIfDryRun('npm run bench:size');
// strip=none for our crate alone (rustc's last -C wins): a profile setting would
// rebuild every dependency in a reused target folder.
const env = { ...process.env, CARGO_TARGET_DIR: target, RUSTUP_TOOLCHAIN: pinnedRust() };
env.CARGO_ENCODED_RUSTFLAGS = wasmRustflags(target).join('\x1f');
// The card's per-package opt-levels as scripts/build.mjs gives them (--config).
const small = [];
if (features.includes('wasm-card')) {
  env.CARGO_PROFILE_RELEASE_OPT_LEVEL = 'z';
  for (const p of ['keccak', 'sha3', 'alloy-primitives']) small.push('--config', `profile.release.package.${p}.opt-level="z"`);
}
run('cargo', ['rustc', '--lib', '--release', '--target', 'wasm32-unknown-unknown', '--features', features, ...small, '--', '-C', 'strip=none'], env);
const named = join(target, 'named.wasm');
const opt = wasmOpt();
run(opt.cmd, [...opt.args, ...WASM_OPT_PASSES, '-g', '--strip-dwarf', ...WASM_FEATURES.map((f) => `--enable-${f}`), '-o', named, join(target, 'wasm32-unknown-unknown', 'release', 'upgrade_gate.wasm')]);

// ---- a minimal reader of the sections we need -----------------------------------
const bytes = readFileSync(named);
let pos = 8;
const u32 = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return result;
    shift += 7;
  }
};
const name = () => {
  const n = u32();
  const s = bytes.subarray(pos, pos + n).toString('utf8');
  pos += n;
  return s;
};
const limits = () => {
  const flags = u32();
  u32();
  if (flags & 1) u32();
};

let imported = 0;
const bodies = []; // [function index, size]
const names = new Map();
let data = 0;
let custom = 0;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 2) {
    for (let n = u32(); n > 0; n--) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) (imported++, u32());
      else if (kind === 1) (pos++, limits());
      else if (kind === 2) limits();
      else if (kind === 3) pos += 2;
      else if (kind === 4) (pos++, u32());
    }
  } else if (id === 10) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      const len = u32();
      bodies.push([imported + i, len]);
      pos += len;
    }
  } else if (id === 11) {
    data += size;
  } else if (id === 0) {
    if (name() === 'name') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subEnd = u32() + pos;
        if (sub === 1) for (let n = u32(); n > 0; n--) names.set(u32(), name());
        pos = subEnd;
      }
    } else custom += size;
  }
  pos = end;
}

// ---- by crate ---------------------------------------------------------------------
// Names are mangled (legacy `_ZN…E` or v0 `_R…`): the crate is the first path
// segment, or for `<T as Trait>::f` the crate of T.
function crateOf(fn) {
  let first = null;
  if (fn.startsWith('_ZN')) {
    const m = fn.slice(3).match(/^(\d+)/);
    if (m) first = fn.slice(3 + m[1].length, 3 + m[1].length + Number(m[1]));
    if (first && first.startsWith('_$LT$')) {
      first = first.slice(5).replace(/^(\$RF\$|mut\$u20\$|dyn\$u20\$|\$u5b\$)+/, '').split('..')[0].split('$')[0];
    }
    if (first === 'upgrade_gate') {
      const rest = fn.slice(3 + 2 + 'upgrade_gate'.length).match(/^(\d+)/);
      if (rest) first += `::${fn.slice(3 + 2 + 12 + rest[1].length).slice(0, Number(rest[1]))}`;
    }
  } else if (fn.startsWith('_R')) {
    const m = fn.match(/C(?:s[0-9A-Za-z]*_)?(\d+)/);
    if (m) first = fn.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1]));
  } else {
    first = fn.split(/[:\s<]/).find(Boolean) || null;
  }
  return first || '(unnamed)';
}
const byCrate = new Map();
let code = 0;
for (const [index, size] of bodies) {
  const crate = crateOf(names.get(index) || '');
  byCrate.set(crate, (byCrate.get(crate) || 0) + size);
  code += size;
}
const rows = [...byCrate].sort((a, b) => b[1] - a[1]);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const out = [
  `module with names: ${kib(bytes.length)} (gzip -9 ${kib(gzipSync(bytes, { level: 9 }).length)}); code ${kib(code)}, data ${kib(data)}`,
  '',
  '| crate | code | share |',
  '|---|---:|---:|',
  ...rows.filter(([, n]) => n >= 1024).map(([c, n]) => `| ${c} | ${kib(n)} | ${((100 * n) / code).toFixed(1)}% |`),
  `| (${rows.filter(([, n]) => n < 1024).length} crates under 1 KiB) | ${kib(rows.filter(([, n]) => n < 1024).reduce((s, [, n]) => s + n, 0))} | |`,
];

// `npm run bench:size -- --top 40`: the largest functions as well.
const top = process.argv.indexOf('--top');
if (top >= 0) {
  const n = Number(process.argv[top + 1]) || 30;
  out.push('', '| function | code |', '|---|---:|');
  for (const [index, size] of [...bodies].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    out.push(`| ${demangle(names.get(index) || '?').slice(0, 160)} | ${kib(size)} |`);
  }
}
process.stdout.write(`${out.join('\n')}\n`);

/** Legacy Rust mangling (`_ZN…E`) made readable, hash dropped. */
function demangle(fn) {
  if (!fn.startsWith('_ZN')) return fn;
  const parts = [];
  for (let i = 3; i < fn.length && fn[i] !== 'E'; ) {
    const m = fn.slice(i).match(/^(\d+)/);
    if (!m) break;
    i += m[1].length;
    parts.push(fn.slice(i, i + Number(m[1])));
    i += Number(m[1]);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1) || '')) parts.pop();
  const codes = { LT: '<', GT: '>', RF: '&', BP: '*', C: ',', SP: '@', u20: ' ', u27: "'", u5b: '[', u5d: ']', u7b: '{', u7d: '}', u3b: ';', u2b: '+', u22: '"' };
  return parts.join('::').replace(/\$([A-Za-z0-9]+)\$/g, (all, c) => codes[c] ?? all).replace(/\.\./g, '::');
}
