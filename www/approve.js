// The Approve panel (issue 13): after Verify, an approver signs the exact text
// `upgrade-gate:approve:sha256:…` of the digest just verified with a wallet
// found through EIP-6963 (or window.ethereum), or pastes a signature made
// elsewhere; the core recovers the signer and merges the entry (SPEC §2.3).
// Conversions and display only: who may sign and how the document is merged
// are the core's `addApproval`, the same code as `upgrade-gate approvals add`.
// The page asks a wallet for two things only: its accounts, and a
// `personal_sign` of that text. Wallets talk through the injected provider:
// nothing here opens a connection (the CSP keeps `connect-src 'none'`).
/* global Render, UpgradeGate */
'use strict';

(function () {
  const { el, clear } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---- state ------------------------------------------------------------------
  // What was just verified: { manifest, approvals, policy, digest, message },
  // captured by offer(); null when no verdict allows signing.
  let offered = null;
  let enabled = false;
  // The last outcome shown, kept across the re-Verify that a merge triggers
  // while the manifest's digest stays the same.
  let shown = null; // { digest }
  let hooks = { putApprovals: null };
  let downloadUrl = null;
  let merging = false;

  // ---- wallets: EIP-6963, window.ethereum as fallback ---------------------------
  const wallets = new Map(); // uuid → { info: { uuid, name, icon, rdns }, provider }

  self.addEventListener('eip6963:announceProvider', (e) => {
    const d = e.detail;
    if (!d || !d.info || !d.provider || typeof d.provider.request !== 'function') return;
    const uuid = String(d.info.uuid || d.info.rdns || d.info.name || wallets.size);
    wallets.set(uuid, { info: { ...d.info, uuid }, provider: d.provider });
    if (offered) showWallets();
  });
  self.dispatchEvent(new Event('eip6963:requestProvider'));

  /** The wallets to offer: every announced one; else the legacy injected provider. */
  function walletList() {
    const list = [...wallets.values()];
    if (!list.length && self.ethereum && typeof self.ethereum.request === 'function') {
      list.push({ info: { uuid: 'window.ethereum', name: 'Browser wallet (window.ethereum)', icon: '' }, provider: self.ethereum });
    }
    return list;
  }

  /** A wallet's icon, only as a data:image URI (the CSP's img-src allows `data:`, nothing remote). */
  function iconOf(info) {
    const icon = typeof info.icon === 'string' ? info.icon : '';
    return /^data:image\//i.test(icon) ? el('img', { class: 'wallet-icon', src: icon, alt: '', width: 20, height: 20 }) : null;
  }

  function panel() {
    return $('#approve');
  }

  function hexUtf8(text) {
    return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }

  function setEnabled(on) {
    enabled = on;
    const p = panel();
    p.dataset.state = on ? 'ready' : 'stale';
    for (const c of p.querySelectorAll('button[data-action], input[data-input]')) c.disabled = !on;
    $('#approve-stale').hidden = on;
  }

  function showWallets() {
    const box = clear($('#approve-wallets'));
    const list = walletList();
    if (!list.length) {
      box.appendChild(el('p', { class: 'muted', 'data-no-wallet': '', text: 'No wallet found in this browser: sign the text above with another tool (a hardware wallet, a CLI) and paste the signature below.' }));
      return;
    }
    box.appendChild(el('span', { class: 'sub', text: list.length > 1 ? 'Sign with one of your wallets: ' : 'Sign with: ' }));
    for (const w of list) {
      box.appendChild(
        el(
          'button',
          { type: 'button', class: 'wallet', 'data-action': 'sign-approval', 'data-wallet': w.info.uuid, disabled: !enabled, onclick: () => signWith(w) },
          iconOf(w.info),
          el('span', { text: String(w.info.name || 'wallet') }),
        ),
      );
    }
  }

  // What may still be pending when an approver signs: the approvals themselves, and the timing window.
  const MAY_WAIT = new Set(['approvals.quorum', 'timing.window']);

  /**
   * Issue 21: signing is offered only when the bytes were verified — the
   * package hashed and matching (package.hash passed) — and what is pending
   * is only approvals or timing; otherwise, what to supply first.
   */
  function notReady(report) {
    const pkg = report.checks.find((c) => c.id === 'package.hash');
    const missing = [];
    if (!pkg || pkg.status !== 'pass') missing.push(`the package (package.hash ${pkg ? pkg.status : 'absent'}${pkg && pkg.detail ? `: ${pkg.detail}` : ''})`);
    for (const c of report.checks) {
      if (c.status === 'pending' && !MAY_WAIT.has(c.id) && c.id !== 'package.hash') missing.push(`${c.id}: ${c.detail}`);
    }
    return missing;
  }

  /**
   * After a verdict: offers signing unless it is a REJECT (nothing to approve),
   * with the texts the verdict was computed from.
   */
  function offer(report, texts) {
    const p = panel();
    if (!report || report.decision === 'reject' || !report.manifestDigest) return hide();
    const missing = notReady(report);
    const blocked = $('#approve-blocked');
    blocked.hidden = !missing.length;
    clear(blocked);
    if (missing.length) {
      offered = null;
      p.hidden = false;
      $('[data-output="approval-message"]', p).textContent = '';
      $('#approve-digest', p).textContent = report.manifestDigest;
      forget();
      setEnabled(false);
      p.dataset.state = 'blocked';
      $('#approve-stale').hidden = true;
      blocked.appendChild(el('p', { 'data-approve-blocked': '' }, el('strong', { text: 'Not ready to sign. ' }), 'An approval should follow a verification of the bytes, and only approvals (or the timing window) may still be pending. Supply first:'));
      blocked.appendChild(el('ul', {}, missing.map((m) => el('li', { text: m }))));
      clear($('#approve-wallets'));
      return;
    }
    let message;
    try {
      message = UpgradeGate.api().approvalMessage(texts.manifest);
    } catch {
      return hide();
    }
    // The core's text for the digest it reported, or nothing is offered.
    if (message !== `upgrade-gate:approve:${report.manifestDigest}`) return hide();
    offered = { ...texts, digest: report.manifestDigest, message };
    p.hidden = false;
    $('#approve-blocked').hidden = true;
    clear($('#approve-blocked'));
    $('[data-output="approval-message"]', p).textContent = message;
    $('#approve-digest', p).textContent = report.manifestDigest;
    if (shown && shown.digest !== offered.digest) forget();
    setEnabled(true);
    showWallets();
  }

  /** An input changed, or a new verification started: signing waits for the next verdict. */
  function withdraw() {
    offered = null;
    if (!panel().hidden) {
      setEnabled(false);
      // Issue 21: an outcome of the earlier verdict ("the quorum is met") is not left beside stale inputs.
      const result = $('#approve-result');
      if (!merging && result.dataset.approveResult && result.dataset.approveResult !== 'working') {
        clear(result);
        result.setAttribute('data-approve-result', 'stale');
        result.appendChild(el('p', { class: 'muted', 'data-approve-message': '', text: 'An input changed: the earlier result of signing is not shown. Press Verify.' }));
      }
    }
  }

  /** No verdict that allows signing (REJECT, an error, no report): no panel at all. */
  function hide() {
    offered = null;
    setEnabled(false);
    panel().hidden = true;
    forget();
  }

  function forget() {
    shown = null;
    clear($('#approve-result'));
    $('#approve-result').removeAttribute('data-approve-result');
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = null;
  }

  function say(kind, ...children) {
    const out = clear($('#approve-result'));
    out.setAttribute('data-approve-result', kind);
    out.appendChild(el('p', { class: kind === 'added' || kind === 'replaced' || kind === 'unchanged' ? 'ok-line' : 'error-line', 'data-approve-message': '' }, ...children));
    return out;
  }

  // ---- signing --------------------------------------------------------------------
  async function signWith(wallet) {
    const o = offered;
    if (!o || !enabled) return;
    const name = String(wallet.info.name || 'the wallet');
    say('working', `Asking ${name} for an account…`);
    try {
      const accounts = await wallet.provider.request({ method: 'eth_requestAccounts' });
      const account = Array.isArray(accounts) && typeof accounts[0] === 'string' ? accounts[0] : null;
      if (!account) throw new Error(`${name} returned no account`);
      if (offered !== o) return say('stale', 'An input changed while the wallet was asked: nothing was signed. Press Verify, then sign again.');
      say('working', `Asking ${name} to sign ${o.message} with ${account}…`);
      const signature = await wallet.provider.request({ method: 'personal_sign', params: [hexUtf8(o.message), account] });
      if (offered !== o) return say('stale', 'An input changed while the wallet was signing: the signature was not used. Press Verify, then sign again.');
      if (typeof signature !== 'string') throw new Error(`${name} returned no signature`);
      check(o, signature, account, `${name} (${account})`);
    } catch (e) {
      if (offered !== o) return;
      const refused = e && (e.code === 4001 || e.code === 'ACTION_REJECTED');
      say(refused ? 'declined' : 'error', refused ? `Signing was declined in ${name}: nothing changed.` : `The wallet failed: ${(e && e.message) || String(e)}`);
    }
  }

  function checkPasted() {
    const o = offered;
    if (!o || !enabled) return;
    const text = $('[data-input="signature"]').value.trim();
    if (!text) return say('error', 'Paste a signature (0x followed by 130 hex digits) over the text above.');
    check(o, text, undefined, 'the pasted signature');
  }

  /** The core recovers the signer and merges; the page shows what it says. */
  function check(o, signature, approver, what) {
    let r;
    try {
      r = UpgradeGate.api().addApproval({ manifest: o.manifest, approvals: o.approvals, policy: o.policy, signature, approver });
    } catch (e) {
      return say('error', `${what} cannot be used: ${(e && e.message) || String(e)}`);
    }
    if (r.refusal) {
      // Not merged: the Approvals slot and the verdict stay as they are.
      const out = say(r.refusal, `Not merged: ${r.message}.`);
      out.appendChild(el('p', { class: 'muted' }, 'Recovered signer: ', el('code', { 'data-signer': r.signer, text: r.signer })));
      return;
    }
    const words = {
      added: `${r.signer} is a listed approver not yet counted: the approval was added.`,
      replaced: `${r.signer} is a listed approver whose entry did not count: it was replaced by this one.`,
      unchanged: `${r.signer} already counts for this digest: the document is unchanged.`,
    };
    const out = say(r.change, words[r.change] || `${r.signer}: ${r.change}`);
    out.appendChild(statusLine(r.status));
    out.appendChild(documentView(r.document));
    shown = { digest: o.digest };
    if (r.change !== 'unchanged' && hooks.putApprovals) {
      // Putting the document in its slot changes an input: that is this result, not a reason to hide it.
      merging = true;
      try {
        hooks.putApprovals(r.document);
      } finally {
        merging = false;
      }
    }
  }

  function statusLine(s) {
    const more = s.moreNeeded === 0 ? 'the quorum is met' : `${s.moreNeeded} more needed`;
    const invalid = s.invalid.length ? `; ${s.invalid.length} entr${s.invalid.length === 1 ? 'y does' : 'ies do'} not count` : '';
    // As the core's approvals.quorum says it: never "3 of 2 required".
    const tally = s.signed.length > s.required ? `${s.signed.length} approvals (${s.required} required, ${s.lane} lane)` : `${s.signed.length} of ${s.required} required approvals (${s.lane} lane)`;
    return el('p', { class: 'muted', 'data-approve-status': '', 'data-more-needed': s.moreNeeded }, `${tally}: ${more}${invalid}. The verdict above is refreshed with this document.`);
  }

  /** The merged approvals/v1 document: shown, copyable, downloadable (a Blob: no network). */
  function documentView(text) {
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const copied = el('span', { class: 'copied muted' });
    const copy = () => {
      const done = () => {
        copied.textContent = 'copied';
      };
      Render.copyText(text).then(done);
    };
    return el(
      'div',
      { class: 'json-block' },
      el(
        'div',
        { class: 'json-head' },
        el('h3', { text: 'approvals.json (put in the Approvals slot)' }),
        el('button', { type: 'button', class: 'small', 'data-copy-approvals': '', onclick: copy }, 'Copy'),
        el('a', { class: 'small button-link', href: downloadUrl, download: 'approvals.json', 'data-download-approvals': '' }, 'Download'),
        copied,
      ),
      el('pre', { class: 'json', 'data-output': 'approvals', text }),
    );
  }

  // ---- wiring -------------------------------------------------------------------------
  function wire() {
    $('[data-action="check-signature"]').addEventListener('click', checkPasted);
    $('[data-input="signature"]').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') checkPasted();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire, { once: true });
  else wire();

  self.Approve = {
    /** main.js: `putApprovals(text)` puts a merged document in the Approvals slot and verifies again. */
    attach(h) {
      hooks = { ...hooks, ...h };
    },
    offer,
    withdraw,
    hide,
  };
})();
