// DOM helpers and the report view. Everything from data goes in through
// textContent or attributes set one by one: no markup is ever parsed from data.
'use strict';

(function () {
  /** el('div', { class: 'x', title: 't' }, child, 'text', …) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c == null || c === false) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /**
   * A hash laid out as hardware wallets show it: the prefix, then groups of
   * four hex digits. The groups are separate spans with no text between them,
   * so selecting and copying gives back the exact hash.
   */
  function hexGroups(value, opts = {}) {
    const text = String(value ?? '');
    const m = /^(sha256:|0x)?([0-9a-fA-F]+)$/.exec(text);
    const box = el('span', { class: `hash${opts.big ? ' big' : ''}`, 'data-hash': text, title: text });
    if (!m) return append(box, [text]);
    if (m[1]) box.appendChild(el('span', { class: 'prefix', text: m[1] }));
    const hex = m[2];
    for (let i = 0; i < hex.length; i += 4) {
      box.appendChild(el('span', { class: 'g', text: hex.slice(i, i + 4) }));
    }
    return box;
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
  }

  function formatDuration(s) {
    if (!isFinite(s)) return '…';
    if (s < 1) return '< 1 s';
    if (s < 90) return `${Math.round(s)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    return `${(s / 3600).toFixed(1)} h`;
  }

  const DECISION_TEXT = {
    release: { word: 'RELEASE', lead: 'Nothing failed and nothing is pending: what will run is what was reviewed and approved. What was not checked is named below.' },
    hold: { word: 'HOLD', lead: 'Nothing failed, but something is still missing. Do not execute yet.' },
    reject: { word: 'REJECT', lead: 'Do not sign or execute. A check failed: each reason is below.' },
  };
  // A REJECT's lead names the kind of failure only when the failing checks say it (trial, issue 24):
  // a witness that proves nothing against the typed hash is not a release that differs from the approved one.
  const DIFFERS = ['release.digest', 'package.hash', 'package.files', 'actions.match', 'targets.set', 'simulation.effects', 'implementation.code', 'safe.tx', 'simulation.replay', 'rollback.package'];
  function rejectLead(failing) {
    const ids = failing.map((c) => c.id);
    if (ids.includes('state.proof')) return 'Do not sign or execute. The witness does not prove its state against the block hash you gave (a mistyped hash, another block, a block too old, or a forged witness): nothing it says was used. Check the hash with your own node, or ask for a newer witness.';
    if (ids.some((id) => DIFFERS.includes(id))) return 'Do not sign or execute. What would run is not what was approved.';
    return DECISION_TEXT.reject.lead;
  }

  /**
   * The headline as the CLI's text and markdown print it, from the core
   * (`verdictLine`): what passed, failed, is pending, and every skipped check
   * with why. Null when the module has no such export (never guessed here).
   */
  function verdictLine(report) {
    try {
      const api = self.UpgradeGate && UpgradeGate.api();
      return api && typeof api.verdictLine === 'function' ? api.verdictLine(report) : null;
    } catch {
      return null;
    }
  }

  /**
   * The large verdict: the decision word and, under it, why. `demo`: the
   * demo case's name, flagged inside the banner itself ("DEMO — not your files").
   */
  function banner(report, { demo = null, clock = false } = {}) {
    const d = DECISION_TEXT[report.decision] || { word: String(report.decision).toUpperCase(), lead: '' };
    const failing = report.checks.filter((c) => c.status === 'fail');
    const pending = report.checks.filter((c) => c.status === 'pending');
    const reasons = report.decision === 'reject' ? failing : report.decision === 'hold' ? pending : [];
    const line = verdictLine(report);
    return el(
      'div',
      { class: `banner ${report.decision}`, role: 'status', 'data-decision': report.decision, 'data-demo': demo ? demo : null },
      demo ? el('div', { class: 'demo-flag demo-tag', 'data-demo-flag': '', text: `DEMO — not your files (demo case “${demo}”)` }) : null,
      el('div', { class: 'word', text: d.word }),
      el('p', { class: 'lead', 'data-lead': '', text: report.decision === 'reject' ? rejectLead(failing) : d.lead }),
      reasons.length
        ? el(
            'ul',
            { class: 'reasons' },
            reasons.map((c) => el('li', {}, el('code', { text: c.id }), ' ', el('span', { text: c.detail }))),
          )
        : null,
      line ? el('p', { class: 'summary', 'data-summary': '', text: line }) : null,
      el(
        'p',
        { class: 'when', 'data-evaluated-at': report.evaluatedAt },
        `Evaluated at ${report.evaluatedAt}`,
        clock ? ' — this browser’s clock (no evaluation time was given); to reproduce it with the CLI: ' : ' — the evaluation time given; with the CLI: ',
        el('code', { 'data-now-arg': '', text: `--now ${report.evaluatedAt}` }),
      ),
    );
  }

  function errorBanner(title, message) {
    return el(
      'div',
      { class: 'banner error', role: 'alert', 'data-decision': 'error' },
      el('div', { class: 'word', text: 'NO VERDICT' }),
      el('p', { class: 'lead', text: title }),
      el('pre', { class: 'errmsg', text: message }),
    );
  }

  /** The headline of the seed format, in the order people read it. */
  function headline(report) {
    return {
      decision: report.decision,
      packageHash: report.packageHash,
      targetProxy: report.targetProxy,
      lane: report.lane,
      rollbackReady: report.rollbackReady,
    };
  }

  const STATUS_MARK = { pass: '✓', fail: '✗', pending: '…', skip: '–' };

  function checksTable(checks) {
    return el(
      'table',
      { class: 'checks' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Status' }), el('th', { text: 'Check' }), el('th', { text: 'Detail' }))),
      el(
        'tbody',
        {},
        checks.map((c) =>
          el(
            'tr',
            { class: c.status, 'data-check': c.id, 'data-status': c.status },
            el('td', {}, el('span', { class: `pill ${c.status}`, text: `${STATUS_MARK[c.status] || ''} ${c.status}` })),
            el('td', {}, el('code', { text: c.id })),
            el('td', { class: 'detail', text: c.detail }),
          ),
        ),
      ),
    );
  }

  function classBadge(cls) {
    return el('span', { class: `badge ${cls}`, text: cls });
  }

  /** The raw argument words of a call the gate does not decode, typed where a well-known signature says. */
  function wordsView(call, open = true) {
    const m = /^[^(]*\(([^)]*)\)/.exec(call.knownAs || '');
    const types = m && m[1] ? m[1].split(',') : [];
    return el(
      'details',
      { class: 'words', 'data-words': '', open },
      el('summary', { text: `Its arguments as sent: ${call.words.length} word${call.words.length === 1 ? '' : 's'} of 32 bytes` }),
      el(
        'ol',
        { start: '0' },
        call.words.map((w, i) => el('li', {}, types[i] && !/\[\]|^bytes$|^string$/.test(types[i]) ? el('small', { class: 'muted', text: `${types[i]} ` }) : null, hexGroups(w))),
      ),
    );
  }

  /** A call the gate does not know, decoded from the package artifact's ABI: named, its class unchanged. */
  function fromAbiView(call) {
    const f = call.fromAbi;
    return el(
      'div',
      { class: 'from-abi', 'data-from-abi': f.function },
      el('p', { class: 'known-as' }, 'Decoded with the ABI of the package’s ', el('code', { class: 'wrap', text: f.artifact }), ` (selector ${call.selector}); the gate itself does not decode this function: its class (${call.class}) is the gate’s, not the ABI’s.`),
      f.arguments.length
        ? el(
            'dl',
            { class: 'args' },
            f.arguments.map((a) => [
              el('dt', {}, el('span', { text: a.name || '(unnamed)' }), ' ', el('small', { text: a.type })),
              el('dd', { 'data-arg': a.name }, a.type === 'address' ? hexGroups(a.value) : el('code', { class: 'wrap', text: a.value })),
            ]),
          )
        : null,
    );
  }

  function callView(call) {
    if (!call) return null;
    return el(
      'div',
      { class: 'call', 'data-call-class': call.class },
      el(
        'div',
        { class: 'fn' },
        classBadge(call.class),
        ' ',
        el('code', { text: call.function || (call.fromAbi ? call.fromAbi.function : call.selector ? `unknown function ${call.selector}` : 'no calldata (plain transfer)') }),
      ),
      call.fromAbi ? fromAbiView(call) : null,
      call.arguments && call.arguments.length
        ? el(
            'dl',
            { class: 'args' },
            call.arguments.map((a) => [
              el('dt', {}, el('span', { text: a.name }), ' ', el('small', { text: a.type })),
              el('dd', {}, a.type === 'address' || /^0x[0-9a-f]{64}$/i.test(a.value) ? hexGroups(a.value) : el('code', { class: 'wrap', text: a.value })),
            ]),
          )
        : null,
      call.knownAs ? el('p', { class: 'known-as', 'data-known-as': '' }, 'Looks like ', el('code', { text: call.knownAs }), ` — not decoded by the gate, so it stays ${call.class}.`) : null,
      call.words && call.words.length ? wordsView(call, !call.fromAbi) : null,
      call.inner ? el('div', { class: 'inner' }, el('div', { class: 'sub', text: 'then, inside the proxy:' }), callView(call.inner)) : null,
      call.batch ? el('ol', { class: 'batch' }, call.batch.map((a) => el('li', {}, actionView(a)))) : null,
    );
  }

  function actionView(a) {
    return el(
      'div',
      { class: `action ${a.call ? a.call.class : ''}`, 'data-class': a.call ? a.call.class : '' },
      el(
        'div',
        { class: 'head' },
        el('span', { class: 'src', text: a.source }),
        el('span', { class: `op ${a.operation}`, text: a.operation }),
        el('span', { text: ' to ' }),
        hexGroups(a.to),
        a.value && a.value !== '0' ? el('span', { class: 'value', text: ` value ${a.value} wei` }) : null,
      ),
      callView(a.call),
    );
  }

  /**
   * The three values a hardware wallet shows for a Safe transaction, in its
   * order. `claimed`: the hash the transaction claims; one that is not the
   * recomputed hash is a red MISMATCH naming both, above the hashes.
   */
  function safeHashes(h, claimed) {
    const row = (label, value, note) =>
      el('div', { class: 'hw-row' }, el('div', { class: 'hw-label', text: label }), hexGroups(value, { big: true }), note ? el('div', { class: 'hw-note' }, note) : null);
    const differs = claimed && String(claimed).toLowerCase() !== String(h.safeTxHash).toLowerCase();
    return el(
      'div',
      { class: 'hw', 'data-safe-hashes': '', 'data-safe-hash': claimed ? (differs ? 'mismatch' : 'match') : 'unclaimed' },
      differs
        ? el(
            'div',
            { class: 'hash-check mismatch', role: 'alert' },
            el('div', { class: 'word', text: 'MISMATCH — do not sign' }),
            el('p', {}, 'The transaction claims safeTxHash ', hexGroups(claimed), ', but its fields hash to ', hexGroups(h.safeTxHash), '.'),
          )
        : null,
      row('Domain hash', h.domainHash, 'a hardware wallet shows this first (the EIP-712 domain: chain and Safe)'),
      row('Message hash', h.messageHash, 'then this (the SafeTx fields)'),
      row('safeTxHash', h.safeTxHash, claimed ? el('span', { class: 'claimed' }, differs ? 'recomputed here; the transaction claims ' : 'recomputed here; the transaction claims the same ', hexGroups(claimed)) : 'what the Safe UI shows and owners sign'),
    );
  }

  /** The core's safe.tx check under the hashes, in the check's own words. */
  function safeVerdict(check) {
    if (!check || check.status === 'skip') return null;
    const ok = check.status === 'pass';
    return el('p', { class: `safe-verdict ${ok ? 'ok' : 'bad'}`, 'data-safe-check': check.status }, el('strong', { text: ok ? '✓ safe.tx passes: ' : `✗ safe.tx ${check.status}: ` }), check.detail);
  }

  /**
   * Which SHA-256 hashed the supplied files: { native: n, wasm: m } from the
   * pool. Small files go to the browser's own (faster here), the rest stream
   * through the wasm module; both give the same digest, and the page says which.
   */
  function hashedBy(engines) {
    const native = engines.native || 0;
    const wasm = engines.wasm || 0;
    const BROWSER = "the browser's own SHA-256 (crypto.subtle)";
    const MODULE = "upgrade-gate's wasm SHA-256, streamed";
    const files = (n) => `${n} file${n === 1 ? '' : 's'}`;
    let text;
    if (native && wasm) text = `Hashed by ${BROWSER} for ${files(native)} up to 32 MiB, by ${MODULE} for ${files(wasm)}.`;
    else if (native) text = `Hashed by ${BROWSER}.`;
    else text = `Hashed by ${MODULE}.`;
    return el('p', { class: 'hashed-by muted', 'data-engine': native && wasm ? 'mixed' : native ? 'native' : 'wasm', text });
  }

  /**
   * A dropped file or folder (a FileSystemEntry from webkitGetAsEntry):
   * `{ kind: 'file', file }` or `{ kind: 'folder', name, entries: [{ path, file }] }`.
   */
  async function readDropEntry(entry) {
    if (entry.isFile) return { kind: 'file', file: await new Promise((res, rej) => entry.file(res, rej)) };
    const entries = [];
    async function walk(dir, prefix) {
      const reader = dir.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) {
          if (e.isDirectory) await walk(e, `${prefix}${e.name}/`);
          else entries.push({ path: `${prefix}${e.name}`, file: await new Promise((res, rej) => e.file(res, rej)) });
        }
      }
    }
    await walk(entry, '');
    return { kind: 'folder', name: entry.name, entries };
  }

  /** Copies text to the clipboard (the API where the page may use it, else the old way). */
  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text).catch(() => legacyCopy(text));
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

  self.Render = { el, append, clear, hexGroups, formatBytes, formatDuration, banner, verdictLine, errorBanner, headline, checksTable, actionView, safeHashes, safeVerdict, classBadge, hashedBy, readDropEntry, copyText };
})();
