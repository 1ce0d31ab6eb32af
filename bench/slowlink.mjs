// `npm run bench -- slow` (also `npm run bench:slow`): the forum card and the
// page on a slow link (issue 16), side by side with today's build.
//
// Chromium's own network throttling (CDP Network.emulateNetworkConditions:
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, cache disabled) on
// `npm start`'s server; for each of the card (the link `upgrade-gate
// embed-link` prints for examples/standard-transparent) and the page
// (index.html?nodemo), and the governance card (the link it prints for
// examples/governor-timelock: embed-governance.html, or embed.html where the
// baseline has no such page), fresh tabs alternating between ours and the baseline:
// bytes transferred (headers and bodies as they crossed the wire, every
// request of the load) and time from navigation to `body[data-ready]` (the
// `upgrade-gate:ready` mark), medians; then the same from a host that does not
// compress, and the unthrottled cold start.
//
// The baseline is www/ as built by the commit this work started from, served
// by the same server (which only sends a file's .gz/.br twin where one exists:
// that build wrote none). It is built once, by that commit's own scripts, in
// target/bench-baseline/ (its own cargo target folder: the first run takes a
// full build), or taken from a built www/ folder given in BENCH_BASELINE_WWW.
//
//   BENCH_BASE=03cb0ac          the commit of today's build
//   BENCH_BASELINE_WWW=path     a www/ built from it, instead of building one
//   BENCH_SLOW_ROUNDS=3         throttled loads per page and build
//   BENCH_COLD_ROUNDS=9         unthrottled loads per page and build
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { caseInput } from '../tests/e2e/cases.mjs';
import { launch, root } from '../tests/e2e/helpers.mjs';
import { serve } from '../scripts/serve.mjs';

const BASE = process.env.BENCH_BASE || '03cb0ac';
const SLOW_ROUNDS = Number(process.env.BENCH_SLOW_ROUNDS || 3);
const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS || 9);
// A person opening the page, then finding their case folder: the witness arrives this long after ready.
const LATER_MS = Number(process.env.BENCH_LATER_MS || 4000);
// DevTools' "Fast 3G" bandwidths with the issue's 150 ms round trip. CDP takes bytes per second.
const LINK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const KiB = 1024;

const log = (m) => process.stderr.write(`[bench slow] ${m}\n`);
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error || r.status}`);
  return r.stdout;
}

/** www/ as the base commit builds it: its own sources and scripts, in a folder of its own. */
function baselineWww() {
  if (process.env.BENCH_BASELINE_WWW) return process.env.BENCH_BASELINE_WWW;
  const commit = sh('git', ['rev-parse', '--short=12', `${BASE}^{commit}`]).trim();
  const dir = join(root, 'target', 'bench-baseline', commit);
  const www = join(dir, 'www');
  if (existsSync(join(www, 'embed.html'))) return www;
  log(`building today's page (${commit}) in ${dir}: once, a full cargo build`);
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('git', ['archive', '--format=tar', commit], { cwd: root, maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`git archive ${commit} failed`);
  sh('tar', ['-x', '-C', dir], { input: tar.stdout });
  // Its own target/ inside the copy: that commit's build.mjs reads the module there.
  const env = { ...process.env };
  delete env.CARGO_TARGET_DIR;
  delete env.RUSTFLAGS;
  delete env.CARGO_ENCODED_RUSTFLAGS;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`the build of ${commit} failed`);
  return www;
}

