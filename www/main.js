// The verifier page: collects the inputs, has them hashed, asks the core for
// the report, and shows it. Conversions and display only: every check and the
// decision come from the wasm core (SPEC §4), exactly as the CLI computes them.
/* global Render, UpgradeGate, Governance, Approve, Effects */
'use strict';

(function () {
  const { el, clear, hexGroups, formatBytes, formatDuration } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);
  const TEXT_SLOTS = ['manifest', 'release', 'approvals', 'policy'];
  const BIN_SLOTS = ['package', 'rollback', 'evidence'];
  // demo/demo-data.js loads async, apart from the page's bundle: see `demoData`.
  let DEMO = [];

  // ---- state ------------------------------------------------------------------
  // bins[slot] = null | { kind: 'file', file } | { kind: 'folder', name, entries: [{ path, file }] }
  // plus `hashes` once computed (a file's "sha256:…", or a folder's { path: "sha256:…" }).
  const bins = { package: null, rollback: null, evidence: null };
  // Where each slot's content came from, shown beside it and under the verdict
  // (the verdict is a function of exactly these): null (empty), or
  //   { kind: 'file', name }          opened or dropped on its own box, or dropped alone on the page
  //   { kind: 'case', folder, name }  part of a case dropped on the page (folder null: loose files)
  //   { kind: 'demo', demo, name }    loaded by a demo button
  //   { kind: 'typed' }               typed or pasted here
  //   { kind: 'edited', was }         typed over content that came from one of the above
  //   { kind: 'signed' }              the Approve panel's merged approvals document
  const SLOTS = [...TEXT_SLOTS, ...BIN_SLOTS, 'now'];
  const SLOT_TITLE = {
    manifest: 'Manifest',
    release: 'Release',
    approvals: 'Approvals',
    policy: 'Policy',
    package: 'Package',
    rollback: 'Rollback package',
    evidence: 'Simulation evidence',
    now: 'Evaluation time',
  };
  const sources = Object.fromEntries(SLOTS.map((s) => [s, null]));
  let runId = 0;
  let demoName = null;
  let api = null;
  let trapped = null; // set once the module has trapped: it is not used again

  function sourceText(src) {
    if (!src) return '';
    switch (src.kind) {
      case 'file':
        return `from ${src.name}`;
      case 'case':
        return src.folder ? `from case folder ${src.folder}/ (${src.name})` : `from the dropped case (${src.name})`;
      case 'demo':
        return `from the demo case “${src.demo}” (${src.name})`;
      case 'edited':
        return `edited here (was ${src.was})`;
      case 'signed':
        return 'signed in this page';
      default:
        return 'typed or pasted here';
    }
  }

  function sourceEl(name) {
    return name === 'now' ? $('#now-source') : $('[data-source]', slotEl(name));
  }

  function setSource(name, src) {
    sources[name] = src;
    const out = sourceEl(name);
    out.textContent = sourceText(src);
    out.dataset.sourceKind = src ? src.kind : 'none';
    if (!SLOTS.some((s) => sources[s] && sources[s].kind !== 'demo')) return;
    // Once anything is not the demo's, the case is no longer the demo.
    if (demoName) markDemo(null);
  }

  /** A slot typed into: its content is now the user's own, said so beside it. */
  function typedInto(name) {
    const src = sources[name];
    if (src && src.kind !== 'typed' && src.kind !== 'edited') setSource(name, { kind: 'edited', was: sourceText(src).replace(/^from /, '') });
    else if (!src) setSource(name, { kind: 'typed' });
  }

  /** What the slot holds, for the list under the verdict. */
  function sourceLine(name) {
    const src = sources[name];
    const empty = {
      approvals: 'not given',
      policy: 'not given: the default policy applies',
      package: 'not given',
      rollback: 'not given',
      evidence: 'not given',
      now: 'this browser’s clock at the moment of verification',
    };
    const filled = name === 'now' ? $('#now').value.trim() : TEXT_SLOTS.includes(name) ? $(`#${name}`).value.trim() : bins[name];
    const text = !filled ? empty[name] || 'not given' : src ? sourceText(src) : 'typed or pasted here';
    return el('li', { 'data-source-of': name, 'data-source-kind': filled ? (src ? src.kind : 'typed') : 'none' }, el('strong', { text: `${SLOT_TITLE[name]}: ` }), name === 'now' && filled ? `${$('#now').value.trim()} — ` : '', text);
  }

  // ---- inputs -----------------------------------------------------------------
  function slotEl(name) {
    return $(`.slot[data-slot="${name}"]`);
  }

  function setText(name, text, source) {
    invalidate();
    $(`#${name}`).value = text;
    setSource(name, text ? source || { kind: 'typed' } : null);
    if (name === 'release') onReleaseInput();
  }

  function setNow(value, source) {
    invalidate();
    $('#now').value = value;
    setSource('now', value ? source || { kind: 'typed' } : null);
  }

  function setBin(name, value, source) {
    invalidate();
    bins[name] = value;
    const slot = slotEl(name);
    const label = $('[data-name]', slot);
    const out = $('[data-hash-out]', slot);
    clear(out);
    $('[data-clear]', slot).hidden = !value;
    slot.classList.toggle('filled', !!value);
    setSource(name, value ? source || { kind: 'file', name: value.kind === 'file' ? value.file.name : `${value.name}/` } : null);
    if (!value) {
      label.textContent = label.dataset.empty || label.textContent;
    } else if (value.kind === 'file') {
      label.textContent = `${value.file.name} · ${formatBytes(value.file.size)}`;
    } else {
      const size = value.entries.reduce((n, e) => n + e.file.size, 0);
      label.textContent = `folder ${value.name}/ · ${value.entries.length} files · ${formatBytes(size)}`;
    }
  }

  /** Empties every slot of the case: documents, bytes, the evaluation time and the Safe fields. */
  function emptyCase() {
    runId++;
    UpgradeGate.cancel();
    for (const n of TEXT_SLOTS) setText(n, '', null);
    for (const n of BIN_SLOTS) setBin(n, null);
    setNow('', null);
    for (const id of ['#safe-chain-id', '#safe-version', '#safe-address', '#safe-nonce']) $(id).value = '';
  }

  /**
   * A manifest that is not the demo's (or not this case folder's) starts the
   * user's own case: whatever the demo or another dropped case put in the other
   * slots goes, so that no file the user did not give for this case (a policy,
   * the demo's evaluation time, its evidence) can change the verdict. Files the
   * user opened one by one stay: they are shown, with their names.
   */
  function leaveOtherCases(keep) {
    if (demoName) markDemo(null);
    const cleared = [];
    for (const n of SLOTS) {
      const src = sources[n];
      if (n === keep || !src) continue;
      if (src.kind === 'demo' || src.kind === 'case') {
        cleared.push(SLOT_TITLE[n].toLowerCase());
        if (TEXT_SLOTS.includes(n)) setText(n, '', null);
        else if (n === 'now') setNow('', null);
        else setBin(n, null);
      }
    }
    if (cleared.length) flash(`A new manifest starts a new case: cleared what the previous case gave (${cleared.join(', ')}).`, 'info');
  }

  function showBinHash(name) {
    const v = bins[name];
    const out = $('[data-hash-out]', slotEl(name));
    clear(out);
    if (!v || !v.hashes) return;
    if (v.kind === 'file') out.appendChild(hexGroups(v.hashes));
    else {
      const paths = Object.keys(v.hashes).sort();
      out.appendChild(
        el(
          'details',
          { class: 'files' },
          el('summary', { text: `${paths.length} files hashed` }),
          el('ul', {}, paths.map((p) => el('li', {}, el('code', { class: 'wrap', text: p }), hexGroups(v.hashes[p])))),
        ),
      );
    }
    if (v.engines) out.appendChild(Render.hashedBy(v.engines));
  }

  /** Text of a file dropped where a document goes: UTF-8, or a plain refusal. */
  async function readTextFile(file, slot) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text = null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = null;
    }
    // NUL bytes: a tar or another binary file that happens to decode.
    if (text === null || text.includes('\u0000')) {
      throw new Error(`${file.name} is not UTF-8 text, so it cannot be the ${slot}: is it a package or another binary file?`);
    }
    return text;
  }

  // Drag and drop: a box takes what is dropped on it; the page routes a
  // dropped case folder (or several files) by their usual names.
  async function droppedItems(dt) {
    const out = [];
    const items = Array.from(dt.items || []).filter((i) => i.kind === 'file');
    const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    if (entries.length && entries.every(Boolean)) {
      for (const entry of entries) out.push(await readEntry(entry));
      return out;
    }
    return Array.from(dt.files || []).map((file) => ({ kind: 'file', file }));
  }

  async function readEntry(entry) {
    if (entry.isFile) return { kind: 'file', file: await new Promise((res, rej) => entry.file(res, rej)) };
    const files = [];
    async function walk(dir, prefix) {
      const reader = dir.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) {
          if (e.isDirectory) await walk(e, `${prefix}${e.name}/`);
          else files.push({ path: `${prefix}${e.name}`, file: await new Promise((res, rej) => e.file(res, rej)) });
        }
      }
    }
    await walk(entry, '');
    return { kind: 'folder', name: entry.name, entries: files };
  }

  function folderFromPicker(fileList) {
    const files = Array.from(fileList);
    if (!files.length) return null;
    const top = files[0].webkitRelativePath.split('/')[0];
    return {
      kind: 'folder',
      name: top,
      entries: files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), file: f })),
    };
  }

  /** Puts a file (or a package folder) into its slot; `source` says where it came from. */
  async function acceptInto(name, item, source) {
    if (!item) return;
    const src = source || { kind: 'file', name: item.kind === 'file' ? item.file.name : `${item.name}/` };
    if (TEXT_SLOTS.includes(name)) {
      if (item.kind !== 'file') throw new Error(`${name}: drop a JSON file, not a folder`);
      const text = await readTextFile(item.file, name);
      if (name === 'manifest' && src.kind === 'file') leaveOtherCases('manifest');
      setText(name, text, src);
    } else {
      if (name !== 'package' && item.kind === 'folder') throw new Error(`${name}: drop a file, not a folder`);
      setBin(name, item, src);
    }
  }

  // Dropped on the page (not on a box): JSON goes where its "schema" says, a
  // Safe transaction or Transaction Builder batch to the release; anything else
  // by its usual name.
  const SCHEMA_SLOT = /^upgrade-gate\/(manifest|release|approvals|policy)\/v[0-9]+$/;
  const ROUTES = [
    [/^manifest.*\.json$/i, 'manifest'],
    [/^release.*\.json$/i, 'release'],
    [/^approvals?.*\.json$/i, 'approvals'],
    [/^policy.*\.json$/i, 'policy'],
    [/^rollback/i, 'rollback'],
    [/^(evidence|simulation)/i, 'evidence'],
    [/^package/i, 'package'],
  ];
  const IGNORED = /^(README|expected\.json$|\.)/i;

  /** The slot a dropped item belongs in, or null. */
  async function slotFor(item) {
    const name = item.kind === 'file' ? item.file.name : item.name;
    if (item.kind === 'file' && /\.json$/i.test(name) && item.file.size <= 64 * 1024 * 1024) {
      let v = null;
      try {
        v = JSON.parse(await item.file.text());
      } catch {
        v = null; // unreadable JSON: placed by its name, and the core says what is wrong
      }
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const m = typeof v.schema === 'string' ? SCHEMA_SLOT.exec(v.schema) : null;
        if (m) return m[1];
        const shape = releaseShape(JSON.stringify(v));
        if (shape.kind === 'safeTx' || shape.kind === 'txBuilder') return 'release';
      }
    }
    const route = ROUTES.find(([re]) => re.test(name));
    return route ? route[1] : null;
  }

  /**
   * A drop on the page. A case (a folder with a manifest in it, or loose files
   * one of which is a manifest) replaces the WHOLE case: every slot, the
   * evaluation time and the Safe fields are emptied first, so nothing of the
   * previous case (or of the demo) stays. Anything else goes into its slot.
   */
  async function routeItems(items) {
    const placed = []; // [slot, item, source]
    const unknown = [];
    const missingManifest = [];
    let isCase = false;
    for (const item of items) {
      if (item.kind === 'folder') {
        const top = item.entries.filter((e) => !e.path.includes('/'));
        const slots = await Promise.all(top.map((e) => slotFor({ kind: 'file', file: e.file })));
        if (slots.includes('manifest')) {
          isCase = true;
          const src = (name) => ({ kind: 'case', folder: item.name, name });
          top.forEach((e, i) => {
            if (slots[i]) placed.push([slots[i], { kind: 'file', file: e.file }, src(e.path)]);
            else if (!IGNORED.test(e.path)) unknown.push(`${item.name}/${e.path}`);
          });
          const pkgFiles = item.entries.filter((e) => e.path.startsWith('package/'));
          if (pkgFiles.length) placed.push(['package', { kind: 'folder', name: 'package', entries: pkgFiles.map((e) => ({ path: e.path.slice(8), file: e.file })) }, src('package/')]);
          continue;
        }
      }
      const slot = await slotFor(item);
      if (!slot && item.kind === 'folder' && item.entries.some((e) => !e.path.includes('/'))) {
        // A case folder that lost its manifest: say so, rather than "not a usual name".
        missingManifest.push(`${item.name}/`);
        continue;
      }
      const name = item.kind === 'file' ? item.file.name : `${item.name}/`;
      if (slot) placed.push([slot, item, { kind: 'file', name }]);
      else if (!IGNORED.test(name)) unknown.push(name);
    }
    const looseCase = placed.some(([slot, , src]) => slot === 'manifest' && src.kind === 'file');
    if (isCase || looseCase) {
      emptyCase();
      markDemo(null);
      for (const p of placed) if (p[2].kind === 'file') p[2] = { kind: 'case', folder: null, name: p[2].name };
    }
    for (const [slot, item, src] of placed) await acceptInto(slot, item, src);
    if (missingManifest.length) {
      flash(`Not placed: ${missingManifest.join(', ')} has no manifest at its top (manifest.json, or JSON whose "schema" is upgrade-gate/manifest/v1), so it is not a case folder and nothing of it was used — add the manifest, or drop its files on their boxes. The page still shows the previous inputs.`);
    }
    if (unknown.length) flash(`Not placed (not a document of the gate, and not a usual name): ${unknown.join(', ')} — drop them on their box instead.`);
  }

  function flash(message, level = 'warn') {
    const note = $('#demo-note');
    note.textContent = message;
    note.classList.toggle('warn', level === 'warn');
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
          const items = await droppedItems(e.dataTransfer);
          await acceptInto(name, items[0]);
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
      });
    }
    $('#file-picker').addEventListener('change', async (e) => {
      const file = e.target.files[0];
      if (file && pickerTarget) {
        try {
          await acceptInto(pickerTarget, { kind: 'file', file });
        } catch (err) {
          flash(err.message);
        }
      }
    });
    $('#folder-picker').addEventListener('change', (e) => {
      const folder = folderFromPicker(e.target.files);
      if (folder && pickerTarget) acceptInto(pickerTarget, folder).catch((err) => flash(err.message));
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', async (e) => {
      e.preventDefault();
      try {
        await routeItems(await droppedItems(e.dataTransfer));
      } catch (err) {
        flash(err.message);
      }
    });
    for (const id of ['#nested-safe', '#nested-nonce', '#nested-version']) $(id).addEventListener('input', updateNested);
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
    });
    $('#now-reset').addEventListener('click', () => setNow('', null));
    $('#verify').addEventListener('click', () => verify());
    $('#cancel').addEventListener('click', () => UpgradeGate.cancel());
    $('#clear-all').addEventListener('click', clearAll);
  }

  function clearAll() {
    emptyCase();
    markDemo(null);
    resetResult();
    onReleaseInput();
  }

  // ---- the release: our format, or a Safe transaction ----------------------------
  // A pasted Safe transaction (Safe UI / Safe Transaction Service JSON) has no
  // schema; the page wraps it, as text, in a release for the core. JSON is never
  // re-serialised: large integers keep their exact digits.
  function releaseShape(text) {
    if (Governance.isCalldata(text)) return { kind: 'governor' };
    let v;
    try {
      v = JSON.parse(text);
    } catch {
      return { kind: 'unreadable' };
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { kind: 'unreadable' };
    if ('schema' in v) return { kind: 'release', value: v };
    if ('version' in v && 'chainId' in v && 'meta' in v && Array.isArray(v.transactions)) return { kind: 'txBuilder', value: v };
    if ('to' in v && ('data' in v || 'operation' in v || 'safeTxGas' in v)) return { kind: 'safeTx', value: v };
    return { kind: 'release', value: v };
  }

  /** The Safe transaction text with chainId / safeVersion from the fields where it has none. */
  function safeTxText(text, value) {
    const add = [];
    const chain = $('#safe-chain-id').value.trim();
    const version = $('#safe-version').value.trim();
    if (chain) {
      if ('chainId' in value && String(value.chainId) !== chain) throw new Error(`chainId: the transaction says ${value.chainId}, the field says ${chain}`);
      if (!('chainId' in value)) add.push(`"chainId": ${/^[0-9]+$/.test(chain) ? chain : JSON.stringify(chain)}`);
    }
    if (version) {
      if ('safeVersion' in value && String(value.safeVersion) !== version) throw new Error(`safeVersion: the transaction says ${value.safeVersion}, the field says ${version}`);
      if (!('safeVersion' in value)) add.push(`"safeVersion": ${JSON.stringify(version)}`);
    }
    if (!add.length) return text;
    const t = text.trim();
    const body = t.slice(1).trim();
    return `{${add.join(', ')}${body.startsWith('}') ? '' : ', '}${body}`;
  }

  /**
   * A Safe Transaction Builder batch through the core's `fromTxBuilder`: with the
   * Safe's version and nonce, the Safe transaction the Safe UI builds (one call
   * sent directly, several as a MultiSendCallOnly delegatecall); without them,
   * the actions only. Returns `{ draft, safeTxText|null, note }`.
   */
  function fromBatch(text, value) {
    const n = value.transactions.length;
    const safe = $('#safe-address').value.trim() || (value.meta && value.meta.createdFromSafeAddress) || '';
    const version = $('#safe-version').value.trim();
    const nonce = $('#safe-nonce').value.trim();
    const chain = $('#safe-chain-id').value.trim();
    const read = `Read as a Safe Transaction Builder batch: ${n} transaction${n === 1 ? '' : 's'}`;
    if (safe && version && nonce) {
      const target = { safe, safeVersion: version, nonce };
      if (chain) target.chainId = /^[0-9]+$/.test(chain) ? Number(chain) : chain;
      const draft = api.fromTxBuilder(text, JSON.stringify(target));
      const how = n === 1 ? 'sent directly as a call' : `batched in a MultiSendCallOnly delegatecall (${draft.safeTx.to})`;
      return {
        draft,
        safeTxText: JSON.stringify(draft.safeTx),
        note: `${read}, turned into the Safe transaction the Safe UI builds for Safe ${safe} (version ${version}, nonce ${nonce}): ${how}.`,
      };
    }
    const draft = api.fromTxBuilder(text, null);
    const missing = [!safe && 'the Safe', !version && 'the Safe version', !nonce && 'the nonce'].filter(Boolean).join(', ');
    return { draft, safeTxText: null, note: `${read}, used as the release’s actions (give ${missing} to build and hash the Safe transaction instead).` };
  }

  // The Safe fields beside the release: [element, label, the Safe transaction's key].
  const SAFE_FIELDS = [
    ['#safe-chain-id', 'Chain id', 'chainId'],
    ['#safe-version', 'Safe version', 'safeVersion'],
    ['#safe-address', 'Safe', 'safe'],
    ['#safe-nonce', 'Nonce', 'nonce'],
  ];

  /**
   * Every Safe field that holds a value is used for this release, or agrees
   * with it; otherwise no decision is made. A value shown on the page that the
   * verdict did not use (a nonce typed beside a release document or a Safe
   * transaction that carries its own) would make the verdict differ from what
   * the page shows. A Transaction Builder batch uses them all (`fromBatch`); a
   * pasted Safe transaction takes its chain id and version from the fields
   * when it has none (`safeTxText`).
   */
  function checkSafeFields(shape) {
    if (shape.kind === 'txBuilder' || shape.kind === 'unreadable') return;
    const tx = shape.kind === 'safeTx' ? shape.value : shape.kind === 'release' ? shape.value.safeTx : null;
    const what = shape.kind === 'safeTx' ? 'the pasted Safe transaction' : shape.kind === 'governor' ? 'the pasted Governor calldata' : 'the release';
    for (const [id, label, key] of SAFE_FIELDS) {
      const typed = $(id).value.trim();
      if (!typed) continue;
      const given = tx && typeof tx === 'object' && key in tx && tx[key] !== null ? String(tx[key]) : null;
      if (given === null) {
        if (shape.kind === 'safeTx' && (key === 'chainId' || key === 'safeVersion')) continue;
        throw Object.assign(new Error(`the ${label} field holds ${typed}, but ${what} has no Safe ${key === 'safe' ? 'address' : key} for it to give or check (the Safe and Nonce fields are for a Safe Transaction Builder batch): clear the field`), {
          title: `The ${label} field is not used for this release`,
        });
      }
      const same = key === 'safe' ? given.toLowerCase() === typed.toLowerCase() : given === typed;
      if (!same) {
        throw Object.assign(new Error(`${what} says ${key} ${given}, the ${label} field says ${typed}: make them agree, or clear the field`), {
          title: `The ${label} field disagrees with the release`,
        });
      }
    }
  }

  function releaseText(manifestText) {
    const text = $('#release').value;
    const shape = releaseShape(text);
    checkSafeFields(shape);
    if (shape.kind === 'txBuilder') {
      const b = fromBatch(text, shape.value);
      let lane = null;
      try {
        lane = JSON.parse(manifestText).lane ?? null;
      } catch {
        /* the core names the manifest's error below */
      }
      const digest = api.manifestDigest(manifestText);
      const head = `{"schema": "upgrade-gate/release/v1", "manifestDigest": ${JSON.stringify(digest)}, "lane": ${JSON.stringify(lane)}`;
      return b.safeTxText
        ? { text: `${head}, "safeTx": ${b.safeTxText}}`, safe: true, batch: b.note }
        : { text: `${head}, "actions": ${JSON.stringify(b.draft.actions)}}`, safe: false, batch: b.note };
    }
    if (shape.kind === 'governor') return { ...Governance.releaseOf(api, text, manifestText), safe: false };
    if (shape.kind !== 'safeTx') return { text, safe: false };
    let lane = null;
    try {
      lane = JSON.parse(manifestText).lane ?? null;
    } catch {
      /* the core names the manifest's error below */
    }
    const digest = api.manifestDigest(manifestText);
    return {
      text: `{"schema": "upgrade-gate/release/v1", "manifestDigest": ${JSON.stringify(digest)}, "lane": ${JSON.stringify(lane)}, "safeTx": ${safeTxText(text, shape.value)}}`,
      safe: true,
    };
  }

  let safeTimer = 0;
  function onReleaseInput() {
    clearTimeout(safeTimer);
    safeTimer = setTimeout(previewSafe, 120);
  }

  /** Shows the Safe hashes as soon as a Safe transaction is pasted, before any verification. */
  function previewSafe() {
    const box = $('#safe');
    const kindEl = $('#release-kind');
    const text = $('#release').value;
    const shape = text.trim() ? releaseShape(text) : { kind: 'empty' };
    let batch = null;
    if (shape.kind === 'txBuilder' && api) {
      try {
        batch = fromBatch(text, shape.value);
      } catch (e) {
        batch = { error: pageWording(e) };
      }
    }
    kindEl.textContent =
      batch
        ? batch.error
          ? `Read as a Safe Transaction Builder batch: ${shape.value.transactions.length} transactions, but it cannot be used: ${batch.error}`
          : batch.note
        : shape.kind === 'safeTx'
        ? 'Read as a Safe transaction: the page wraps it in a release with the manifest’s digest and lane.'
        : shape.kind === 'release' && shape.value.safeTx
          ? 'A release carrying a Safe transaction.'
          : shape.kind === 'governor'
            ? 'Read as Governor propose / queue / execute calldata: the page wraps its calls in a release sent by the manifest’s timelock (or Governor), with the manifest’s digest and lane.'
            : '';
    previewGovernor(shape.kind === 'governor' ? text : null);
    nestedSource = outerSafeTx(text, shape, batch);
    updateNested();
    // The report's own Safe panel stays until an input changes (invalidate() removes it).
    if (box.dataset.fromReport) return;
    const batchTx = batch && batch.safeTxText;
    if ((shape.kind !== 'safeTx' && !batchTx) || !api) {
      box.hidden = true;
      clear(box);
      return;
    }
    clear(box);
    box.hidden = false;
    box.appendChild(el('h2', { text: 'Safe transaction — compare with your wallet' }));
    if (batchTx) {
      box.appendChild(Render.safeHashes(batch.draft.safeTxHashes, null));
      box.appendChild(el('p', { class: 'muted', 'data-batch-note': '', text: batch.note }));
      return;
    }
    try {
      const hashes = api.safeTxHash(safeTxText(text, shape.value));
      box.appendChild(Render.safeHashes(hashes, shape.value.safeTxHash || shape.value.contractTransactionHash));
    } catch (e) {
      box.appendChild(el('p', { class: 'error-line', text: `Cannot hash this Safe transaction: ${pageWording(e)}` }));
    }
  }

  /** Pasted Governor calldata, compared with the manifest by the core as soon as it is pasted. */
  function previewGovernor(calldata) {
    const box = clear($('#governor-preview'));
    const manifest = $('#manifest').value;
    box.hidden = !calldata || !api;
    if (box.hidden) return;
    box.appendChild(el('h2', { text: 'Governor proposal — compare with the manifest' }));
    box.appendChild(manifest.trim() ? Governance.compare(api, calldata, manifest) : el('p', { class: 'muted', text: 'Give the manifest to compare this proposal with it.' }));
  }

  // ---- nested Safe: an owner that is itself a Safe ------------------------------------
  // The outer Safe transaction the release describes, as JSON text (or null).
  let nestedSource = null;

  function outerSafeTx(text, shape, batch) {
    if (shape.kind === 'safeTx') {
      try {
        return safeTxText(text, shape.value);
      } catch {
        return null;
      }
    }
    if (shape.kind === 'txBuilder') return batch && batch.safeTxText ? batch.safeTxText : null;
    if (shape.kind === 'release' && shape.value.safeTx && typeof shape.value.safeTx === 'object') {
      const tx = { ...shape.value.safeTx };
      const chain = $('#safe-chain-id').value.trim();
      const version = $('#safe-version').value.trim();
      if (!('chainId' in tx) && chain) tx.chainId = /^[0-9]+$/.test(chain) ? Number(chain) : chain;
      if (!('safeVersion' in tx) && version) tx.safeVersion = version;
      return JSON.stringify(tx);
    }
    return null;
  }

  /** The owner Safe's approveHash transaction: its domain hash, message hash and safeTxHash, from the core. */
  function updateNested() {
    const box = $('#nested');
    const out = clear($('#nested-out'));
    box.hidden = !nestedSource || !api;
    if (box.hidden) return;
    const safe = $('#nested-safe').value.trim();
    const nonce = $('#nested-nonce').value.trim();
    const version = $('#nested-version').value.trim();
    if (!safe || !nonce || !version) {
      out.appendChild(el('p', { class: 'muted', text: 'Give the owner Safe’s address, nonce and version.' }));
      return;
    }
    try {
      const r = api.nestedSafeTxHash(nestedSource, JSON.stringify({ safe, nonce, version }));
      const n = r.nested;
      out.appendChild(el('h3', { text: `Owner Safe ${n.safe}: approveHash(${r.safeTxHash})` }));
      out.appendChild(Render.safeHashes(n, null));
      out.appendChild(el('p', { class: 'nested-tx muted' }, 'Its transaction: to ', el('code', { text: n.to }), ', data ', el('code', { text: n.data }), `, nonce ${n.nonce}, Safe version ${n.safeVersion}.`));
    } catch (e) {
      out.appendChild(el('p', { class: 'error-line', text: `Cannot hash the owner Safe’s approval: ${pageWording(e)}` }));
    }
  }

  // ---- verification --------------------------------------------------------------
  /** An input changed: the verdict on screen no longer describes the inputs, so it goes. */
  function invalidate() {
    Approve.withdraw();
    if (!$('#verdict [data-decision]:not([data-decision="none"]):not([data-decision="stale"])')) return;
    runId++;
    UpgradeGate.cancel();
    $('#progress').hidden = true;
    clear($('#details'));
    const safe = $('#safe');
    if (safe.dataset.fromReport) {
      delete safe.dataset.fromReport;
      safe.hidden = true;
      clear(safe);
    }
    clear($('#verdict')).appendChild(
      el(
        'div',
        { class: 'banner idle', 'data-decision': 'stale' },
        el('div', { class: 'word', text: 'INPUTS CHANGED' }),
        el('p', { class: 'lead', text: 'The previous verdict was cleared because an input changed. Press Verify.' }),
      ),
    );
  }

  function resetResult() {
    Approve.hide();
    clear($('#verdict')).appendChild(
      el(
        'div',
        { class: 'banner idle', 'data-decision': 'none' },
        el('div', { class: 'word', text: 'NO VERDICT YET' }),
        el('p', { class: 'lead', text: 'Give the manifest and the release (and the package), then press Verify — or load the demo.' }),
      ),
    );
    clear($('#details'));
    $('#progress').hidden = true;
  }

  function working(title) {
    clear($('#verdict')).appendChild(
      el('div', { class: 'banner working', 'data-decision': 'working' }, el('div', { class: 'word', text: 'VERIFYING…' }), el('p', { class: 'lead', text: title })),
    );
  }

  function progressView() {
    const box = $('#progress');
    const started = performance.now();
    let last = 0;
    box.hidden = false;
    $('#progress-title').textContent = 'Hashing in this browser…';
    $('#progress-fill').style.width = '0%';
    $('#progress-text').textContent = '';
    return ({ done, total }) => {
      const now = performance.now();
      if (now - last < 80 && done < total) return;
      last = now;
      const pct = total ? (100 * done) / total : 100;
      const secs = (now - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const left = rate > 0 ? (total - done) / rate : Infinity;
      $('#progress-fill').style.width = `${pct.toFixed(1)}%`;
      $('#progress').setAttribute('data-percent', pct.toFixed(0));
      $('#progress-text').textContent =
        `${pct.toFixed(1)} % · ${formatBytes(done)} of ${formatBytes(total)} · ${(rate / 1e6).toFixed(0)} MB/s · ${done >= total ? 'done' : `${formatDuration(left)} left`}`;
    };
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
    const hashed = await UpgradeGate.hashFiles(entries, progressView(), { onFile });
    for (const name of BIN_SLOTS) {
      const v = bins[name];
      if (!v || v.hashes) continue;
      if (v.kind === 'file') v.hashes = hashed[`${name}\u0000`];
      else v.hashes = Object.fromEntries(v.entries.map((e) => [e.path, hashed[`${name}\u0000${e.path}`]]));
      v.engines = engines[name] || {};
      showBinHash(name);
    }
  }

  async function verify() {
    const run = ++runId;
    let wrapped = false;
    // Never leave a previous verdict on screen while a new one is computed.
    clear($('#details'));
    Approve.withdraw();
    working('Reading the inputs…');
    try {
      if (!api) throw new Error('the wasm module did not start (see the footer)');
      if (trapped) throw Object.assign(new Error(trapped), { title: 'The verifier stopped earlier: reload the page.' });
      const manifest = $('#manifest').value;
      if (!manifest.trim()) throw Object.assign(new Error('Paste or drop the manifest.'), { title: 'The manifest is missing' });
      if (!$('#release').value.trim()) throw Object.assign(new Error('Paste or drop the release (or a Safe transaction).'), { title: 'The release is missing' });
      const release = releaseText(manifest);
      wrapped = release.safe;
      working('Hashing the supplied bytes…');
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
      const now = $('#now').value.trim() || undefined;
      // SPEC §7.5: the evidence file's text and the artifacts the targets name.
      const effectsInputs = await Effects.inputs(manifest, bins.evidence, pkg);
      if (run !== runId) return;
      const report = api.verify({
        manifest,
        release: release.text,
        approvals: optional('approvals'),
        policy: optional('policy'),
        now,
        observed,
        ...effectsInputs,
      });
      if (run !== runId) return;
      showReport(report, { wrappedSafeTx: release.safe, releaseTextUsed: release.text, batch: release.batch, manifestText: manifest });
      // Signing is offered for exactly the documents this verdict was computed from.
      Approve.offer(report, { manifest, approvals: optional('approvals'), policy: optional('policy') });
    } catch (e) {
      if (run !== runId) return;
      $('#progress').hidden = true;
      clear($('#details'));
      Approve.hide();
      const cancelled = e instanceof UpgradeGate.Cancelled;
      if (wrapped && e && typeof e === 'object') e.wrappedSafeTx = true;
      if (e instanceof WebAssembly.RuntimeError) {
        // A trap (a Rust panic aborts) may leave the module's memory half
        // updated: never trust this instance again, for this or any input.
        trapped = `The wasm module trapped (${e.message}): this is a bug in upgrade-gate, please report it. Nothing was verified; reload the page to start a fresh module.`;
        e = Object.assign(new Error(trapped), { title: 'The verifier stopped with an internal error: no decision was made.' });
      }
      const title = cancelled
        ? 'Hashing was cancelled: nothing was verified.'
        : e.title || (e.field !== undefined ? 'An input could not be read, so no decision was made (the gate fails closed).' : 'Verification stopped with an error.');
      clear($('#verdict')).appendChild(Render.errorBanner(title, cancelled ? 'Press Verify to start again.' : pageWording(e)));
      revealVerdict();
    }
  }

  /**
   * An error from the core in the page's words: the page has fields where the
   * CLI has options, the page wraps a pasted Safe transaction in a release the
   * user never wrote, and a parser's "EOF" means a document that is cut off.
   */
  function pageWording(e) {
    const raw = e.message || String(e);
    const rules = [
      [/ or --chain-id\b/g, ' or in the Chain id field'],
      [/ or --safe-version\b/g, ' or in the Safe version field'],
      [/ \(?--safe, --safe-version, --nonce\)?/g, ' (the Safe, Safe version and Nonce fields)'],
      [/^release field `safeTx\.([A-Za-z]+)`/, 'the release’s Safe transaction, its `$1`'],
      [/^safe transaction field `([A-Za-z]+)`/, 'the Safe transaction, its `$1`'],
      [/^observed input field `now`/, 'the Evaluation time field'],
      [/^observed input field `([^`]+)`/, 'the bytes hashed in this page (`$1`)'],
      [/EOF while parsing (a|an) [a-z ]+/g, 'the text ends too early: the file is cut off'],
    ];
    let m = raw;
    if (e.wrappedSafeTx) {
      m = m.replace(/^release field `safeTx\.([A-Za-z]+)`/, 'the pasted Safe transaction, its `$1`');
      if (/missing field `chainId`/.test(m)) m += ': give it in the Chain id field';
      if (/missing field `safeVersion`/.test(m)) m += ': give it in the Safe version field';
    }
    for (const [re, to] of rules) m = m.replace(re, to);
    return m;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(() => legacyCopy(text));
    }
    legacyCopy(text);
    return Promise.resolve();
  }

  function legacyCopy(text) {
    const t = el('textarea', { class: 'offscreen' });
    t.value = text;
    document.body.appendChild(t);
    t.select();
    document.execCommand('copy');
    t.remove();
  }

  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function jsonBlock(title, value, fileName, id) {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const copied = el('span', { class: 'copied muted' });
    return el(
      'div',
      { class: 'json-block', id },
      el(
        'div',
        { class: 'json-head' },
        el('h3', { text: title }),
        el('button', { type: 'button', class: 'small', 'data-copy': '', onclick: () => copyText(text).then(() => { copied.textContent = 'copied'; }) }, 'Copy'),
        el('button', { type: 'button', class: 'small', 'data-download': '', onclick: () => download(fileName, text) }, 'Download'),
        copied,
      ),
      el('pre', { class: 'json', text }),
    );
  }

  function hashRow(label, value, extra) {
    return el('div', { class: 'kv' }, el('div', { class: 'k', text: label }), el('div', { class: 'v' }, value ? hexGroups(value) : el('span', { class: 'muted', text: 'not supplied' }), extra || null));
  }

  function showReport(report, { wrappedSafeTx, releaseTextUsed, batch, manifestText }) {
    const verdict = clear($('#verdict'));
    const b = Render.banner(report);
    if (demoName) b.appendChild(el('p', { class: 'demo-tag', text: `Demo case: ${demoName}` }));
    b.appendChild(sourcesView());
    verdict.appendChild(b);

    if (report.safeTx) {
      const box = clear($('#safe'));
      box.hidden = false;
      box.dataset.fromReport = '1';
      box.appendChild(el('h2', { text: 'Safe transaction — compare with your wallet' }));
      let claimed = null;
      try {
        const tx = JSON.parse(releaseTextUsed).safeTx || {};
        claimed = tx.safeTxHash || tx.contractTransactionHash || null;
      } catch {
        claimed = null;
      }
      box.appendChild(Render.safeHashes(report.safeTx, claimed));
      const verdict = Render.safeVerdict(report.checks.find((c) => c.id === 'safe.tx'));
      if (verdict) box.appendChild(verdict);
      if (batch) box.appendChild(el('p', { class: 'muted', 'data-batch-note': '', text: batch }));
      if (wrappedSafeTx && !batch) box.appendChild(el('p', { class: 'muted', text: 'The pasted Safe transaction was wrapped in a release with the manifest’s digest and lane: what it executes is compared with the manifest’s actions.' }));
    }

    const d = clear($('#details'));
    const obs = report.observed || {};
    // The marker repeats the core's package.hash check; the page compares nothing itself.
    const pkgCheck = report.checks.find((c) => c.id === 'package.hash');
    const pkgMatch = obs.packageHash && pkgCheck && pkgCheck.status !== 'skip' ? (pkgCheck.status === 'pass' ? 'matches' : 'DIFFERS') : null;
    d.appendChild(
      el(
        'section',
        { class: 'card' },
        el('h2', { text: 'Hashes' }),
        hashRow('Manifest digest', report.manifestDigest),
        hashRow('Package (manifest)', report.packageHash),
        hashRow('Package (hashed here)', obs.packageHash, pkgMatch ? el('span', { class: `match ${pkgMatch === 'matches' ? 'ok' : 'bad'}`, text: pkgMatch }) : null),
        hashRow('Actions hash', report.actionsHash),
        obs.rollbackPackageHash ? hashRow('Rollback package (hashed here)', obs.rollbackPackageHash) : null,
        obs.evidenceHash ? hashRow('Evidence (hashed here)', obs.evidenceHash) : null,
      ),
    );
    if (report.governance) {
      // SPEC §8 extension: the ids, from the core; the manifest's field for the Governor and the announced id.
      let declared = {};
      try {
        declared = JSON.parse(manifestText).governance || {};
      } catch {
        declared = {};
      }
      d.appendChild(Governance.section(report.governance, declared));
    }
    const effects = Effects.section(report, api);
    if (effects) d.appendChild(effects);
    d.appendChild(el('section', { class: 'card' }, jsonBlock('Headline', Render.headline(report), 'upgrade-gate-headline.json', 'headline')));
    d.appendChild(el('section', { class: 'card' }, el('h2', { text: 'Checks' }), Render.checksTable(report.checks)));
    d.appendChild(
      el(
        'section',
        { class: 'card', id: 'actions' },
        el('h2', { text: 'What will execute' }),
        el(
          'p',
          { class: 'lanes' },
          'Declared lane ',
          el('strong', { text: report.lane }),
          ' · derived from the actions ',
          el('strong', { class: report.derivedLane !== report.lane ? 'bad' : '', text: report.derivedLane }),
        ),
        el('p', { class: 'muted', text: 'The release’s actions after SPEC §3 normalization (MultiSend batches unpacked), each decoded and classified by the core.' }),
        el('ol', { class: 'actions' }, (report.decodedActions || []).map((a) => el('li', {}, Render.actionView(a)))),
      ),
    );
    d.appendChild(el('section', { class: 'card' }, el('details', {}, el('summary', { text: 'Full report (upgrade-gate/report/v1)' }), jsonBlock('Report', report, 'upgrade-gate-report.json', 'report-json'))));
    revealVerdict();
  }

  /** What the verdict was computed from: each slot and where its content came from. */
  function sourcesView() {
    return el('details', { class: 'sources', 'data-sources': '' }, el('summary', { text: 'Computed from' }), el('ul', {}, SLOTS.map(sourceLine)));
  }

  /**
   * The verdict where the user is looking, at every width: after Verify the
   * page is scrolled (if needed) so the banner is in view, and it takes the
   * focus, so a screen reader reads it too.
   */
  function revealVerdict() {
    const banner = $('#verdict .banner');
    if (!banner) return;
    banner.setAttribute('tabindex', '-1');
    const r = banner.getBoundingClientRect();
    // Left alone only when it is already whole on screen, near the top.
    if (r.top < 0 || r.top > innerHeight / 3 || r.bottom > innerHeight) banner.scrollIntoView({ block: 'start' });
    banner.focus({ preventScroll: true });
  }

  // ---- demo ------------------------------------------------------------------------
  function b64bytes(b64) {
    const raw = atob(b64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function markDemo(name) {
    demoName = name;
    document.body.classList.toggle('demo-loaded', !!name);
    const note = $('#demo-note');
    note.classList.remove('warn');
    const c = name && DEMO.find((x) => x.name === name);
    note.textContent = c ? `Loaded demo case “${c.name}”: ${c.about}` : DEMO.length ? (DEMO[0].about || '') : 'no demo cases in this build';
  }

  /** A demo button: the whole case replaced by the demo's, each slot labelled as the demo's. */
  function loadCase(name) {
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
    return verify();
  }

  function wireDemo() {
    DEMO = Array.isArray(self.UPGRADE_GATE_DEMO) ? self.UPGRADE_GATE_DEMO : [];
    const variants = $('#demo-variants');
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
    enableDemo();
  }

  /** The demo buttons work once both the demo cases and the module are there. */
  function enableDemo() {
    const ready = !!api && DEMO.length > 0;
    $('#load-demo').disabled = !ready;
    for (const b of document.querySelectorAll('#demo-variants button')) b.disabled = !ready;
  }

  function demoFromUrl() {
    const m = /^#demo(?:=([\w.-]+))?$/.exec(location.hash);
    if (m) return m[1] || (DEMO[0] && DEMO[0].name);
    // `npm start` serves on the loopback address: open on the demo there.
    const local = location.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname);
    return local && !location.hash && !/nodemo/.test(location.search) && DEMO[0] ? DEMO[0].name : null;
  }

  // ---- start -----------------------------------------------------------------------
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
      demoData.then(() => {
        enableDemo();
        const demo = demoFromUrl();
        if (demo) loadCase(demo);
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
