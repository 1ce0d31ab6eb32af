// `npm test`: cargo test, then build the wasm module, check the build
// (tests/scripts/), and run the real-browser tests (tests/e2e/, Node's test
// runner, Debian's Chromium via playwright-core).
import { build } from './build.mjs';
import { log, run } from './lib.mjs';
import { setup, stopIfDryRun } from './setup.mjs';

try {
  setup({ browser: true });
  stopIfDryRun('npm test');
  run('cargo', ['test']);
  await build();
  // The build itself (issue 15): reproducible in two folders, never a wasm-opt
  // from the PATH, and every npm script self-installing on a fresh clone.
  run(process.execPath, ['--test', '--test-concurrency=1', 'tests/scripts/']);
  // The npm package, imported from a clean directory as a bot or forum plugin would.
  run(process.execPath, ['--test', 'examples/node/']);
  run(process.execPath, ['--test', '--test-concurrency=1', 'tests/e2e/']);
} catch (e) {
  log(e.message);
  process.exit(1);
}
