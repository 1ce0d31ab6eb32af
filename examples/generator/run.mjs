// `npm run examples` (and `npm run examples:check`): installs the pinned npm
// packages if missing, compiles the contracts with solc (compile.mjs), then
// runs the revm generator, which writes examples/effects-* (or, with
// --check, regenerates them into a temporary folder and fails on any
// difference from the committed ones). Writing also refreshes
// examples/README.md, whose table tests/examples.rs builds from the folders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, root, run } from '../../scripts/lib.mjs';
import { ensureNodeModules } from '../../scripts/setup.mjs';

const check = process.argv.includes('--check');
try {
  ensureNodeModules();
  // Imported only now: solc comes from the packages just ensured.
  const { compileAll } = await import('./compile.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'upgrade-gate-solc-'));
  const solcJson = join(dir, 'solc.json');
  const t0 = Date.now();
  const compiled = compileAll();
  writeFileSync(solcJson, JSON.stringify(compiled));
  log(`solc ${compiled.solcVersion}: compiled in ${Date.now() - t0} ms`);
  try {
    run('cargo', [
      'run', '--quiet', '--locked',
      '--manifest-path', join(root, 'examples', 'generator', 'Cargo.toml'),
      '--', '--solc', solcJson, '--examples', join(root, 'examples'),
      ...(check ? ['--check'] : []),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // examples/README.md lists the effects-* folders; tests/examples.rs writes it.
  if (!check) run('cargo', ['test', '--quiet', '--test', 'examples'], { env: { ...process.env, UPDATE_EXAMPLES: '1' } });
} catch (e) {
  log(e.message);
  process.exit(1);
}
