// The page's runtime, shared by index.html and embed.html: it starts the wasm
// module from the bytes embedded (gzipped) by the build (the CSP forbids fetching them),
// measures those exact bytes for the footer, and hashes files in a pool of
// Web Workers. No gate logic lives here: every decision comes from the core.
/* global wasm_bindgen, UPGRADE_GATE_GLUE */
'use strict';

(function () {
  const build = self.UPGRADE_GATE_BUILD;
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

  function wasmSha256Of(bytes) {
    const h = new wasm_bindgen.Sha256();
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
    if (typeof wasm_bindgen === 'undefined') throw new Error('pkg/upgrade_gate_classic.js is missing: run `npm run build`');
    // pkg/upgrade_gate_embedded.js inflated the bytes and started compiling
    // them: the footer's hash is of these inflated bytes, the ones compiled.
    const bytes = await build.wasmBytes;
    const native = nativeSha256(bytes);
    module = await build.wasmModule;
    await wasm_bindgen({ module_or_path: module });
    const wasmSha256 = native ? await native : wasmSha256Of(bytes);
    // The worker runs the page's own glue (its function's source text, see
    // scripts/build.mjs classicGlue) and worker.js: nothing a second time on the wire.
    if (typeof UPGRADE_GATE_GLUE !== 'function') throw new Error('pkg/upgrade_gate_classic.js is from an older build: run `npm run build`');
    const workerSource = `var wasm_bindgen = (${UPGRADE_GATE_GLUE.toString()})();\n;\n${build.workerSource}`;
    workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    // Start the workers now, so that no request of any kind (even for a
    // blob: URL) happens after the page has loaded.
    workers(POOL);
    return { wasmSha256, wasmBytes: bytes.length };
  }

  const ready = start();
  self.UpgradeGate = {
    ready,
    api: () => wasm_bindgen,
    // SPEC §9.5: verify may answer with a Promise (the re-execution code may
    // be a second module loaded on first use); full() is the module with
    // every export (witnessSummary). Today one module has it all.
    verify: (input) => ready.then(() => wasm_bindgen.verify(input)),
    full: () => ready.then(() => wasm_bindgen),
    hashFiles,
    hashFile: (file, onProgress, options) => hashFiles([{ path: '', file }], onProgress, options).then((r) => r['']),
    cancel,
    Cancelled,
    poolSize: POOL,
  };
})();
