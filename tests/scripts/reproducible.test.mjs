// The module's hash is the one anyone gets (issue 15): two builds of the same
// sources in folders at different paths, with the pinned tools, give the same
// bytes, and neither calls a `wasm-opt` found on the PATH.
//
// `npm run reproduce` proves it with two copies and two fresh target folders
// (every crate compiled twice: many minutes). To stay affordable in `npm
// test`, this test builds the working tree itself (`npm run build`: nothing to
// compile right after npm test's own build) and one copy of its sources in a
// temporary folder that shares the working tree's target/: only our crate is
// compiled again there (its paths are the ones that differ), while the
// dependencies' builds are reused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { root } from '../../scripts/lib.mjs';
import { buildIn, copySources, sourceFiles } from '../../scripts/reproduce.mjs';

test('the module built in two folders with the pinned tools is byte for byte the same, and no wasm-opt on the PATH is used', { timeout: 20 * 60 * 1000 }, () => {
  const base = mkdtempSync(join(tmpdir(), 'upgrade-gate-repro-test-'));
  try {
    // A wasm-opt first on the PATH that leaves a mark and fails: the build must not call it.
    const fakeBin = join(base, 'bin');
    const mark = join(base, 'fake-wasm-opt-was-called');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'wasm-opt'), `#!/bin/sh\necho "$@" > '${mark}'\necho 'fake wasm-opt from the PATH' >&2\nexit 1\n`);
    chmodSync(join(fakeBin, 'wasm-opt'), 0o755);
    const env = { PATH: `${fakeBin}${delimiter}${process.env.PATH}` };

    // The working tree, as `npm run build` builds it.
    const buildEnv = { ...process.env, ...env };
    delete buildEnv.RUSTFLAGS;
    delete buildEnv.CARGO_ENCODED_RUSTFLAGS;
    delete buildEnv.CARGO_TARGET_DIR;
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, env: buildEnv, stdio: ['ignore', 'inherit', 'inherit'] });
    assert.equal(r.status, 0, 'npm run build failed in the working tree');
    const a = {
      module: readFileSync(join(root, 'www', 'pkg', 'upgrade_gate_bg.wasm')),
      unoptimised: readFileSync(join(root, 'target', 'upgrade_gate_bg.unopt.wasm')),
      light: readFileSync(join(root, 'www', 'pkg', 'light', 'upgrade_gate_bg.wasm')),
      lightUnoptimised: readFileSync(join(root, 'target', 'upgrade_gate_light.unopt.wasm')),
    };
    // A copy of its sources, deeper, under other names.
    const copy = join(base, 'another', 'deeper', 'checkout');
    copySources(sourceFiles(), [copy]);
    const b = buildIn(copy, { targetDir: join(root, 'target'), env });

    assert.equal(existsSync(mark), false, `the build called the wasm-opt on the PATH (${existsSync(mark) ? readFileSync(mark, 'utf8').trim() : ''})`);
    assert.ok(a.module.length > 1000, 'the build produced a module');
    assert.ok(a.unoptimised.equals(b.unoptimised), "the two folders' builds differ before wasm-opt: a path or another machine-specific detail leaks into rustc's or wasm-bindgen's output");
    assert.ok(a.module.equals(b.module), 'the two folders built different modules');
    // The page's first module (issue 24) too.
    assert.ok(a.lightUnoptimised.equals(b.lightUnoptimised), "the two folders' first modules differ before wasm-opt");
    assert.ok(a.light.equals(b.light), 'the two folders built different first modules');
    assert.ok(a.light.length < a.module.length, 'the first module is smaller than the complete one');
    // And the pinned optimiser did run.
    assert.ok(b.module.length < b.unoptimised.length, 'the module is not smaller than wasm-bindgen made it: wasm-opt did not run');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
