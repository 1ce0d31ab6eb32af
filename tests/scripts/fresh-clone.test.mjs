// Every script a user runs installs what it needs (issue 15): on a fresh
// clone (the working tree's files, without node_modules/ or target/), each npm
// script, run with `--dry-run`, installs what is missing and reaches the
// point where its real work starts, with no missing-package error. Each
// script gets a clone of its own, so none relies on another's install.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { root } from '../../scripts/lib.mjs';

const SCRIPTS = ['build', 'start', 'test', 'reproduce', 'bench', 'bench:size', 'fuzz'];

let base;
let files;
before(() => {
  base = mkdtempSync(join(tmpdir(), 'upgrade-gate-fresh-clone-'));
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, 'git ls-files failed');
  files = [...new Set(r.stdout.split('\0'))].filter(Boolean);
});
after(() => rmSync(base, { recursive: true, force: true }));

function clone(name) {
  const dir = join(base, name.replace(/\W/g, '-'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(root, f), join(dir, f));
    } catch (e) {
      if (e.code !== 'ENOENT') throw e; // deleted in the working tree, not yet in git
    }
  }
  return dir;
}

function npmRun(dir, script) {
  return new Promise((resolve) => {
    const args = script === 'start' || script === 'test' ? [script, '--', '--dry-run'] : ['run', script, '--', '--dry-run'];
    const child = spawn('npm', args, { cwd: dir, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

// Two at a time: the clones' npm installs mostly wait for the disk and the registry.
test('on a fresh clone every npm script installs what it needs and reaches its real work', { concurrency: 2, timeout: 30 * 60 * 1000 }, async (t) => {
  await Promise.all(
    SCRIPTS.map((script) =>
      t.test(`npm run ${script} on a fresh clone`, async () => {
        const dir = clone(script);
        const { status, out, err } = await npmRun(dir, script);
        const all = `${out}\n${err}`;
        assert.doesNotMatch(all, /Cannot find (package|module)|ERR_MODULE_NOT_FOUND|command not found|not installed/i, all.slice(-3000));
        assert.equal(status, 0, all.slice(-3000));
        assert.match(out, /: ready/, all.slice(-3000));
      }),
    ),
  );
});
