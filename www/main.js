// The verifier page's wiring: the inputs, Verify, the demo, and the start.
// What each part does lives in its own script, loaded before this one:
//   case.js          CaseState    the slots, where each came from, a new case replacing the old
//   verdict.js       Verdict      what the verdict area shows: idle, progress, the report, errors
//   safe-release.js  SafeRelease  the release box: a Safe transaction, batch or calldata wrapped in a release
//   drops.js         Drops        files opened or dropped, and which slot each goes to
// Conversions and display only: every check and the decision come from the
// wasm core (SPEC §4), exactly as the CLI computes them.
/* global Render, UpgradeGate, Approve, Effects, CaseState, Verdict, SafeRelease, Drops */
'use strict';

(function () {
  const { el, clear, hexGroups, formatBytes } = Render;
  const { TEXT_SLOTS, BIN_SLOTS, bins, slotEl, setSource, typedInto, setText, setNow, setBin, emptyCase, leaveOtherCases, showBinHash } = CaseState;
  const $ = (sel, root = document) => root.querySelector(sel);
  // demo/demo-data.js loads async, apart from the page's bundle: see `demoData`.
  let DEMO = [];
  let runId = 0;
  let demoName = null;
  let api = null;
  let trapped = null; // set once the module has trapped: it is not used again

  /** A verification under way is abandoned: its result, if it comes, is not shown. */
  function stopRun() {
    runId++;
    UpgradeGate.cancel();
  }

  // ---- inputs -----------------------------------------------------------------
  let toastTimer = 0;
  function flash(message, level = 'warn') {
    const note = $('#demo-note');
    note.textContent = message;
    note.classList.toggle('warn', level === 'warn');
    // Issue 21: also where the user is looking, whatever the scroll.
    const toast = $('#toast');
    toast.textContent = message;
    toast.hidden = false;
    toast.dataset.level = level;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 12000);
  }

  function hideToast() {
    clearTimeout(toastTimer);
    $('#toast').hidden = true;
  }

  let pickerTarget = null;
  function wireInputs() {
    for (const name of [...TEXT_SLOTS, ...BIN_SLOTS]) {
      const slot = slotEl(name);
      const nameEl = $('[data-name]', slot);
      nameEl.dataset.empty = nameEl.textContent;
      $('[data-open]', slot).addEventListener('click', () => {
        pickerTarget = name;
        $('#file-picker').value = '';
        $('#file-picker').click();
      });
      const folderBtn = $('[data-open-folder]', slot);
      if (folderBtn) {
        folderBtn.addEventListener('click', () => {
          pickerTarget = name;
          $('#folder-picker').value = '';
          $('#folder-picker').click();
        });
      }
      const clearBtn = $('[data-clear]', slot);
      if (clearBtn) clearBtn.addEventListener('click', () => setBin(name, null));
      slot.addEventListener('dragover', (e) => {
        e.preventDefault();
        e.stopPropagation();
        slot.classList.add('over');
      });
      slot.addEventListener('dragleave', () => slot.classList.remove('over'));
      slot.addEventListener('drop', async (e) => {
        e.preventDefault();
        e.stopPropagation();
        slot.classList.remove('over');
        try {
          const items = await Drops.droppedItems(e.dataTransfer);
          await Drops.acceptInto(name, items[0]);
        } catch (err) {
          flash(err.message);
        }
      });
    }
    for (const name of TEXT_SLOTS) {
      const area = $(`#${name}`);
      // A paste (or text drop) over the whole box is a new document, not an edit.
      let replacing = false;
      area.addEventListener('beforeinput', (e) => {
        const all = area.value === '' || (area.selectionStart === 0 && area.selectionEnd === area.value.length);
        replacing = all && (e.inputType === 'insertFromPaste' || e.inputType === 'insertFromDrop');
      });
      area.addEventListener('input', () => {
        invalidate();
        if (!area.value.trim()) setSource(name, null);
        else if (replacing) {
          if (name === 'manifest') leaveOtherCases('manifest');
          setSource(name, { kind: 'typed' });
        } else typedInto(name);
        replacing = false;
        if (name === 'release' || name === 'manifest') onReleaseInput();
        if (name === 'witness') witnessTyped();
      });
    }
    $('#file-picker').addEventListener('change', async (e) => {
      const file = e.target.files[0];
      if (file && pickerTarget) {
        try {
          await Drops.acceptInto(pickerTarget, { kind: 'file', file });
        } catch (err) {
          flash(err.message);
        }
      }
    });
    $('#folder-picker').addEventListener('change', (e) => {
      const folder = Drops.folderFromPicker(e.target.files);
      if (!folder || !pickerTarget) return;
      // A whole case folder (a manifest at its top), picked with "Open a case
      // folder…" or by mistake with the package's "Folder…": the whole case (issue 21).
      const isCase = folder.entries.some((x) => /^manifest\.json$/i.test(x.path));
      if (pickerTarget === 'case' || isCase) {
        if (pickerTarget !== 'case') flash(`${folder.name}/ has a manifest.json at its top: it was read as a whole case folder, not as the package (its package/ folder or package.tar is the package).`, 'info');
        Drops.routeItems([folder]).catch((err) => flash(err.message));
        return;
      }
      Drops.acceptInto(pickerTarget, folder).catch((err) => flash(err.message));
    });
    $('#open-case').addEventListener('click', () => {
      pickerTarget = 'case';
      $('#folder-picker').value = '';
      $('#folder-picker').click();
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', async (e) => {
      e.preventDefault();
      try {
        await Drops.routeItems(await Drops.droppedItems(e.dataTransfer));
      } catch (err) {
        flash(err.message);
      }
    });
    for (const id of ['#nested-safe', '#nested-nonce', '#nested-version']) $(id).addEventListener('input', () => SafeRelease.updateNested(api));
    for (const id of ['#safe-chain-id', '#safe-version', '#safe-address', '#safe-nonce']) {
      $(id).addEventListener('input', () => {
        invalidate();
        onReleaseInput();
      });
    }
    $('#now').addEventListener('input', () => {
      invalidate();
      if ($('#now').value.trim()) typedInto('now');
      else setSource('now', null);
      CaseState.showWitnessClaims(); // the block's age is counted from the evaluation time
    });
    // SPEC §9.2: typed by the user only; an edit after Verify clears the verdict like any input.
    $('#trusted-block-hash').addEventListener('input', () => {
      invalidate();
      CaseState.trustNeeded(false);
      CaseState.showWitnessClaims();
    });
    $('#now-reset').addEventListener('click', () => setNow('', null));
    // A notice must not stay over the verdict (trial: it covered the Safe hashes a signer compares):
    // it goes on Verify or a click; #demo-note keeps its text.
    $('#verify').addEventListener('click', () => {
      hideToast();
      verify();
    });
    $('#toast').addEventListener('click', hideToast);
    $('#cancel').addEventListener('click', () => UpgradeGate.cancel());
    $('#clear-all').addEventListener('click', clearAll);
  }

  /** Whether any slot holds something (the top bar then stops describing the demo). */
  function SLOTS_FILLED() {
    return [...TEXT_SLOTS].some((n) => $(`#${n}`).value.trim()) || BIN_SLOTS.some((n) => bins[n]);
  }

  function clearAll() {
    emptyCase();
    markDemo(null, { leave: true });
    resetResult();
    onReleaseInput();
  }

  // What a typed or pasted witness claims, shown once the typing pauses.
  let witnessTimer = 0;
  function witnessTyped() {
    clearTimeout(witnessTimer);
    witnessTimer = setTimeout(() => CaseState.showWitnessClaims(), 150);
  }

  // ---- the release: previewed as soon as it changes ---------------------------------
  let safeTimer = 0;
  function onReleaseInput() {
    clearTimeout(safeTimer);
    SafeRelease.forget();
    safeTimer = setTimeout(() => SafeRelease.preview(api), 120);
  }

  // ---- verification --------------------------------------------------------------
  /** An input changed: the verdict on screen no longer describes the inputs, so it goes. */
  function invalidate() {
    Approve.withdraw();
    if (!Verdict.onScreen()) return;
    stopRun();
    Verdict.stale();
  }

  function resetResult() {
    Approve.hide();
    Verdict.idle();
  }

  /** Hashes what has not been hashed yet, across the worker pool, with one progress bar. */
  async function hashBins() {
    const entries = [];
    for (const name of BIN_SLOTS) {
      const v = bins[name];
      if (!v || v.hashes) continue;
      if (v.kind === 'file') entries.push({ path: `${name}\u0000`, file: v.file });
      else for (const e of v.entries) entries.push({ path: `${name}\u0000${e.path}`, file: e.file });
    }
    if (!entries.length) return;
    const engines = {}; // slot → { native: n, wasm: m }
    const onFile = ({ path, engine }) => {
      const slot = (engines[path.split('\u0000')[0]] ||= {});
      slot[engine] = (slot[engine] || 0) + 1;
    };
    const hashed = await UpgradeGate.hashFiles(entries, Verdict.progress(), { onFile });
    for (const name of BIN_SLOTS) {
      const v = bins[name];
      if (!v || v.hashes) continue;
      if (v.kind === 'file') v.hashes = hashed[`${name}\u0000`];
      else v.hashes = Object.fromEntries(v.entries.map((e) => [e.path, hashed[`${name}\u0000${e.path}`]]));
      v.engines = engines[name] || {};
      showBinHash(name);
    }
  }

  /** `scroll: false` leaves the page where it is (the demo that opens with the page). */
  async function verify({ scroll = true } = {}) {
    const run = ++runId;
    let wrapped = false;
    // Never leave a previous verdict on screen while a new one is computed.
    clear($('#details'));
    Approve.withdraw();
    Verdict.working('Reading the inputs…');
    try {
      if (!api) throw new Error('the wasm module did not start (see the footer)');
      if (trapped) throw Object.assign(new Error(trapped), { title: 'The verifier stopped earlier: reload the page.' });
      const manifest = $('#manifest').value;
      if (!manifest.trim()) throw Object.assign(new Error('Paste or drop the manifest.'), { title: 'The manifest is missing' });
      if (!$('#release').value.trim()) throw Object.assign(new Error('Paste or drop the release (or a Safe transaction).'), { title: 'The release is missing' });
      const release = SafeRelease.releaseText(api, manifest);
      wrapped = release.safe;
      Verdict.working('Hashing the supplied bytes…');
      await hashBins();
      if (run !== runId) return;
      $('#progress').hidden = true;
      const observed = {};
      const pkg = bins.package;
      if (pkg && pkg.kind === 'file') observed.packageHash = pkg.hashes;
      if (pkg && pkg.kind === 'folder') observed.files = pkg.hashes;
      if (bins.rollback) observed.rollbackPackageHash = bins.rollback.hashes;
      if (bins.evidence) observed.evidenceHash = bins.evidence.hashes;
      const optional = (id) => ($(`#${id}`).value.trim() ? $(`#${id}`).value : undefined);
      // No time given: this browser's clock, to the second (issue 21: the
      // banner says so, and what to pass as --now to reproduce it).
      const clock = !$('#now').value.trim();
      const now = clock ? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z') : $('#now').value.trim();
      // SPEC §7.5: the evidence file's text and the artifacts the targets name.
      const effectsInputs = await Effects.inputs(manifest, bins.evidence, pkg);
      if (run !== runId) return;
      // SPEC §9: the witness, and the hash the user typed (never one from the case).
      const witness = optional('witness');
      const trustedBlockHash = CaseState.trustedHash() || undefined;
      const report = await UpgradeGate.verify({
        manifest,
        release: release.text,
        approvals: optional('approvals'),
        policy: optional('policy'),
        now,
        observed,
        ...effectsInputs,
        witness,
        trustedBlockHash,
      });
      if (run !== runId) return;
      // A witness and no hash: HOLD, and the verdict points at the field.
      const proof = report.checks.find((c) => c.id === 'state.proof');
      const trustNeeded = !!witness && !trustedBlockHash && !!proof && proof.status === 'pending';
      CaseState.trustNeeded(trustNeeded);
      Verdict.show(report, { wrappedSafeTx: release.safe, releaseTextUsed: release.text, batch: release.batch, manifestText: manifest, demo: demoName, sources: CaseState.sourcesView(), api, scroll, clock, trustNeeded });
      // Signing is offered for exactly the documents this verdict was computed from.
      Approve.offer(report, { manifest, approvals: optional('approvals'), policy: optional('policy') });
    } catch (e) {
      if (run !== runId) return;
      $('#progress').hidden = true;
      clear($('#details'));
      Approve.hide();
      const cancelled = e instanceof UpgradeGate.Cancelled;
      if (wrapped && e && typeof e === 'object') e.wrappedSafeTx = true;
      if (e && /^trustedBlockHash:/.test(e.message || '')) {
        CaseState.trustNeeded(true);
        e.title = 'The Block hash you trust field does not hold a block hash, so no decision was made.';
      }
      if (e instanceof WebAssembly.RuntimeError) {
        // A trap (a Rust panic aborts) may leave the module's memory half
        // updated: never trust this instance again, for this or any input.
        trapped = `The wasm module trapped (${e.message}): this is a bug in upgrade-gate, please report it. Nothing was verified; reload the page to start a fresh module.`;
        e = Object.assign(new Error(trapped), { title: 'The verifier stopped with an internal error: no decision was made.' });
      }
      Verdict.failed(e, cancelled);
    }
  }

  // ---- demo ------------------------------------------------------------------------
  function b64bytes(b64) {
    const raw = atob(b64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function markDemo(name, { own = false, leave = own } = {}) {
    demoName = name;
    // Issue 21: the address says which demo case is on the page, and only
    // while one is: once the user's own case replaces it, a reload or Back
    // must not bring the demo's verdict back over theirs.
    if (!name && leave && /^#demo/.test(location.hash)) history.replaceState(null, '', location.pathname + location.search);
    else if (name && location.hash !== `#demo=${name}` && !(location.hash === '#demo' && DEMO[0] && name === DEMO[0].name)) history.replaceState(null, '', `${location.pathname}${location.search}#demo=${name}`);
    document.body.classList.toggle('own-case', !name && (own || SLOTS_FILLED()));
    document.body.classList.toggle('demo-loaded', !!name);
    const note = $('#demo-note');
    note.classList.remove('warn');
    const c = name && DEMO.find((x) => x.name === name);
    note.textContent = c
      ? `Loaded demo case “${c.name}” — DEMO, not your files: ${c.about}`
      : document.body.classList.contains('own-case')
        ? 'Your own case is on the page (nothing of the demo). Loading a demo case would replace it.'
        : DEMO.length
          ? `Try it on a demo case: ${DEMO[0].about || DEMO[0].name}`
          : 'no demo cases in this build';
    // Which demo case the page holds, on its button too.
    $('#load-demo').setAttribute('aria-pressed', String(!!name && !!DEMO[0] && name === DEMO[0].name));
    for (const b of document.querySelectorAll('#demo-variants button')) b.setAttribute('aria-pressed', String(b.dataset.case === name));
  }

  /** A demo button: the whole case replaced by the demo's, each slot labelled as the demo's. */
  function loadCase(name, { scroll = true } = {}) {
    const c = DEMO.find((x) => x.name === name);
    if (!c || !api) return;
    emptyCase();
    const text = (f) => (c.files[f] ? new TextDecoder().decode(b64bytes(c.files[f])) : '');
    const file = (f) => new File([b64bytes(c.files[f])], f.split('/').pop());
    const src = (f) => ({ kind: 'demo', demo: c.name, name: f });
    for (const n of TEXT_SLOTS) setText(n, text(`${n}.json`), src(`${n}.json`));
    const pkgFolder = Object.keys(c.files).filter((f) => f.startsWith('package/'));
    if (c.files['package.tar']) setBin('package', { kind: 'file', file: file('package.tar') }, src('package.tar'));
    else if (pkgFolder.length) setBin('package', { kind: 'folder', name: 'package', entries: pkgFolder.map((f) => ({ path: f.slice(8), file: file(f) })) }, src('package/'));
    if (c.files['rollback.tar']) setBin('rollback', { kind: 'file', file: file('rollback.tar') }, src('rollback.tar'));
    if (c.files['evidence.json']) setBin('evidence', { kind: 'file', file: file('evidence.json') }, src('evidence.json'));
    setNow((c.expected && c.expected.now) || '', src('expected.json'));
    markDemo(name);
    onReleaseInput();
    return verify({ scroll });
  }

  function wireDemo() {
    DEMO = Array.isArray(self.UPGRADE_GATE_DEMO) ? self.UPGRADE_GATE_DEMO : [];
    const variants = $('#demo-variants');
    if ($('#demo-loading')) $('#demo-loading').remove();
    if (!DEMO.length) {
      markDemo(null);
      return;
    }
    $('#load-demo').addEventListener('click', () => loadCase(DEMO[0].name));
    $('#load-demo').textContent = `Load demo: ${DEMO[0].name}`;
    for (const c of DEMO.slice(1)) {
      const expected = c.expected && c.expected.decision;
      variants.appendChild(
        el('button', { type: 'button', class: `small variant ${/^tampered/.test(c.name) ? 'tampered' : ''}`, 'data-case': c.name, title: c.about, disabled: !api, onclick: () => loadCase(c.name) }, c.name, expected ? el('small', { class: `exp ${expected}`, text: expected }) : null),
      );
    }
    markDemo(null);
    // On a phone the variants (two dozen buttons) fold away behind one line.
    $('#demo-more').open = innerWidth >= 760;
    $('#demo-more-count').textContent = String(DEMO.length - 1);
    enableDemo();
  }

  /** The demo buttons work once both the demo cases and the module are there. */
  function enableDemo() {
    const ready = !!api && DEMO.length > 0;
    $('#load-demo').disabled = !ready;
    for (const b of document.querySelectorAll('#demo-variants button')) b.disabled = !ready;
  }

  /**
   * The demo loads only when asked for: a demo button, or a `#demo` /
   * `#demo=<case>` link (what `npm start` prints). A page opened, reloaded or
   * returned to without one never shows the demo's verdict (issue 21).
   */
  function demoFromUrl() {
    const m = /^#demo(?:=([\w.-]+))?$/.exec(location.hash);
    return m ? m[1] || (DEMO[0] && DEMO[0].name) : null;
  }

  // ---- start -----------------------------------------------------------------------
  // What the case and the drops need from the page: see case.js and drops.js.
  CaseState.attach({
    invalidate,
    releaseChanged: onReleaseInput,
    stopRun,
    // Another case: the Approve panel was for the one that went, so it goes too (not "an input changed").
    caseGone: () => Approve.hide(),
    leaveDemo() {
      if (demoName || !document.body.classList.contains('own-case')) markDemo(null, { own: true });
    },
    flash,
  });
  Drops.attach({ markDemo: (name) => markDemo(name, { own: !name }), flash });
  wireInputs();
  // A document merged by the Approve panel goes in the Approvals slot, and the verdict is refreshed.
  Approve.attach({
    putApprovals(text) {
      setText('approvals', text, { kind: 'signed' });
      return verify();
    },
  });
  // Deferred scripts run while readyState is already 'interactive', before
  // DOMContentLoaded: wait for it before touching the page.
  const parsed = new Promise((resolve) => {
    if (document.readyState === 'complete') resolve();
    else document.addEventListener('DOMContentLoaded', resolve, { once: true });
  });
  // The demo cases (850 KB, 37 KB as brotli) load async, so that the page is
  // ready to verify without them; the demo buttons come alive when they
  // arrive, or stay disabled if the script never runs (the load event).
  // Requested only now, when the bundle has arrived: on a slow link they
  // would otherwise share it with the module (0.2 s later ready at 1.6 Mbit/s).
  // Still before the load event, which waits for it: no request after load.
  const pinned = $('#demo-data') && $('#demo-data').content.querySelector('script');
  if (pinned && !self.UPGRADE_GATE_DEMO) {
    const script = document.createElement('script');
    script.async = true;
    if (pinned.integrity) script.integrity = pinned.integrity;
    script.src = pinned.getAttribute('src');
    document.head.appendChild(script);
  }
  const arrived = new Promise((resolve) => {
    if (self.UPGRADE_GATE_DEMO) return resolve();
    self.addEventListener('upgrade-gate:demo', resolve, { once: true });
    self.addEventListener('load', resolve, { once: true });
  });
  const demoData = Promise.all([parsed, arrived]).then(wireDemo);
  // Back to a page kept in the browser's memory: its verdict is not shown again
  // (issue 21, 24); the inputs stay, and Verify computes it anew.
  self.addEventListener('pageshow', (e) => {
    if (e.persisted && Verdict.onScreen()) {
      stopRun();
      resetResult();
    }
  });
  Promise.all([UpgradeGate.ready, parsed]).then(
    ([{ wasmSha256, wasmBytes }]) => {
      api = UpgradeGate.api();
      const h = clear($('#wasm-hash'));
      h.classList.remove('muted');
      h.appendChild(hexGroups(wasmSha256));
      h.setAttribute('data-wasm-sha256', wasmSha256);
      $('#wasm-size').textContent = `(${formatBytes(wasmBytes)}, ${UpgradeGate.poolSize} hashing workers)`;
      document.body.setAttribute('data-ready', '');
      // Navigation → ready to verify: `npm run bench` reads this mark.
      performance.mark('upgrade-gate:ready');
      onReleaseInput();
      CaseState.showWitnessClaims(); // a witness the browser put back in its box (history)
      // `?noprefetch`: the complete module only when a case needs it (a metered link).
      if (!new URLSearchParams(location.search).has('noprefetch')) {
        const idle = self.requestIdleCallback || ((f) => setTimeout(f, 200));
        idle(() => UpgradeGate.prefetch(), { timeout: 3000 });
      }
      demoData.then(() => {
        enableDemo();
        const demo = demoFromUrl();
        // Opened on the demo: its verdict below, the page's top (what this is) in view.
        if (demo) loadCase(demo, { scroll: false });
        // `#demo=<case>` changed in an open page loads that case.
        self.addEventListener('hashchange', () => {
          if (/^#demo/.test(location.hash)) loadCase(demoFromUrl());
        });
      });
    },
    (e) => {
      $('#wasm-hash').textContent = `failed to start: ${e.message}`;
      clear($('#verdict')).appendChild(Render.errorBanner('The verifier could not start.', e.message));
      document.body.setAttribute('data-ready', 'error');
    },
  );
})();
