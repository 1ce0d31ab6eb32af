// Shared set-up for the real-browser tests: Debian's Chromium driven by
// playwright-core (no browser download), a fresh profile per launch, the
// static server on a free loopback port, and screenshots for people to look at.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const www = join(root, 'www');
export const shots = join(root, 'tests', 'e2e', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a fresh profile (playwright passes it as
 * --user-data-dir); close() removes the profile.
 */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'upgrade-gate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1360, height: 1000 },
    acceptDownloads: false,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The static server on a free port; stop() closes it. */
export async function server() {
  const { server: s, url } = await serve({ port: 0 });
  return { url, stop: () => new Promise((r) => s.close(r)) };
}

/**
 * For the enclosing describe(): a browser and the static server, started
 * before its tests and closed after, plus a temporary folder when `tmp` names
 * its prefix. Read them from the returned object inside the tests.
 */
export function browserAndServer({ tmp } = {}) {
  const env = { browser: null, srv: null, tmp: null };
  before(async () => {
    env.browser = await launch();
    env.srv = await server();
    if (tmp) env.tmp = mkdtempSync(join(tmpdir(), tmp));
  });
  after(async () => {
    await env.browser?.close();
    await env.srv?.stop();
    if (env.tmp) rmSync(env.tmp, { recursive: true, force: true });
  });
  return env;
}

export const fileUrl = (path) => pathToFileURL(join(www, path)).href;

/** Opens a page and collects console errors, page errors and CSP violations. */
export async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__cspViolations ||= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  if ((await page.getAttribute('body', 'data-ready')) === 'error') {
    throw new Error(`the page failed to start: ${await page.textContent('#verdict')}`);
  }
  page.problems = async () => [...problems, ...((await page.evaluate(() => window.__cspViolations || [])) || [])];
  return page;
}

/** Waits for a verdict (or an error state) and returns its decision word. */
export async function decision(page) {
  const el = await page.waitForSelector('#verdict .banner:not(.idle):not(.working)', { timeout: 60_000 });
  return el.getAttribute('data-decision');
}

export async function checkStatus(page, id) {
  return page.getAttribute(`#details tr[data-check="${id}"]`, 'data-status');
}

export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** The hash a hex-group view shows, read back from its groups. */
export async function shownHash(locator) {
  return locator.evaluate((n) => n.textContent.replace(/\s+/g, ''));
}

/** Every file of a folder, by its path inside it, base64-encoded. */
export function filesOf(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(dir, p).split(sep).join('/'), b64: readFileSync(p).toString('base64') });
    }
  };
  walk(dir);
  return out;
}

/**
 * Drops a case folder on the page as Chromium hands one over: an item whose
 * webkitGetAsEntry() is a directory entry, walked with createReader().
 * (A synthetic DragEvent cannot carry real directory entries.)
 */
export function dropFolder(page, name, files, selector = 'main') {
  return page.evaluate(
    ({ name, files, selector }) => {
      const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dir = (dirName, prefix) => {
        const kids = new Map();
        for (const f of files) {
          if (!f.path.startsWith(prefix)) continue;
          const rest = f.path.slice(prefix.length);
          const head = rest.split('/')[0];
          kids.set(head, rest.includes('/') ? null : f);
        }
        const entries = [...kids].map(([n, f]) =>
          f ? { isFile: true, isDirectory: false, name: n, file: (ok) => ok(new File([bytes(f.b64)], n)) } : dir(n, `${prefix}${n}/`),
        );
        return {
          isFile: false,
          isDirectory: true,
          name: dirName,
          createReader: () => {
            let given = false;
            return { readEntries: (ok) => ok(given ? [] : ((given = true), entries)) };
          },
        };
      };
      const entry = dir(name, '');
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: { items: [{ kind: 'file', webkitGetAsEntry: () => entry }], files: [] } });
      document.querySelector(selector).dispatchEvent(event);
    },
    { name, files, selector },
  );
}
