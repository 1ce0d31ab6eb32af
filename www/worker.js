// The hashing worker. It runs from a blob: URL built by gate.js out of the
// wasm-bindgen classic glue (which defines `wasm_bindgen`) followed by this file,
// so it works from file:// too. It keeps one wasm instance across messages and
// streams each file through the module's own Sha256 in large chunks: memory
// stays flat whatever the size. Stop is worker.terminate(), from the page.
/* global wasm_bindgen */
'use strict';

let ready = false;

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
    if (!ready) throw new Error('the wasm module is not initialised');
    const hasher = new wasm_bindgen.Sha256();
    try {
      // Read the next chunk while this one is hashed: the browser reads the
      // file on another thread, so reading and hashing overlap.
      const read = (offset) => (offset < file.size ? file.slice(offset, offset + chunkSize).arrayBuffer() : null);
      let next = read(0);
      for (let offset = 0; next; offset += chunkSize) {
        const chunk = new Uint8Array(await next);
        next = read(offset + chunkSize);
        hasher.update(chunk);
        self.postMessage({ type: 'progress', id, bytes: chunk.length });
      }
      self.postMessage({ type: 'done', id, hash: hasher.finalize() });
    } finally {
      hasher.free();
    }
  } catch (e) {
    self.postMessage({ type: 'error', id, message: (e && e.message) || String(e) });
  }
};
