// The page's runtime, shared by index.html and embed.html: it starts the wasm
// module from the bytes embedded (gzipped) by the build (the CSP forbids fetching them),
// measures those exact bytes for the footer, and hashes files in a pool of
// Web Workers. No gate logic lives here: every decision comes from the core.
//
// Two modules (issue 24): the first, embedded in the page's bundle, decides
// every case without a witness or a storage layout; the complete one
// (pkg/full/upgrade_gate_full.js, pinned by the hash in index.html's
// #full-module template) is loaded once, the first time a case needs it.
// offline.html inlines the complete module alone and never loads anything.
/* global wasm_bindgen, UPGRADE_GATE_GLUE, upgrade_gate_full, UPGRADE_GATE_FULL_GLUE */
'use strict';

(function () {
  // The module the page starts with: the first, or (offline.html) the complete one.
  const complete = !self.UPGRADE_GATE_BUILD && !!self.UPGRADE_GATE_FULL;
  const build = complete ? self.UPGRADE_GATE_FULL : self.UPGRADE_GATE_BUILD;
  const firstApi = () => (complete ? upgrade_gate_full : wasm_bindgen);
  const CHUNK = 16 * 1024 * 1024; // 16 MiB per read (two in flight): few messages, flat memory
  const POOL = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2)));

  // An independent hash of the module (WebCrypto), so a module cannot vouch
  // for itself. Outside a secure context (plain http from another host, an
  // iframe in a plain-http page) there is no crypto.subtle: then the module's
  // own Sha256, which exists only once the module is started (see start).
  function nativeSha256(bytes) {
    if (!(self.crypto && crypto.subtle)) return null;
    return crypto.subtle.digest('SHA-256', bytes).then((d) => 'sha256:' + Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join(''));
  }

  function wasmSha256Of(bytes, api = firstApi()) {
    const h = new api.Sha256();
    h.update(bytes);
    return h.finalize();
  }

  class Cancelled extends Error {
    constructor() {
      super('hashing cancelled');
      this.name = 'Cancelled';
    }
  }

  let module = null;
  let workerUrl = null;
  let pool = [];
  let nextId = 1;
  const jobs = new Map(); // id → { resolve, reject, onBytes, worker }

  function spawn() {
    const worker = new Worker(workerUrl, { name: 'upgrade-gate hashing' });
    worker.busy = false;
    worker.onmessage = (e) => {
      const msg = e.data;
      const job = msg.id != null ? jobs.get(msg.id) : null;
      if (msg.type === 'progress' && job) job.onBytes(msg.bytes);
      else if (msg.type === 'done' && job) {
        jobs.delete(msg.id);
        job.resolve({ hash: msg.hash, engine: msg.engine });
      } else if (msg.type === 'error') {
        if (job) {
          jobs.delete(msg.id);
          job.reject(new Error(msg.message));
        } else failAll(new Error(msg.message));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      failAll(new Error(`hashing worker failed: ${e.message || 'unknown error'}`));
    };
    worker.postMessage({ type: 'init', module });
    return worker;
  }

  function failAll(error) {
    for (const [id, job] of jobs) {
      jobs.delete(id);
      job.reject(error);
    }
    for (const w of pool) w.terminate();
    pool = [];
  }

  function workers(n) {
    while (pool.length < n) pool.push(spawn());
    return pool.slice(0, n);
  }

  function hashOn(worker, file, onBytes, engine) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      jobs.set(id, { resolve, reject, onBytes, worker });
      worker.postMessage({ type: 'hash', id, file, chunkSize: CHUNK, engine });
    });
  }

  /**
   * Hashes a list of { path, file } across the pool, largest first.
   * onProgress({ done, total }) in bytes. Resolves to { path: "sha256:…" }.
   * options.engine: 'auto' (the browser's SHA-256 for files of at most 32 MiB,
   * the wasm stream above), 'wasm' or 'native'; options.onFile({ path, hash,
   * engine }) hears which one hashed each file.
   */
  async function hashFiles(entries, onProgress, { engine = 'auto', onFile } = {}) {
    const total = entries.reduce((n, e) => n + e.file.size, 0);
    let done = 0;
    const report = (bytes) => {
      done += bytes;
      if (onProgress) onProgress({ done, total });
    };
    if (onProgress) onProgress({ done, total });
    const queue = entries.slice().sort((a, b) => b.file.size - a.file.size);
    const out = {};
    const lanes = workers(Math.min(POOL, Math.max(1, queue.length)));
    await Promise.all(
      lanes.map(async (worker) => {
        for (let e = queue.shift(); e; e = queue.shift()) {
          const done = await hashOn(worker, e.file, report, engine);
          out[e.path] = done.hash;
          if (onFile) onFile({ path: e.path, ...done });
        }
      }),
    );
    return out;
  }

  /** Stops every hashing job now (worker.terminate()); their promises reject with Cancelled. */
  function cancel() {
    if (jobs.size) failAll(new Cancelled());
  }

  async function start() {
    if (!build || !build.wasmBytes) throw new Error('pkg/upgrade_gate_embedded.js is missing: run `npm run build`');
    if (!complete && typeof wasm_bindgen === 'undefined') throw new Error('pkg/upgrade_gate_classic.js is missing: run `npm run build`');
    // pkg/upgrade_gate_embedded.js inflated the bytes and started compiling
    // them: the footer's hash is of these inflated bytes, the ones compiled.
    const bytes = await build.wasmBytes;
    const native = nativeSha256(bytes);
    module = await build.wasmModule;
    await firstApi()({ module_or_path: module });
    const wasmSha256 = native ? await native : wasmSha256Of(bytes);
    // The worker runs the page's own glue (its function's source text, see
    // scripts/build.mjs classicGlue) and worker.js: nothing a second time on the wire.
    const glue = complete ? self.UPGRADE_GATE_FULL_GLUE : self.UPGRADE_GATE_GLUE;
    if (typeof glue !== 'function') throw new Error('pkg/upgrade_gate_classic.js is from an older build: run `npm run build`');
    const workerSource = `var wasm_bindgen = (${glue.toString()})();\n;\n${build.workerSource}`;
    workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    // Start the workers now, so that no request of any kind (even for a
    // blob: URL) happens after the page has loaded.
    workers(POOL);
    return { wasmSha256, wasmBytes: bytes.length };
  }

  /** The complete module could not be started: nothing is verified with it (fail closed). */
  class FullModuleRefused extends Error {
    constructor(message) {
      super(message);
      this.name = 'FullModuleRefused';
      this.code = 'full-module-refused';
    }
  }

  /**
   * Adds the pinned <script> of index.html's #full-module template (its
   * `integrity` the hash the build wrote: a changed file is refused by the
   * browser) and waits for it to run. The one request after load, and only
   * when a case needs it.
   */
  function insertPinned() {
    return new Promise((resolve, reject) => {
      const template = document.getElementById('full-module');
      const pinned = template && template.content.querySelector('script');
      if (!pinned) return reject(new FullModuleRefused('this page has no complete module to load (pkg/full/upgrade_gate_full.js): run `npm run build`'));
      const src = pinned.getAttribute('src');
      const script = document.createElement('script');
      if (pinned.integrity) script.integrity = pinned.integrity;
      script.onload = () => resolve();
      script.onerror = () =>
        reject(new FullModuleRefused(`The verifier's complete module (${src}) was refused: its bytes do not match the hash this page pins, or it could not be loaded. Nothing was verified with it. Reload the page; if this stays, the site serves a changed file: use the offline page or the CLI.`));
      script.src = src;
      document.head.appendChild(script);
    });
  }

  let full = null; // the promise of the complete module's api, made once
  let fullModule = null; // { wasmSha256, wasmBytes } once it runs

  async function startFull() {
    await ready;
    if (!self.UPGRADE_GATE_FULL) await insertPinned();
    const b = self.UPGRADE_GATE_FULL;
    if (!b || !b.wasmModule || typeof upgrade_gate_full !== 'function') throw new FullModuleRefused('pkg/full/upgrade_gate_full.js ran but defined no module: it is from another build. Reload the page.');
    const bytes = await b.wasmBytes;
    const native = nativeSha256(bytes);
    await upgrade_gate_full({ module_or_path: await b.wasmModule });
    fullModule = { wasmSha256: native ? await native : wasmSha256Of(bytes, upgrade_gate_full), wasmBytes: bytes.length };
    return upgrade_gate_full;
  }

  /** The complete module's api (witness, layouts, witnessSummary…), loaded the first time. */
  function fullApi() {
    if (complete) return ready.then(() => upgrade_gate_full);
    if (!full) full = startFull();
    return full;
  }

  /**
   * Loads the complete module ahead of need, once, when the page is idle after
   * ready (issue 24): on a slow link its ~540 KiB take seconds, which a person
   * finding their case folder does not wait for. The same pinned request as on
   * need, never another; not with the browser's data saver on. A refusal is
   * kept and shown when a case needs the module.
   */
  function prefetch() {
    if (complete || full) return;
    if (navigator.connection && navigator.connection.saveData) return;
    fullApi().catch(() => {});
  }

  /**
   * SPEC §6 `verify` on the module that can decide the case: the first
   * module, or the complete one when the input has a witness or the first
   * refuses it (error code `needs-full-module`, never a report).
   */
  async function verify(input) {
    await ready;
    const witness = input && typeof input === 'object' && (input.witness != null || input.trustedBlockHash != null);
    if (!complete && !witness) {
      try {
        return firstApi().verify(input);
      } catch (e) {
        if (!(e && e.code === 'needs-full-module')) throw e;
      }
    }
    return (await fullApi()).verify(input);
  }

  const ready = start();
  self.UpgradeGate = {
    ready,
    api: firstApi,
    verify,
    full: fullApi,
    prefetch,
    fullModule: () => fullModule,
    FullModuleRefused,
    hashFiles,
    hashFile: (file, onProgress, options) => hashFiles([{ path: '', file }], onProgress, options).then((r) => r['']),
    cancel,
    Cancelled,
    poolSize: POOL,
  };
})();
