// `npm start`: build everything, then serve the page; the address it prints opens on the demo
// (`#demo`: the page loads the demo only when its address or a button asks, never on its own).
import { build } from './build.mjs';
import { log } from './lib.mjs';
import { serve } from './serve.mjs';
import { setup, stopIfDryRun } from './setup.mjs';

try {
  setup();
  stopIfDryRun('npm start');
  await build();
} catch (e) {
  log(e.message);
  process.exit(1);
}
const port = Number(process.env.PORT || 8080);
serve({ port }).then(
  ({ url }) => {
    process.stdout.write(
      `\n  upgrade-gate is ready: open ${url}#demo  (the demo preloaded; tampered variants are one click away)\n` +
        `  Your own case: ${url} (no demo), and a Safe transaction to sign without a manifest: ${url}#signer\n` +
        `  The page needs no server: saved to disk, www/offline.html works from file://.\n  Ctrl-C to stop.\n\n`,
    );
  },
  (e) => {
    log(`cannot listen on 127.0.0.1:${port}: ${e.message} (set PORT to use another port)`);
    process.exit(1);
  },
);
