// An example folder (examples/<name>/) as the input the page hands `verify`
// (SPEC §6): documents as text, the hashes the page takes of the supplied
// bytes, the artifacts the targets name, and the witness with the block hash
// the case trusts (block-hash.txt) when it has one.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { root } from './helpers.mjs';

const sha = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The example folders that are cases (a manifest and an expected answer). */
export const exampleCases = () =>
  readdirSync(join(root, 'examples'))
    .filter((n) => existsSync(join(root, 'examples', n, 'manifest.json')) && existsSync(join(root, 'examples', n, 'expected.json')))
    .sort();

function files(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split(sep).join('/')] = p;
    }
  };
  walk(dir);
  return out;
}

/** What the page passes to `verify` for examples/<name>/. */
export function caseInput(name) {
  const dir = join(root, 'examples', name);
  const has = (f) => existsSync(join(dir, f));
  const text = (f) => (has(f) ? readFileSync(join(dir, f), 'utf8') : undefined);
  const manifest = text('manifest.json');
  const observed = {};
  const artifacts = {};
  if (has('package.tar')) observed.packageHash = sha(readFileSync(join(dir, 'package.tar')));
  if (has('package')) {
    const paths = files(join(dir, 'package'));
    observed.files = Object.fromEntries(Object.entries(paths).map(([p, f]) => [p, sha(readFileSync(f))]));
    // The files a target names (artifact, layout build infos and their Hardhat 3 `.output.json`).
    for (const t of JSON.parse(manifest).targets) {
      const named = [t.artifact, ...(t.layout ? [t.layout.previous, t.layout.next].map((r) => r.split('#')[0]) : [])].filter(Boolean);
      for (const p of named.flatMap((p) => [p, p.replace(/\.json$/, '.output.json')])) if (paths[p]) artifacts[p] = readFileSync(paths[p], 'utf8');
    }
  }
  if (has('rollback.tar')) observed.rollbackPackageHash = sha(readFileSync(join(dir, 'rollback.tar')));
  const input = {
    manifest,
    release: text('release.json'),
    approvals: text('approvals.json'),
    policy: text('policy.json'),
    evidence: text('evidence.json'),
    now: JSON.parse(text('expected.json')).now,
    observed,
    artifacts,
  };
  if (has('witness.json')) {
    input.witness = text('witness.json');
    input.trustedBlockHash = text('block-hash.txt').trim();
  }
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  return input;
}

/** Whether the page's first module refuses this case (SPEC §9 witness, §10 layout). */
export const needsFullModule = (input) => Boolean(input.witness) || JSON.parse(input.manifest).targets.some((t) => t.layout);
