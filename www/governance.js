// SPEC §8 Governor proposals, on the card and the page: the proposal id
// voters see, the Governor, the timelock operation ids, and whether the id
// the manifest announces is the computed one — all from the core (the
// report's `governance` extension, `governorProposal` for pasted calldata).
// Nothing is computed or compared here: the page shows what the core says.
/* global Render */
'use strict';

(function () {
  const { el, clear, hexGroups } = Render;

  const row = (k, ...v) => el('div', { class: 'kv' }, el('div', { class: 'k', text: k }), el('div', { class: 'v' }, ...v));

  /**
   * The ids of a manifest with `governance`, large enough to compare at a
   * glance with the forum post, the voting UI and the timelock's events.
   * `ids` is the report's `governance`; `declared` the manifest's field.
   */
  function section(ids, declared) {
    const state = ids.declaredMatches === null || ids.declaredMatches === undefined ? 'none' : ids.declaredMatches ? 'match' : 'mismatch';
    const declaredView =
      state === 'match'
        ? el('span', { class: 'gov-declared ok', text: '✓ matches the id the manifest announces' })
        : state === 'mismatch'
          ? el(
              'span',
              { class: 'gov-declared bad' },
              `✗ MISMATCH: the manifest announces ${declared.proposalId}, not the id of these calls`,
              el('span', { class: 'muted', text: ' (a Governor with sequential ids never matches; otherwise the announced proposal is not this one)' }),
            )
          : el('span', { class: 'gov-declared muted', text: 'the manifest announces no id: compare the one above with the voting UI' });
    return el(
      'section',
      { class: 'governance', 'data-governance': '', 'data-declared': state },
      el('h2', { text: 'Governor proposal — compare with the voting UI' }),
      row('Proposal id', el('div', { class: 'gov-id', 'data-proposal-id': ids.proposalId, text: ids.proposalId })),
      row('Proposal id (hex)', hexGroups(ids.proposalIdHex)),
      row('Announced id', declaredView),
      row('Governor', hexGroups(declared.governor)),
      declared.timelock ? row('Timelock', hexGroups(declared.timelock)) : null,
      row('Timelock operation', el('span', { 'data-timelock-id': '' }, hexGroups(ids.timelockOperationId)), el('div', { class: 'muted small', text: 'OpenZeppelin 5.0 and later (salt = governor XOR description hash)' })),
      row('Timelock op. (4.x)', el('span', { 'data-timelock-legacy': '' }, hexGroups(ids.timelockOperationIdLegacy)), el('div', { class: 'muted small', text: 'OpenZeppelin 4.x governors, e.g. ENS (salt = description hash)' })),
      row('Description hash', hexGroups(ids.descriptionHash)),
    );
  }

  // What was pasted, as the result's sentence names it.
  const SOURCES = { propose: 'This propose call', queue: 'This queue call', execute: 'This execute call', manifest: 'This manifest', hashProposal: 'These hashProposal arguments' };

  /** Neither calldata nor JSON: say what the box reads, not what the JSON parser expected. */
  const NOT_A_PROPOSAL = 'Paste the propose, queue or execute calldata (0x…) or the hashProposal arguments as JSON.';

  /**
   * Pasted `propose` / `queue` / `execute` calldata, read by the core and held
   * to the manifest (its calls in order, and the description hash). Returns
   * the element to show; `data-proposal-match` is match, differs or error.
   */
  function compare(api, calldata, manifestText) {
    let p;
    try {
      p = api.governorProposal(calldata.trim(), { manifest: manifestText });
    } catch (e) {
      const guessable = /^\s*(0x|\{)/i.test(calldata);
      return el('div', { class: 'eresult fail', 'data-proposal-match': 'error', text: `This cannot be read as a Governor proposal: ${guessable ? e.message : NOT_A_PROPOSAL}` });
    }
    const ok = p.matchesManifest === true;
    const n = p.calls.length;
    // Same calls, yet the id the manifest announces is another: both are said (SPEC §8's MISMATCH above).
    const announcedOther = ok && p.announcedMatches === false;
    const what = SOURCES[p.source] || 'This input';
    return el(
      'div',
      {
        class: `eresult ${ok && !announcedOther ? 'pass' : 'fail'}`,
        'data-proposal-match': ok ? 'match' : 'differs',
        'data-proposal-id': p.ids.proposalId,
        'data-announced': announcedOther ? 'mismatch' : 'same',
      },
      announcedOther
        ? `✗ ${what} ${p.source === 'hashProposal' ? 'carry' : 'carries'} this manifest’s calls, but NOT the proposal id it announces`
        : ok
          ? `✓ ${what} ${p.source === 'hashProposal' ? 'are' : 'is'} this manifest’s proposal`
          : `✗ ${what} ${p.source === 'hashProposal' ? 'are' : 'is'} NOT this manifest’s proposal`,
      el('span', { class: 'edetail', text: ok ? `${n} call${n === 1 ? '' : 's'} and the description hash equal the manifest’s.` : p.difference || '' }),
      announcedOther
        ? el('span', { class: 'edetail bad', text: '✗ but the manifest announces another proposal id, not this one: the announced proposal is another (see MISMATCH above).' })
        : null,
      // Another proposal's id is not drawn like the manifest's, so the two are not compared by mistake.
      el('span', { class: 'edetail' }, ok && !announcedOther ? 'Its proposal id: ' : 'Its proposal id (another proposal): ', el(ok && !announcedOther ? 'strong' : 'span', { class: ok && !announcedOther ? 'gov-id small' : 'other-id', text: p.ids.proposalId })),
      p.ids.timelockOperationId ? el('span', { class: 'edetail' }, 'Its timelock operation: ', hexGroups(p.ids.timelockOperationId)) : null,
      // Calldata does not say which contract it is sent to: the ids are the manifest's Governor's.
      p.governor && p.source !== 'manifest'
        ? el('span', { class: 'edetail muted' }, 'Ids for the Governor ', hexGroups(p.governor), ' (the manifest’s): the same calldata sent to another Governor is another proposal.')
        : null,
    );
  }

  /** A paste box that compares Governor calldata with the manifest as it is typed. */
  function pasteBox(getApi, getManifestText) {
    const out = el('div', { class: 'gov-compare', 'aria-live': 'polite' });
    const input = el('textarea', {
      class: 'gov-paste',
      id: 'governor-calldata',
      rows: 2,
      spellcheck: 'false',
      placeholder: 'Paste the propose / queue / execute calldata (0x…) from the voting UI, a wallet or the chain to compare it with this manifest',
    });
    let timer = 0;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      // A result belongs to the text it was computed from: gone at the first keystroke.
      clear(out);
      if (input.value.trim()) out.appendChild(el('div', { class: 'eresult working', 'data-proposal-match': 'checking', text: 'Checking…' }));
      timer = setTimeout(() => {
        clear(out);
        const text = input.value.trim();
        const api = getApi();
        if (text && api) out.appendChild(compare(api, text, getManifestText()));
        // The answer where the reader is looking, even in a small iframe.
        if (out.firstChild && out.firstChild.scrollIntoView) out.firstChild.scrollIntoView({ block: 'nearest' });
      }, 120);
    });
    return el('div', { class: 'gov-paste-box' }, el('label', { for: 'governor-calldata', class: 'sub', text: 'Check a Governor call against this manifest' }), input, out);
  }

  /**
   * Where the card's module has no Governor reader (the plain card): a link
   * to the governance card with the same manifest, which has the paste box.
   */
  function pasteLink(href) {
    return el(
      'div',
      { class: 'gov-paste-box', 'data-governor-paste': 'elsewhere' },
      el('span', { class: 'sub', text: 'Check a Governor call against this manifest: ' }),
      el('a', { href, text: 'open the governance card, which has the calldata box' }),
    );
  }

  /** True when the text is 0x calldata (what the release box reads as a Governor call). */
  const isCalldata = (text) => /^\s*0x[0-9a-fA-F]*\s*$/.test(text);

  /**
   * A release for the core from pasted Governor calldata, as a pasted Safe
   * transaction is wrapped: the proposal's calls, sent by whoever executes
   * them (the manifest's timelock, else its Governor), with the manifest's
   * digest and lane. Returns `{ text, proposal }`.
   */
  function releaseOf(api, calldata, manifestText) {
    const proposal = api.governorProposal(calldata.trim(), { manifest: manifestText });
    const m = JSON.parse(manifestText);
    const g = m.governance || {};
    const release = {
      schema: 'upgrade-gate/release/v1',
      manifestDigest: api.manifestDigest(manifestText),
      executor: g.timelock || g.governor,
      lane: m.lane,
      actions: proposal.calls.map((c) => ({ to: c.to, value: c.value, data: c.data, operation: 'call' })),
    };
    return { text: JSON.stringify(release), proposal };
  }

  self.Governance = { section, compare, pasteBox, pasteLink, isCalldata, releaseOf };
})();
