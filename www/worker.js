// The hashing worker. It runs from a blob: URL built by gate.js out of the
// wasm-bindgen classic glue (which defines `wasm_bindgen`) followed by this file,
// so it works from file:// too. It keeps one wasm instance across messages and
// streams each file through the module's own Sha256 in one reused buffer:
// memory stays flat whatever the size. A file of at most NATIVE_MAX bytes is
// read whole and hashed by the browser's own SHA-256 instead (faster: see
// below). Stop is worker.terminate(), from the page.
/* global wasm_bindgen */
'use strict';

let ready = false;
// One buffer, read into again and again (a BYOB reader): no garbage per chunk,
// so memory stays flat without waiting for the collector; its size is also
// all the wasm module's memory grows by, since each update copies into it.
const BUFFER = 1024 * 1024;
const PROGRESS_EVERY = 8 * 1024 * 1024;
// crypto.subtle.digest (BoringSSL, with the CPU's SHA instructions) over the
// file read whole was 1.25–1.3× the wasm stream at 16–256 MiB here, and
// slower at 1 GiB (bench/RESULTS.md). 32 MiB a file keeps a pool of two
// workers within 64 MiB; larger files stream through wasm.
const NATIVE_MAX = 32 * 1024 * 1024;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 'native' or 'wasm': what hashes this file, given what the page asked for. */
function engineFor(file, asked) {
  const native = typeof crypto !== 'undefined' && crypto.subtle && typeof crypto.subtle.digest === 'function';
  if (asked === 'native' && !native) throw new Error("the browser's SHA-256 (crypto.subtle) is not available here");
  if (asked === 'native' || asked === 'wasm') return asked;
  return native && file.size <= NATIVE_MAX ? 'native' : 'wasm';
}

function canReadInto(file) {
  try {
    file.slice(0, 0).stream().getReader({ mode: 'byob' }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

/** The file's stream read into one reused buffer; the browser fills its pipe while we hash. */
async function hashStream(file, hasher, progress) {
  const reader = file.stream().getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(BUFFER);
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    hasher.update(value);
    progress(value.length);
    buffer = value.buffer;
  }
}

/** Where streams cannot be read into a buffer: Blob.slice, the next read overlapping this hash. */
async function hashSlices(file, chunkSize, hasher, progress) {
  const read = (offset) => (offset < file.size ? file.slice(offset, offset + chunkSize).arrayBuffer() : null);
  let next = read(0);
  for (let offset = 0; next; offset += chunkSize) {
    const chunk = new Uint8Array(await next);
    next = read(offset + chunkSize);
    for (let at = 0; at < chunk.length; at += BUFFER) hasher.update(chunk.subarray(at, at + BUFFER));
    progress(chunk.length);
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    try {
      wasm_bindgen.initSync({ module: msg.module });
      ready = true;
      self.postMessage({ type: 'ready' });
    } catch (e) {
      self.postMessage({ type: 'error', id: null, message: `worker cannot start the wasm module: ${e && e.message}` });
    }
    return;
  }
  if (msg.type !== 'hash') return;
  const { id, file, chunkSize } = msg;
  try {
    const engine = engineFor(file, msg.engine);
    if (engine === 'native') {
      const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
      if (file.size) self.postMessage({ type: 'progress', id, bytes: file.size });
      self.postMessage({ type: 'done', id, hash: `sha256:${hex(new Uint8Array(digest))}`, engine });
      return;
    }
    if (!ready) throw new Error('the wasm module is not initialised');
    const hasher = new wasm_bindgen.Sha256();
    try {
      // Progress in steps of PROGRESS_EVERY: one message per read would flood the page.
      let pending = 0;
      const progress = (bytes, last) => {
        pending += bytes;
        if (pending >= PROGRESS_EVERY || (last && pending)) {
          self.postMessage({ type: 'progress', id, bytes: pending });
          pending = 0;
        }
      };
      if (canReadInto(file)) await hashStream(file, hasher, progress);
      else await hashSlices(file, chunkSize, hasher, progress);
      progress(0, true);
      self.postMessage({ type: 'done', id, hash: hasher.finalize(), engine });
    } finally {
      hasher.free();
    }
  } catch (e) {
    self.postMessage({ type: 'error', id, message: (e && e.message) || String(e) });
  }
};
