#!/usr/bin/env node
// Verifies one example case with the WebAssembly build of upgrade-gate, the
// way a bot or a forum plugin would: `import init, { verify } from "upgrade-gate"`.
//
//   npm run build                                   # builds www/pkg/ (the package's module)
//   node examples/node/verify.mjs                   # examples/standard-transparent
//   node examples/node/verify.mjs examples/tampered-package-byte
//   node examples/node/verify.mjs examples/anvil-safe-multisend 0x…   # with a witness: the block hash you trust
//
// It hashes the package and rollback package itself (streaming, with the
// module's Sha256), reads the manifest, release, approvals, policy and
// evidence as text (the core hashes the evidence), and the artifacts the
// targets name from the package folder; then prints the decision and every
// check. The exit status
// is the CLI's: 0 release, 10 hold, 20 reject, 2 input error. Node >= 20.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import init, { Sha256, verify } from 'upgrade-gate';

// In Node, init takes the wasm bytes (browsers and bundlers fetch them by URL).
await init({ module_or_path: readFileSync(fileURLToPath(import.meta.resolve('upgrade-gate/upgrade_gate_bg.wasm'))) });

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '..', 'standard-transparent'));
const file = (name) => join(dir, name);
const text = (name) => (existsSync(file(name)) ? readFileSync(file(name), 'utf8') : undefined);

async function sha256(path) {
  const h = new Sha256();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk);
  return h.finalize();
}

function filesBelow(root) {
  const out = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

// What the approver's machine hashed: the gate never reads files itself.
const observed = {};
if (existsSync(file('package.tar'))) observed.packageHash = await sha256(file('package.tar'));
if (existsSync(file('package')) && statSync(file('package')).isDirectory()) {
  observed.files = {};
  for (const p of filesBelow(file('package'))) {
    observed.files[relative(file('package'), p).split(sep).join('/')] = await sha256(p);
  }
}
if (existsSync(file('rollback.tar'))) observed.rollbackPackageHash = await sha256(file('rollback.tar'));

// SPEC §7.5: the evidence's text, so the core reads a state diff (it hashes
// the text itself), and the artifacts the targets name, from the package folder.
const evidence = text('evidence.json');
const artifacts = {};
try {
  const packageFile = (path) => {
    if (observed.files && path in observed.files) artifacts[path] = readFileSync(join(file('package'), path), 'utf8');
  };
  for (const t of JSON.parse(text('manifest.json') ?? '{}').targets ?? []) {
    if (t && typeof t.artifact === 'string') packageFile(t.artifact);
    // SPEC §10.1: the build infos of the layouts, and a Hardhat 3 output beside each.
    for (const ref of [t?.layout?.previous, t?.layout?.next]) {
      if (typeof ref !== 'string' || !ref.includes('#')) continue;
      const path = ref.slice(0, ref.indexOf('#'));
      packageFile(path);
      packageFile(path.replace(/\.json$/, '.output.json'));
    }
  }
} catch {
  // An unreadable manifest is the core's to report, with its line and column.
}

const expected = text('expected.json') ? JSON.parse(text('expected.json')) : {};
let report;
try {
  report = verify({
    manifest: text('manifest.json'),
    release: text('release.json'),
    approvals: text('approvals.json'),
    policy: text('policy.json'),
    now: expected.now, // the examples pin the evaluation time; omit it to use the clock
    observed,
    evidence,
    artifacts,
    // SPEC §9: a witness proves nothing without the block hash YOU trust (your own
    // node's `cast block N --field hash`): given as the second argument or in
    // UPGRADE_GATE_BLOCK_HASH, never read from the case folder.
    witness: text('witness.json'),
    trustedBlockHash: process.argv[3] || process.env.UPGRADE_GATE_BLOCK_HASH || undefined,
  });
} catch (e) {
  console.error(`upgrade-gate: ${e.message}${e.field ? ` (field ${e.field})` : ''}`);
  process.exit(2);
}

console.log(`${report.decision.toUpperCase()}  ${relative(process.cwd(), dir) || dir}`);
console.log(`  manifest ${report.manifestDigest}`);
for (const c of report.checks) console.log(`  ${c.status.padEnd(7)} ${c.id.padEnd(22)} ${c.detail}`);
process.exit({ release: 0, hold: 10, reject: 20 }[report.decision]);
