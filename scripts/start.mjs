// `npm start`: build everything, then serve the page with the demo preloaded.
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
      `\n  upgrade-gate is ready: open ${url}  (the demo is preloaded; tampered variants are one click away)\n` +
        `  The page needs no server: saved to disk, www/offline.html works from file://.\n  Ctrl-C to stop.\n\n`,
    );
  },
  (e) => {
    log(`cannot listen on 127.0.0.1:${port}: ${e.message} (set PORT to use another port)`);
    process.exit(1);
  },
);
