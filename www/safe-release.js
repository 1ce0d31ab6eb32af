// The release box: what was pasted or dropped there (our release format, a
// Safe transaction from the Safe UI or the Transaction Service, a Safe
// Transaction Builder batch, or Governor calldata), the release the page wraps
// it in for the core, and the Safe fields beside it (Chain id, Safe version,
// Safe, Nonce), which must be used or agree. As soon as a Safe transaction is
// pasted, its hashes are shown, and for an owner that is itself a Safe (nested
// Safe) the owner's approveHash transaction. Conversions and display only: the
// hashes and the decision are the core's.
/* global Render, Governance, Verdict */
'use strict';

(function () {
  const { el, clear } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);
  const { pageWording } = Verdict;

  // ---- what the box holds, and the release for the core -----------------------------
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
  function fromBatch(api, text, value) {
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

  /**
   * The release the core verifies, as text: the box's own release, or what it
   * holds wrapped in one with the manifest's digest and lane. `safe`: a
   * wrapped Safe transaction (the error wording says "the pasted Safe
   * transaction"); `batch`: what was read from a Transaction Builder batch.
   */
  function releaseText(api, manifestText) {
    const text = $('#release').value;
    const shape = releaseShape(text);
    checkSafeFields(shape);
    if (shape.kind === 'txBuilder') {
      const b = fromBatch(api, text, shape.value);
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

  // ---- shown as soon as it is pasted ------------------------------------------------
  /** Shows the Safe hashes as soon as a Safe transaction is pasted, before any verification. */
  function preview(api) {
    const box = $('#safe');
    const kindEl = $('#release-kind');
    const text = $('#release').value;
    const shape = text.trim() ? releaseShape(text) : { kind: 'empty' };
    let batch = null;
    if (shape.kind === 'txBuilder' && api) {
      try {
        batch = fromBatch(api, text, shape.value);
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
        ? $('#manifest').value.trim()
          ? 'Read as a Safe transaction: the page wraps it in a release with the manifest’s digest and lane.'
          : 'Read as a Safe transaction. With no manifest there is nothing to compare it with: give the manifest and press Verify, or check it on its own in the signer view (#signer).'
        : shape.kind === 'release' && shape.value.safeTx
          ? 'A release carrying a Safe transaction.'
          : shape.kind === 'governor'
            ? 'Read as Governor propose / queue / execute calldata: the page wraps its calls in a release sent by the manifest’s timelock (or Governor), with the manifest’s digest and lane.'
            : '';
    previewGovernor(api, shape.kind === 'governor' ? text : null);
    nestedSource = outerSafeTx(text, shape, batch);
    updateNested(api);
    // The report's own Safe panel stays until an input changes (Verdict.stale() removes it).
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

  /**
   * The release changed: what was previewed from the old text goes at once
   * (the new preview follows when typing pauses), so no hash or ✓ is ever
   * shown beside text it was not computed from.
   */
  function forget() {
    const gov = $('#governor-preview');
    clear(gov).hidden = true;
    const box = $('#safe');
    if (!box.dataset.fromReport) {
      box.hidden = true;
      clear(box);
    }
  }

  /** Pasted Governor calldata, compared with the manifest by the core as soon as it is pasted. */
  function previewGovernor(api, calldata) {
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

  // The verdict on screen is a REJECT: nothing is offered to sign (Verdict.show / stale).
  let rejected = false;
  let lastApi = null;
  function setRejected(on) {
    rejected = !!on;
    $('#nested').dataset.rejected = rejected ? 'true' : 'false';
    if (lastApi) updateNested(lastApi);
  }

  /** The owner Safe's approveHash transaction: its domain hash, message hash and safeTxHash, from the core. */
  function updateNested(api) {
    lastApi = api;
    const box = $('#nested');
    const out = clear($('#nested-out'));
    box.hidden = !nestedSource || !api;
    if (box.hidden) return;
    if (rejected) {
      out.appendChild(el('p', { class: 'do-not-sign', 'data-do-not-sign': '', text: 'Rejected — do not sign: no owner Safe should approve this transaction (see the verdict above).' }));
      return;
    }
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

  self.SafeRelease = { releaseShape, releaseText, preview, forget, updateNested, setRejected };
})();
