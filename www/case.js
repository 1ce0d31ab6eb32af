// The case on the page: what each slot holds (the four documents as text in
// their boxes and the witness; the package, rollback package and evidence as
// files), the evaluation time, the block hash the user trusts, and where each came from: a file, a dropped case, the
// demo, typed, edited or signed here. The verdict is a function of exactly
// these, and lists them under "Computed from". A new case replaces the old
// one whole (`emptyCase`, `leaveOtherCases`), so that nothing of an earlier
// case reaches the verdict.
/* global Render, UpgradeGate */
'use strict';

(function () {
  const { el, clear, hexGroups, formatBytes } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);
  const TEXT_SLOTS = ['manifest', 'release', 'approvals', 'policy', 'witness'];
  const BIN_SLOTS = ['package', 'rollback', 'evidence'];

  // What the page does when the case changes, given by main.js (`attach`):
  // invalidate() the verdict on screen, releaseChanged() re-reads the release
  // box, stopRun() abandons a verification under way, leaveDemo() says the case
  // is no longer the demo's, flash(message, level) tells the user.
  let hooks = { invalidate() {}, releaseChanged() {}, stopRun() {}, leaveDemo() {}, flash() {}, caseGone() {} };

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
    witness: 'Witness',
    now: 'Evaluation time',
  };
  const sources = Object.fromEntries(SLOTS.map((s) => [s, null]));

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
    hooks.leaveDemo();
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
      witness: 'not given: effects come from the proposer’s simulation, not re-executed here',
      now: 'this browser’s clock at the moment of verification',
    };
    const filled = name === 'now' ? $('#now').value.trim() : TEXT_SLOTS.includes(name) ? $(`#${name}`).value.trim() : bins[name];
    const text = !filled ? empty[name] || 'not given' : src ? sourceText(src) : 'typed or pasted here';
    return el('li', { 'data-source-of': name, 'data-source-kind': filled ? (src ? src.kind : 'typed') : 'none' }, el('strong', { text: `${SLOT_TITLE[name]}: ` }), name === 'now' && filled ? `${$('#now').value.trim()} — ` : '', text);
  }

  // ---- filling and emptying the slots ------------------------------------------
  function slotEl(name) {
    return $(`.slot[data-slot="${name}"]`);
  }

  function setText(name, text, source) {
    hooks.invalidate();
    $(`#${name}`).value = text;
    setSource(name, text ? source || { kind: 'typed' } : null);
    if (name === 'release') hooks.releaseChanged();
    if (name === 'witness') showWitnessClaims();
  }

  function setNow(value, source) {
    hooks.invalidate();
    $('#now').value = value;
    setSource('now', value ? source || { kind: 'typed' } : null);
  }

  function setBin(name, value, source) {
    hooks.invalidate();
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
    hooks.stopRun();
    for (const n of TEXT_SLOTS) setText(n, '', null);
    for (const n of BIN_SLOTS) setBin(n, null);
    setNow('', null);
    for (const id of ['#safe-chain-id', '#safe-version', '#safe-address', '#safe-nonce']) $(id).value = '';
    // The hash was typed for the previous case's witness: it goes with it.
    setTrusted('');
    hooks.caseGone();
  }

  /**
   * A manifest that is not the demo's (or not this case folder's) starts the
   * user's own case: whatever the demo or another dropped case put in the other
   * slots goes, so that no file the user did not give for this case (a policy,
   * the demo's evaluation time, its evidence) can change the verdict. Files the
   * user opened one by one stay: they are shown, with their names.
   */
  function leaveOtherCases(keep) {
    hooks.leaveDemo();
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
    if (cleared.includes('witness') && trustedHash()) {
      setTrusted('');
      cleared.push('the block hash you typed for its witness');
    }
    if (cleared.length) hooks.flash(`A new manifest starts a new case: cleared what the previous case gave (${cleared.join(', ')}).`, 'info');
  }

  /** A package, rollback or evidence slot's hashes, shown in its box once computed. */
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

  /** The trusted hash in the "Computed from" list: always typed here (SPEC §9.2). */
  function trustLine() {
    const hash = trustedHash();
    return el(
      'li',
      { 'data-source-of': 'trustedBlockHash', 'data-source-kind': hash ? 'typed' : 'none' },
      el('strong', { text: 'Block hash you trust: ' }),
      hash ? [el('code', { class: 'wrap', text: hash }), ' — typed here'] : 'not given',
    );
  }

  /** What the verdict was computed from: each slot and where its content came from. */
  function sourcesView() {
    return el('details', { class: 'sources', 'data-sources': '' }, el('summary', { text: 'Computed from' }), el('ul', {}, SLOTS.map(sourceLine), trustLine()));
  }

  // ---- the witness and the block hash the user trusts (SPEC §9.1, §9.2) ---------
  // What the witness claims is shown beside the field, for the user to compare
  // with a hash read from their own source; the field is never filled from the
  // witness, the manifest or the case folder.
  const EXPLORERS = {
    1: ['https://etherscan.io/block/', 'https://eth.blockscout.com/block/'],
    11155111: ['https://sepolia.etherscan.io/block/', 'https://eth-sepolia.blockscout.com/block/'],
    560048: ['https://hoodi.etherscan.io/block/', 'https://eth-hoodi.blockscout.com/block/'],
  };

  /** The typed hash, trimmed; '' when none. */
  function trustedHash() {
    return $('#trusted-block-hash').value.trim();
  }

  function setTrusted(value) {
    hooks.invalidate();
    $('#trusted-block-hash').value = value;
    trustNeeded(false);
    showWitnessClaims();
  }

  /** The verdict points at the field (a witness and no hash: HOLD), or no longer. */
  function trustNeeded(on) {
    $('#trust').classList.toggle('needed', !!on);
    $('#trust').toggleAttribute('data-needed', !!on);
  }

  /** "3 days before the evaluation time": how old the block's state is. */
  function age(timestamp) {
    const given = $('#now').value.trim();
    const at = given ? Date.parse(given) : Date.now();
    if (!isFinite(at)) return '';
    const s = Math.round(at / 1000 - timestamp);
    const span = Math.abs(s) < 90 ? `${Math.abs(s)} s` : Math.abs(s) < 5400 ? `${Math.round(Math.abs(s) / 60)} min` : Math.abs(s) < 172800 ? `${(Math.abs(s) / 3600).toFixed(1)} h` : `${Math.round(Math.abs(s) / 86400)} days`;
    return `${span} ${s >= 0 ? 'before' : 'after'} ${given ? 'the evaluation time' : 'now'}`;
  }

  function whereToRead(w) {
    const n = String(w.blockNumber);
    const explorers = EXPLORERS[w.chainId];
    return el(
      'div',
      { 'data-trust-where': '' },
      'Read the hash of block ',
      el('strong', { text: n }),
      ' yourself: on your own node ',
      el('code', { class: 'wrap', 'data-cast-block': '', text: `cast block ${n} --field hash --rpc-url <your node>` }),
      explorers
        ? [', or on two explorers: ', explorers.map((u, i) => [i ? ' and ' : '', el('a', { href: `${u}${n}`, target: '_blank', rel: 'noopener noreferrer', text: `${new URL(u).host}/block/${n}` })])]
        : w.chainId === 31337
          ? ' (chain 31337 is a local anvil chain: only your node knows it)'
          : `, or on an explorer of chain ${w.chainId} you trust (open block ${n}, copy its hash)`,
      '. Not from the witness, the case folder or the proposer.',
    );
  }

  function compareRow(label, value, attrs) {
    return el('div', { class: 'kv', ...attrs }, el('div', { class: 'k', text: label }), el('div', { class: 'v' }, value ? hexGroups(value) : el('span', { class: 'muted', text: 'not typed yet' })));
  }

  let claimsRun = 0;
  /** What the witness claims (the core's `witnessSummary`), beside the field. */
  async function showWitnessClaims() {
    const run = ++claimsRun;
    const text = $('#witness').value;
    const box = $('#witness-claims');
    const where = $('#trust-where');
    const compare = $('#trust-compare');
    delete box.dataset.block;
    if (!text.trim()) {
      box.hidden = true;
      compare.hidden = true;
      clear(box);
      clear(where).appendChild(el('span', { class: 'muted', text: 'With a witness, this page proves its state only against a block hash you read yourself: without one, the verdict holds.' }));
      return;
    }
    let w = null;
    let error = null;
    try {
      w = (await UpgradeGate.full()).witnessSummary(text);
    } catch (e) {
      error = e;
    }
    if (run !== claimsRun) return;
    box.hidden = false;
    clear(box);
    if (error) {
      const at = error.line ? ` (line ${error.line}, column ${error.column})` : '';
      box.appendChild(el('p', { class: 'bad wrap', 'data-witness-error': error.field || '', text: `The witness cannot be read${at}: ${error.message}` }));
      compare.hidden = true;
      clear(where).appendChild(el('span', { class: 'muted', text: 'Fix the witness first: its block number says which hash to read.' }));
      return;
    }
    box.dataset.block = String(w.blockNumber);
    box.append(
      el(
        'p',
        { class: 'witness-block' },
        el('strong', { text: `Block ${w.blockNumber}` }),
        ` of chain ${w.chainId} · `,
        el('span', { 'data-block-time': '', text: w.time || `${w.timestamp} s` }),
        el('span', { class: 'muted', 'data-block-age': '', text: ` (${age(w.timestamp)}; an old block shows old state)` }),
      ),
      el('p', { class: 'muted witness-counts', text: `${w.accounts} account proof${w.accounts === 1 ? '' : 's'}, ${w.storageProofs} storage proof${w.storageProofs === 1 ? '' : 's'}, ${w.codes} code${w.codes === 1 ? '' : 's'}, ${w.ancestors} ancestor header${w.ancestors === 1 ? '' : 's'}. Reading them proves nothing yet: Verify checks each against the hash you trust.` }),
    );
    clear(where).appendChild(whereToRead(w));
    compare.hidden = false;
    clear(compare).append(
      el('p', { class: 'sub', text: 'Compare them digit by digit:' }),
      compareRow(`Block ${w.blockNumber} — the hash the witness claims`, w.claimedBlockHash, { 'data-claimed-hash': w.claimedBlockHash }),
      compareRow('The hash you trust (typed above)', trustedHash(), { 'data-typed-hash': trustedHash() }),
    );
    markDifferences(compare);
  }

  /**
   * Marks the groups of four digits where the typed hash differs from the
   * claimed one (trial: a one-digit typo is hard to spot). It marks only
   * differences: two equal hashes prove nothing unless yours came from your node.
   */
  function markDifferences(compare) {
    const groups = (attr) => [...compare.querySelectorAll(`[${attr}] .g`)];
    const claimed = groups('data-claimed-hash');
    const typed = groups('data-typed-hash');
    if (!typed.length) return;
    let differing = 0;
    typed.forEach((g, i) => {
      if (claimed[i] && g.textContent.toLowerCase() === claimed[i].textContent.toLowerCase()) return;
      g.classList.add('differs');
      if (claimed[i]) claimed[i].classList.add('differs');
      differing += 1;
    });
    if (differing || claimed.length !== typed.length) {
      compare.appendChild(el('p', { class: 'bad', 'data-hash-differs': String(differing), text: claimed.length !== typed.length ? 'They differ in length: check what you typed.' : `They differ in ${differing} group${differing === 1 ? '' : 's'} of four (marked): check what you typed, or the block.` }));
    }
  }

  /** main.js's hooks: see `hooks` above. */
  function attach(h) {
    hooks = { ...hooks, ...h };
  }

  self.CaseState = { TEXT_SLOTS, BIN_SLOTS, bins, attach, slotEl, setSource, typedInto, setText, setNow, setBin, emptyCase, leaveOtherCases, showBinHash, sourcesView, trustedHash, setTrusted, trustNeeded, showWitnessClaims };
})();
