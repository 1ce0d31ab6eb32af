// The signer view (`#signer`, issue 21): a Safe transaction checked with no
// manifest, for a multisig signer holding only what the Safe UI or the Safe
// Transaction Service shows. The core's `signerView` computes everything —
// the three hashes a hardware wallet shows, the claimed hash compared
// (`match` / `mismatch` / `unclaimed`), the call decoded and classified
// (SPEC §3, MultiSend batches listed) and every delegatecall outside Safe's
// MultiSend deployments named as a danger; this script only builds the text
// from the fields and shows the answer.
// Hooks: `#signer`, `[data-input="safe-tx"]`, `[data-safe-hash=match|mismatch|unclaimed]`,
// `[data-call-class]` on each decoded call, `[data-danger]` on a warning.
/* global Render, UpgradeGate, Verdict */
'use strict';

(function () {
  const { el, clear, hexGroups } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);
  let api = null;
  let timer = 0;

  /** The fields typed one by one, as the JSON a Transaction Service record would hold (text, never re-serialised numbers). */
  function fromFields() {
    const parts = [];
    for (const input of document.querySelectorAll('#signer-fields [data-field]')) {
      const v = input.value.trim();
      if (!v) continue;
      const k = input.dataset.field;
      parts.push(`${JSON.stringify(k)}: ${k === 'operation' ? v : JSON.stringify(v)}`);
    }
    return `{${parts.join(', ')}}`;
  }

  function fields() {
    return { chainId: $('#signer-chain-id').value, safeVersion: $('#signer-version').value, safe: $('#signer-safe').value };
  }

  function hashCheck(v) {
    if (v.hashCheck === 'mismatch') {
      return el(
        'div',
        { class: 'hash-check mismatch', role: 'alert', 'data-safe-hash': 'mismatch' },
        el('div', { class: 'word', text: 'MISMATCH — do not sign' }),
        el('p', {}, 'The transaction claims safeTxHash ', hexGroups(v.claimed), ', but its fields hash to ', hexGroups(v.hashes.safeTxHash), '. What you would sign is not what was shown to you.'),
      );
    }
    if (v.hashCheck === 'match') {
      return el('div', { class: 'hash-check match', 'data-safe-hash': 'match' }, '✓ The claimed safeTxHash ', hexGroups(v.claimed), ' is what these fields hash to. Compare all three hashes below with your wallet.');
    }
    return el('div', { class: 'hash-check unclaimed', 'data-safe-hash': 'unclaimed' }, 'No hash was claimed: compare the safeTxHash below with what the Safe UI and your wallet show.');
  }

  function show(v) {
    const out = clear($('#signer-out'));
    out.appendChild(
      el('p', { class: 'signer-head' }, `Safe ${v.safe} (version ${v.safeVersion}) on chain ${v.chainId}, nonce ${v.nonce}: `, el('strong', { text: v.operation }), ' to ', hexGroups(v.to), v.value !== '0' ? ` with ${v.value} wei` : ''),
    );
    out.appendChild(hashCheck(v));
    for (const w of v.warnings) out.appendChild(el('p', { class: 'danger-line', role: 'alert', 'data-danger': w.danger, 'data-source': w.source }, el('strong', { text: `⚠ ${w.source}: ` }), w.message));
    if (v.defaulted.length) {
      out.appendChild(
        el('p', { class: 'defaulted warn-line', 'data-defaulted': v.defaulted.join(' ') }, `Not given, so hashed as zero: ${v.defaulted.join(', ')} (what the Safe UI proposes for a transaction that refunds no gas). If your wallet shows other values for them, enter those: they change the hash.`),
      );
    }
    // Under a mismatch nothing is offered to compare and sign (as under a REJECT on the verifier page).
    const hashes = Render.safeHashes(v.hashes, null);
    out.appendChild(v.hashCheck === 'mismatch' ? el('details', { class: 'rejected-hashes' }, el('summary', { text: 'Its hashes, to recognise it (not to sign)' }), hashes) : hashes);
    out.appendChild(el('h3', { text: 'What it does (decoded and classified by the core, SPEC §3)' }));
    out.appendChild(Render.actionView({ source: 'safeTx', operation: v.operation, to: v.to, value: v.value, call: v.call }));
  }

  function update() {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  }

  function run() {
    const out = $('#signer-out');
    const text = $('#signer-tx').value;
    if (!text.trim()) {
      clear(out).appendChild(el('p', { class: 'muted', text: 'Paste a transaction to see its hashes.' }));
      return;
    }
    if (!api) {
      clear(out).appendChild(el('p', { class: 'muted', text: 'The verifier is starting…' }));
      return;
    }
    try {
      show(api.signerView(text, fields()));
    } catch (e) {
      clear(out).appendChild(el('p', { class: 'error-line', 'data-signer-error': e.field || '' }, `Cannot check this transaction: ${Verdict.pageWording(e)}`));
    }
  }

  /** `#signer` shows this view; anything else the verifier. */
  function route() {
    const signer = location.hash === '#signer';
    document.body.dataset.view = signer ? 'signer' : 'verify';
    $('#signer').hidden = !signer;
    for (const a of document.querySelectorAll('[data-view-link]')) {
      if (a.dataset.viewLink === (signer ? 'signer' : 'verify')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function wire() {
    $('#signer-tx').addEventListener('input', update);
    for (const id of ['#signer-chain-id', '#signer-safe', '#signer-version']) $(id).addEventListener('input', update);
    for (const f of document.querySelectorAll('#signer-fields [data-field]')) {
      f.addEventListener('input', () => {
        $('#signer-tx').value = fromFields();
        update();
      });
    }
    $('#view-verify').addEventListener('click', (e) => {
      // Back to the verifier without a `#` that a reload would keep.
      e.preventDefault();
      history.pushState(null, '', location.pathname + location.search);
      route();
    });
    self.addEventListener('hashchange', route);
    self.addEventListener('popstate', route);
    route();
    UpgradeGate.ready.then(() => {
      api = UpgradeGate.api();
      run();
    }, () => {});
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire, { once: true });
  else wire();

  self.Signer = { run };
})();
