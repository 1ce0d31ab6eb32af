// `npm test`: cargo test, then build the wasm module and run the real-browser
// tests (tests/e2e/, Node's test runner, Debian's Chromium via playwright-core).
import { build } from './build.mjs';
import { log, run } from './lib.mjs';
import { setup } from './setup.mjs';

try {
  setup({ test: true });
  run('cargo', ['test']);
  await build();
  // The npm package, imported from a clean directory as a bot or forum plugin would.
  run(process.execPath, ['--test', 'examples/node/']);
  run(process.execPath, ['--test', '--test-concurrency=1', 'tests/e2e/']);
} catch (e) {
  log(e.message);
  process.exit(1);
}
