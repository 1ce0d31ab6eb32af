// Files in: what is opened with a box's "File…" or "Folder…", dropped on a
// box, or dropped on the page, and which slot it goes to. A box takes what is
// dropped on it; on the page, JSON goes where its "schema" says (a Safe
// transaction or Transaction Builder batch to the release), anything else by
// its usual name, and a case (a folder with a manifest at its top, or loose
// files one of which is a manifest) replaces the whole case.
/* global Render, CaseState, SafeRelease */
'use strict';

(function () {
  const { TEXT_SLOTS, setText, setBin, emptyCase, leaveOtherCases } = CaseState;

  // Given by main.js (`attach`): markDemo(null) says the case is not the
  // demo's, flash(message) tells the user what was not placed.
  let hooks = { markDemo() {}, flash() {} };

  // ---- reading what was dropped or picked -------------------------------------------
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
    // Read now: after the first await the drop's DataTransfer is emptied.
    const files = Array.from(dt.files || []);
    const items = Array.from(dt.items || []).filter((i) => i.kind === 'file');
    const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    // Asked for now too (only during the drop event): Chromium's other way in
    // to a dropped folder, for when the entries cannot be read (file://).
    const handles = items.map((i) => (i.getAsFileSystemHandle ? i.getAsFileSystemHandle().catch(() => null) : null));
    if (entries.length && entries.every(Boolean)) {
      try {
        for (const entry of entries) out.push(await Render.readDropEntry(entry));
        return out;
      } catch (e) {
        // Chromium refuses to read dropped entries on a page opened from
        // file:// ("A URI supplied to the API was malformed"): loose files
        // still come through `files`, a folder through its handle (issue 21).
        if (!entries.some((x) => x.isDirectory)) return files.map((file) => ({ kind: 'file', file }));
        const read = await readHandles(handles).catch(() => null);
        if (read) return read;
        throw new Error(
          `This browser does not let a page opened from a file (file://) read a dropped folder. Use “Open a case folder…” above (or drop the folder’s files themselves), or open the page over http (npm start).`,
        );
      }
    }
    return files.map((file) => ({ kind: 'file', file }));
  }

  /** Dropped items read through their FileSystemHandles, in the shape of Render.readDropEntry; null when one has none. */
  async function readHandles(handles) {
    const got = await Promise.all(handles);
    if (!got.length || !got.every(Boolean)) return null;
    const out = [];
    for (const h of got) {
      if (h.kind === 'file') {
        out.push({ kind: 'file', file: await h.getFile() });
        continue;
      }
      const entries = [];
      const walk = async (dir, prefix) => {
        for await (const child of dir.values()) {
          if (child.kind === 'directory') await walk(child, `${prefix}${child.name}/`);
          else entries.push({ path: `${prefix}${child.name}`, file: await child.getFile() });
        }
      };
      await walk(h, '');
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      out.push({ kind: 'folder', name: h.name, entries });
    }
    return out;
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

  // ---- where it goes ------------------------------------------------------------------
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
  const SCHEMA_SLOT = /^upgrade-gate\/(manifest|release|approvals|policy|witness)\/v[0-9]+$/;
  const ROUTES = [
    [/^manifest.*\.json$/i, 'manifest'],
    [/^release.*\.json$/i, 'release'],
    [/^approvals?.*\.json$/i, 'approvals'],
    [/^policy.*\.json$/i, 'policy'],
    [/^witness.*\.json$/i, 'witness'],
    [/^rollback/i, 'rollback'],
    [/^(evidence|simulation)/i, 'evidence'],
    [/^package/i, 'package'],
  ];
  const IGNORED = /^(README|expected\.json$|\.)/i;
  // SPEC §9.2: the block hash comes from the user's own source, never from the case.
  const NOT_TRUSTED = /^block-hash/i;

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
        const shape = SafeRelease.releaseShape(JSON.stringify(v));
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
    const untrusted = [];
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
            else if (NOT_TRUSTED.test(e.path)) untrusted.push(`${item.name}/${e.path}`);
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
      else if (NOT_TRUSTED.test(name)) untrusted.push(name);
      else if (!IGNORED.test(name)) unknown.push(name);
    }
    const looseCase = placed.some(([slot, , src]) => slot === 'manifest' && src.kind === 'file');
    if (isCase || looseCase) {
      emptyCase();
      hooks.markDemo(null);
      for (const p of placed) if (p[2].kind === 'file') p[2] = { kind: 'case', folder: null, name: p[2].name };
    }
    for (const [slot, item, src] of placed) await acceptInto(slot, item, src);
    if (missingManifest.length) {
      hooks.flash(`Not placed: ${missingManifest.join(', ')} has no manifest at its top (manifest.json, or JSON whose "schema" is upgrade-gate/manifest/v1), so it is not a case folder and nothing of it was used — add the manifest, or drop its files on their boxes. The page still shows the previous inputs.`);
    }
    if (untrusted.length) {
      hooks.flash(`Not used: ${untrusted.join(', ')} — the block hash you trust must come from your own node or an explorer, not from the case folder: type it in the “Block hash you trust” field.`, 'info');
    }
    if (unknown.length) hooks.flash(`Not placed (not a document of the gate, and not a usual name): ${unknown.join(', ')} — drop them on their box instead.`);
  }

  /** main.js's hooks: see `hooks` above. */
  function attach(h) {
    hooks = { ...hooks, ...h };
  }

  self.Drops = { attach, droppedItems, folderFromPicker, acceptInto, routeItems };
})();