/** The forum card's link for this server, as `upgrade-gate embed-link` prints it. */
function embedLink(base, example = 'standard-transparent') {
  const cli = [join(root, 'target', 'release', 'upgrade-gate'), join(root, 'target', 'debug', 'upgrade-gate')].find(existsSync);
  const args = ['embed-link', join(root, 'examples', example, 'manifest.json'), '--base', base];
  const url = cli ? sh(cli, args).trim() : sh('cargo', ['run', '--quiet', '--bin', 'upgrade-gate', '--', ...args]).trim();
  if (!/embed(-governance)?\.html#manifest=/.test(url)) throw new Error(`upgrade-gate embed-link printed ${url}`);
  return url;
}

/** One load in a fresh tab: { ms: navigation → ready, bytes: on the wire, encodings }. */
async function load(context, url, link, then = null) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (link) await cdp.send('Network.emulateNetworkConditions', link);
  let bytes = 0;
  const encodings = new Map();
  cdp.on('Network.responseReceived', ({ response }) => {
    const h = Object.fromEntries(Object.entries(response.headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
    encodings.set(response.url.replace(/#.*/, '').split('/').pop(), h['content-encoding'] || 'identity');
  });
  cdp.on('Network.loadingFinished', ({ encodedDataLength }) => {
    bytes += encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 120_000 });
  if ((await page.getAttribute('body', 'data-ready')) === 'error') throw new Error(`${url}: the page failed to start`);
  const ms = await page.evaluate(() => (performance.getEntriesByName('upgrade-gate:ready')[0] || {}).startTime ?? NaN);
  if (then) await then(page, () => bytes);
  await page.close();
  return { ms, bytes, encodings };
}

const rows = [];
const row = (figure, ours, today, target, met) => rows.push({ figure, ours, today, target, met });
const kib = (b) => `${(b / KiB).toFixed(0)} KiB`;
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

let browser = null;
const servers = [];
try {
  const baseWww = baselineWww();
  const start = async (options) => {
    const s = await serve({ port: 0, ...options });
    servers.push(s.server);
    return s.url;
  };
  const sites = {
    ours: await start({}),
    plain: await start({ precompressed: false }),
    today: await start({ dir: baseWww }),
  };
  const urls = (base) => ({ card: embedLink(base), page: `${base}index.html?noprefetch`, governance: embedLink(base, 'governor-timelock') });
  const at = Object.fromEntries(Object.entries(sites).map(([k, base]) => [k, urls(base)]));
  // A baseline without the governance card shows a proposal on the one card it has.
  if (!existsSync(join(baseWww, 'embed-governance.html'))) at.today.governance = at.today.governance.replace('/embed-governance.html#', '/embed.html#');
  const WHAT = ['card', 'page', 'governance'];
  const NAME = { card: 'forum card', page: 'page (index.html?nodemo)', governance: 'governance card (governor-timelock)' };
  browser = await launch();
  // Chromium's first navigations are slow whatever the page: warm it up.
  for (let i = 0; i < 3; i++) await load(browser.context, at.ours.page, null);

  const slow = Object.fromEntries(['ours', 'plain', 'today'].map((site) => [site, Object.fromEntries(WHAT.map((w) => [w, []]))]));
  for (let round = 0; round < SLOW_ROUNDS; round++) {
    for (const what of WHAT) {
      for (const site of ['ours', 'today', 'plain']) {
        const r = await load(browser.context, at[site][what], LINK);
        slow[site][what].push(r);
        log(`throttled ${what}, ${site}: ${sec(r.ms)}, ${kib(r.bytes)} (${[...r.encodings].map(([f, e]) => `${f} ${e}`).join(', ')})`);
      }
    }
  }
  const m = (site, what, k) => median(slow[site][what].map((r) => r[k]));
  const TARGET = { card: { bytes: 180 * KiB, ms: 1500 }, page: { bytes: 250 * KiB, ms: 1600 }, governance: { bytes: 180 * KiB, ms: 1500 } };
  for (const what of WHAT) {
    const name = NAME[what];
    const t = TARGET[what];
    row(`${name}, throttled: bytes transferred`, kib(m('ours', what, 'bytes')), kib(m('today', what, 'bytes')), `≤ ${kib(t.bytes)}`, m('ours', what, 'bytes') <= t.bytes);
    row(`${name}, throttled: navigation → ready`, sec(m('ours', what, 'ms')), sec(m('today', what, 'ms')), `≤ ${sec(t.ms)}`, m('ours', what, 'ms') <= t.ms);
    row(`${name}, throttled, host that does not compress: bytes`, kib(m('plain', what, 'bytes')), kib(m('today', what, 'bytes')), 'report', null);
    row(`${name}, throttled, host that does not compress: ready`, sec(m('plain', what, 'ms')), sec(m('today', what, 'ms')), 'report', null);
  }

  // Issue 24: the page with one complete module, as before the split (offline.html,
  // whose bundle carries it, served by the same server), and a witness case's
  // cold verdict: from a ready page, UpgradeGate.verify on examples/anvil-safe-multisend,
  // the complete module's transfer included; then warm, unthrottled.
  const before = [];
  const witness = { cold: [], bytes: [], warm: [], later: [] };
  const input = caseInput('anvil-safe-multisend');
  for (let round = 0; round < SLOW_ROUNDS; round++) {
    before.push(await load(browser.context, `${sites.ours}offline.html?nodemo`, LINK));
    const r = await load(browser.context, at.ours.page, LINK, async (page, transferred) => {
      const start = transferred();
      const t = await page.evaluate(async (input) => {
        const t0 = performance.now();
        await UpgradeGate.verify(input);
        const cold = performance.now() - t0;
        return { cold };
      }, input);
      witness.cold.push(t.cold);
      witness.bytes.push(transferred() - start);
    });
    log(`throttled witness verdict: ${sec(witness.cold.at(-1))}, ${kib(witness.bytes.at(-1))} after a ${sec(r.ms)} load`);
    // The page as a person opens it (idle prefetch on): the witness arrives
    // LATER_MS after ready, the time it takes to find a case folder.
    await load(browser.context, at.ours.page.replace('?noprefetch', ''), LINK, async (page) => {
      await page.waitForTimeout(LATER_MS);
      witness.later.push(await page.evaluate(async (input) => {
        const t0 = performance.now();
        await UpgradeGate.verify(input);
        return performance.now() - t0;
      }, input));
    });
    log(`throttled witness verdict ${sec(LATER_MS)} after ready, prefetched on idle: ${sec(witness.later.at(-1))}`);
  }
  for (let round = 0; round < SLOW_ROUNDS; round++) {
    await load(browser.context, at.ours.page, null, async (page) => {
      await page.evaluate((input) => UpgradeGate.verify(input), input);
      witness.warm.push(await page.evaluate(async (input) => {
        const t0 = performance.now();
        await UpgradeGate.verify(input);
        return performance.now() - t0;
      }, input));
    });
  }
  row('page as before (one complete module: offline.html served), throttled: bytes', kib(median(before.map((r) => r.bytes))), '—', 'report', null);
  row('page as before (one complete module), throttled: navigation → ready', sec(median(before.map((r) => r.ms))), '—', 'report', null);
  row('witness case (anvil-safe-multisend), throttled, cold: verify → report', sec(median(witness.cold)), '—', '≤ 1.50 s', median(witness.cold) <= 1500);
  row(`witness case, throttled, ${sec(LATER_MS)} after ready (idle prefetch on): verify → report`, sec(median(witness.later)), '—', '≤ 1.50 s', median(witness.later) <= 1500);
  row('witness case, throttled, cold: bytes after ready (the complete module)', kib(median(witness.bytes)), '—', 'report', null);
  row('witness case, unthrottled, warm: verify → report', `${median(witness.warm).toFixed(0)} ms`, '—', '≤ 100 ms', median(witness.warm) <= 100);

  // Unthrottled cold start: alternating fresh tabs, no cache.
  const cold = { ours: { card: [], page: [] }, today: { card: [], page: [] } };
  for (let round = 0; round < COLD_ROUNDS; round++) {
    for (const what of ['card', 'page']) {
      for (const site of ['ours', 'today']) cold[site][what].push((await load(browser.context, at[site][what], null)).ms);
    }
  }
  for (const what of ['card', 'page']) {
    const [ours, today] = [median(cold.ours[what]), median(cold.today[what])];
    log(`cold ${what}: ours ${cold.ours[what].map((x) => x.toFixed(0)).join(' ')} ms; today ${cold.today[what].map((x) => x.toFixed(0)).join(' ')} ms`);
    row(`${what === 'card' ? 'forum card' : 'page'}, unthrottled cold start`, `${ours.toFixed(0)} ms`, `${today.toFixed(0)} ms`, '≤ today', ours <= today);
  }
} finally {
  if (browser) await browser.close();
  for (const s of servers) await new Promise((r) => s.close(r));
}

const head = ['figure', 'ours', `today (${BASE})`, 'target', 'met'];
const cells = rows.map((r) => [r.figure, r.ours, r.today, r.target, r.met == null ? '—' : r.met ? 'yes' : 'NO']);
const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => `| ${c.map((x, i) => x.padEnd(width[i])).join(' | ')} |`;
process.stdout.write(
  [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n') +
    `\n\nthrottled: ${SLOW_ROUNDS} loads each, medians; unthrottled: ${COLD_ROUNDS}; ${new Date().toISOString().slice(0, 10)}\n`,
);
