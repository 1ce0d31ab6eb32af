// SPEC §7 on the page: what the evidence says executing the release writes
// (the report's `effects` extension) and whether the implementation runs the
// package's code (`implementationCode`). The page reads the evidence file's
// text and the artifacts the manifest names from the package folder, hands
// them to the core's `verify`, and shows what the core found: nothing is
// checked here.
/* global Render */
'use strict';

(function () {
  const { el, hexGroups } = Render;

  // The core reads a state diff up to 64 MiB and refuses a larger one (an
  // input error); an opaque file of any size is only hashed. Up to this size
  // the page hands the core the text and the core decides; past it the text
  // is not built (a browser string would not hold it) and a file that may be
  // JSON is refused here, as the core would refuse it (see `evidenceText`).
  const EVIDENCE_TEXT_LIMIT = 256 * 1024 * 1024;

  /** A file's text when it is UTF-8 (byte for byte: a BOM is kept, the core hashes these bytes), else null. */
  async function utf8(file) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await file.arrayBuffer());
      return text.includes('\u0000') ? null : text;
    } catch {
      return null;
    }
  }

  /** The evidence file's text for the core, or null when it stays hashed only (not UTF-8). */
  async function evidenceText(file) {
    if (file.size <= EVIDENCE_TEXT_LIMIT) return utf8(file);
    const head = new TextDecoder('utf-8').decode(await file.slice(0, 4096).arrayBuffer());
    if (/^\uFEFF?\s*\{/.test(head)) {
      throw Object.assign(new Error(`evidence: ${file.name} is larger than the 64 MiB a state diff may have, and may be one (it starts like JSON): no decision is made on evidence nobody read`), { field: 'evidence' });
    }
    return null;
  }

  /**
   * The package paths the manifest's targets name as `artifact` (SPEC §7.4)
   * or in `layout` (SPEC §10.1: the build info before `#`, and Hardhat 3's
   * `.output.json` beside it, sent when the folder has it).
   */
  function artifactPaths(manifestText) {
    let m;
    try {
      m = JSON.parse(manifestText);
    } catch {
      return []; // the core names the manifest's error
    }
    const targets = m && Array.isArray(m.targets) ? m.targets : [];
    const named = targets.map((t) => t && t.artifact);
    for (const t of targets) {
      for (const side of ['previous', 'next']) {
        const ref = t && t.layout && t.layout[side];
        if (typeof ref !== 'string' || !ref.includes('#')) continue;
        const path = ref.slice(0, ref.indexOf('#'));
        named.push(path, path.replace(/\.json$/, '.output.json'));
      }
    }
    return [...new Set(named.filter((p) => typeof p === 'string'))];
  }

  /**
   * What `verify` takes beyond the hashes (SPEC §7.5): `evidence`, the
   * evidence file's text when it is UTF-8 (a binary file stays hashed only),
   * and `artifacts`, the text of each file a target names, from the package
   * folder (a single-file package has none: the core fails such a target).
   */
  async function inputs(manifestText, evidence, pkg) {
    const out = {};
    const text = evidence && evidence.kind === 'file' ? await evidenceText(evidence.file) : null;
    if (text !== null) out.evidence = text;
    const named = pkg && pkg.kind === 'folder' ? artifactPaths(manifestText) : [];
    if (named.length) {
      const byPath = new Map(pkg.entries.map((e) => [e.path, e.file]));
      out.artifacts = {};
      for (const path of named) {
        const file = byPath.get(path);
        // Not valid UTF-8: decoded with replacement characters, so the core's
        // hash of the text differs from the folder's and the target fails.
        if (file) out.artifacts[path] = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await file.arrayBuffer());
      }
    }
    return out;
  }

  // ---- the panel ----------------------------------------------------------------
  const ROLE = {
    targetProxy: 'target proxy',
    proxyAdmin: 'ProxyAdmin',
    beacon: 'beacon',
    admin: 'admin',
    safe: 'the Safe',
    governance: 'governance',
    expected: 'declared (expected account)',
    undeclared: 'UNDECLARED',
  };

  const RULE = {
    E0: 'the evidence is of this release',
    E1: 'every target upgraded as declared',
    E2: 'no other upgrade',
    E3: 'authority, by lane',
    E4: 'the Safe changes only by its nonce',
    E5: 'nothing undeclared written',
    E6: 'overrides do not change what runs',
  };

  const CODE_RESULT = {
    exact: 'exact: the runtime code is the artifact’s',
    immutablesFilled: 'equal once the immutables are filled',
    metadataDiffers: 'same code, different metadata',
    differs: 'the code differs',
  };

  const ZERO12 = '0'.repeat(24);

  /**
   * A 32-byte word as a person compares it: a small number in decimal, an
   * address word as its EIP-55 address (`checksum` from the core), anything
   * else in hex groups. The exact word is in the title and `data-word`.
   */
  function wordView(word, checksum) {
    const hex = String(word).replace(/^0x/, '');
    if (!/^[0-9a-f]{64}$/.test(hex)) return el('code', { class: 'fx-word wrap', 'data-word': word, text: word });
    if (/^0{48}/.test(hex)) return el('code', { class: 'fx-word', 'data-word': word, 'data-word-kind': 'number', title: word, text: BigInt(`0x${hex}`).toString(10) });
    if (hex.startsWith(ZERO12)) {
      const address = checksum(`0x${hex.slice(24)}`);
      return el('code', { class: 'fx-word wrap', 'data-word': word, 'data-word-kind': 'address', title: word, text: address });
    }
    return el('span', { class: 'fx-word', 'data-word': word, 'data-word-kind': 'hex' }, hexGroups(word));
  }

  /**
   * A slot key: small ones as `0x5`; a named one (its name is shown) cut to
   * its ends, the whole key in the title and `data-slot`; the rest in hex groups.
   */
  function slotKey(slot, named) {
    const hex = String(slot).replace(/^0x0*/, '');
    if (hex.length <= 16) return el('code', { class: 'fx-key', title: slot, text: `0x${hex || '0'}` });
    if (named) return el('code', { class: 'fx-key', title: slot, text: `${slot.slice(0, 6)}…${slot.slice(-4)}` });
    return el('span', { class: 'fx-key' }, hexGroups(slot));
  }

  /**
   * The failing rules whose findings name this account, or this change of it:
   * the core writes a change as `<EIP-55 account> slot <word>` (SPEC §7.3).
   */
  function brokenBy(failing, address, slot) {
    const needle = slot ? `${address} slot ${slot}` : address;
    return failing.filter((r) => r.findings.some((f) => f.includes(needle))).map((r) => r.rule);
  }

  function changeView(c, address, failing, checksum) {
    const broken = brokenBy(failing, address, c.slot);
    return el(
      'li',
      { class: `fx-change${broken.length ? ' broken' : ''}`, 'data-slot': c.slot, 'data-name': c.name || null, 'data-rule': broken.join(' ') || null },
      el('div', { class: 'fx-slot' }, el('strong', { text: c.name || 'storage slot' }), ' ', slotKey(c.slot, !!c.name), broken.length ? el('span', { class: 'fx-breaks', text: ` breaks ${broken.join(', ')}` }) : null),
      el('div', { class: 'fx-vals' }, wordView(c.before, checksum), el('span', { class: 'fx-arrow', text: '→' }), wordView(c.after, checksum)),
    );
  }

  function accountView(a, failing, checksum) {
    const broken = brokenBy(failing, a.address);
    const flags = [
      a.created && ['created', 'created by the execution'],
      a.destroyed && ['destroyed', 'DESTROYED'],
      a.codeChanged && ['codeChanged', 'code changed'],
    ].filter(Boolean);
    return el(
      'li',
      { class: `fx-account role-${a.role}${broken.length ? ' broken' : ''}`, 'data-account': a.address, 'data-role': a.role, 'data-rule': broken.join(' ') || null },
      el(
        'div',
        { class: 'fx-head' },
        el('span', { class: `fx-role ${a.role}`, text: ROLE[a.role] || a.role }),
        el('code', { class: 'fx-address wrap', text: a.address }),
        flags.map(([flag, text]) => el('span', { class: `fx-flag ${flag}`, 'data-flag': flag, text })),
      ),
      a.changes.length
        ? el('ol', { class: 'fx-changes' }, a.changes.map((c) => changeView(c, a.address, failing, checksum)))
        : el('p', { class: 'muted fx-none', text: 'no storage slot changed' }),
    );
  }

  function rulesView(rules) {
    return el(
      'ul',
      { class: 'fx-rules' },
      rules.map((r) =>
        el(
          'li',
          { class: r.holds ? 'holds' : 'broken', 'data-rule': r.rule, 'data-holds': String(r.holds) },
          el('span', { class: `pill ${r.holds ? 'pass' : 'fail'}`, text: `${r.holds ? '✓' : '✗'} ${r.rule}` }),
          ' ',
          el('span', { class: 'fx-rule-name', text: RULE[r.rule] || '' }),
          r.findings.length ? el('ul', { class: 'fx-findings' }, r.findings.map((f) => el('li', { class: 'wrap', text: f }))) : null,
        ),
      ),
    );
  }

  function codeView(bindings) {
    return el(
      'ul',
      { class: 'fx-code' },
      bindings.map((b) =>
        el(
          'li',
          { class: b.status, 'data-code-binding': '', 'data-proxy': b.proxy, 'data-status': b.status, 'data-result': b.result || 'none' },
          el('span', { class: `pill ${b.status}`, text: b.status }),
          ' ',
          el('strong', { text: b.result ? CODE_RESULT[b.result] || b.result : 'not compared' }),
          el('div', { class: 'fx-code-what' }, 'implementation ', el('code', { class: 'wrap', text: b.implementation }), ' of proxy ', el('code', { class: 'wrap', text: b.proxy }), ' against ', el('code', { class: 'wrap', text: b.artifact })),
          el('div', { class: 'fx-code-detail wrap', text: b.detail }),
        ),
      ),
    );
  }

  /**
   * `0x` + 40 hex digits in EIP-55 form. That takes keccak-256, which only the
   * core has: its calldata decoder prints an address argument in EIP-55 form,
   * so it is asked to decode `upgradeTo(address)` of the address.
   */
  function checksummer(api) {
    const seen = new Map();
    return (hex40) => {
      if (!seen.has(hex40)) {
        let out = hex40;
        try {
          const arg = api.decodeCalldata(`0x3659cfe6${ZERO12}${hex40.slice(2)}`).arguments[0];
          if (arg && arg.type === 'address' && arg.value.toLowerCase() === hex40) out = arg.value;
        } catch {
          out = hex40; // shown as it is in the word, lower-case
        }
        seen.set(hex40, out);
      }
      return seen.get(hex40);
    };
  }

  /**
   * Why there are no effects to show, in the words of the report's own
   * `simulation.effects` check (no evidence given, or evidence that is not a
   * state diff): never a reason the report does not give.
   */
  function noEffects(report) {
    const check = (report.checks || []).find((c) => c.id === 'simulation.effects');
    return check && check.detail ? `No effects to show: ${check.detail}.` : 'No effects to show: the evidence is not a state diff.';
  }

  const checkOf = (report, id) => (report.checks || []).find((c) => c.id === id);
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  /**
   * Where the effects come from (SPEC §9.3): re-executed here on proven state,
   * or the proposer's simulation. `data-effects-source`: replay | simulation | none.
   */
  function provenance(report, below) {
    const r = report.replay;
    const fx = report.effects;
    const replay = checkOf(report, 'simulation.replay');
    if (r && fx && fx.source === 'replay') {
      const proofs = r.proven.accounts + r.proven.slots;
      return el(
        'div',
        { class: 'fx-source replay', 'data-effects-source': 'replay' },
        el('strong', { text: 'Re-executed here' }),
        `, on state proven against block ${r.blockNumber} (`,
        hexGroups(r.blockHash),
        `), by ${plural(proofs, 'proof')} (${plural(r.proven.accounts, 'account')}, ${plural(r.proven.slots, 'storage slot')}) and ${plural(r.proven.codes, 'code')}: the effects below are what this page computed, not what the proposer says.`,
      );
    }
    if (replay && replay.status !== 'skip') {
      return el(
        'div',
        { class: `fx-source ${replay.status}`, 'data-effects-source': 'none' },
        el('strong', { text: replay.status === 'pending' ? 'Not re-executed yet' : 'The re-execution here did not give effects' }),
        ': ',
        el('span', { class: 'wrap', text: below || replay.detail }),
      );
    }
    if (fx) {
      return el(
        'div',
        { class: 'fx-source simulation', 'data-effects-source': 'simulation' },
        el('strong', { text: 'From the proposer’s simulation, not re-executed' }),
        ': the state diff in the evidence came from a node the proposer chose. A witness and the block hash you trust (section 3) re-execute the release here.',
      );
    }
    return null;
  }

  /** SPEC §9.3: an unproven read, named by the core with the `cast` command that fetches its proof. */
  function unprovenRead(replay) {
    const m = replay && /the replay reads (.+), which the witness does not prove: fetch it with `([^`]+)`/.exec(replay.detail);
    if (!m) return null;
    const who = /account (0x[0-9a-fA-F]{40})(?: slot (0x[0-9a-fA-F]{64}))?/.exec(m[1]);
    const copied = el('span', { class: 'copied muted' });
    return el(
      'div',
      { class: 'fx-unproven', 'data-unproven': m[1], 'data-account': who ? who[1] : null, 'data-slot': who && who[2] ? who[2] : null },
      el('p', {}, el('strong', { text: 'Read, but not proven by the witness: ' }), el('span', { class: 'wrap', text: m[1] })),
      el('p', { class: 'muted', text: 'The replay stops rather than read it as zero. Fetch its proof from your node, add it to the witness, and verify again:' }),
      el('div', { class: 'fx-command' }, el('code', { class: 'wrap', 'data-cast-proof': '', text: m[2] }), el('button', { type: 'button', class: 'small', onclick: () => Render.copyText(m[2]).then(() => { copied.textContent = 'copied'; }) }, 'Copy'), copied),
    );
  }

  const WORD = '(0x[0-9a-fA-F]{64}|not shown)';
  const SLOT_DIFF = new RegExp(`disagrees with the replay: (0x[0-9a-fA-F]{40}) slot (0x[0-9a-fA-F]{64}): after ${WORD} in the replay, ${WORD} in the evidence`);
  const FLAG_DIFF = /disagrees with the replay: (0x[0-9a-fA-F]{40}) is (created|destroyed|code changed) in (the replay|the evidence), not in/;

  /** SPEC §9.3: the supplied diff against the re-execution, side by side at the first difference (the core's detail). */
  function firstDifference(replay, checksum) {
    if (!replay || replay.status !== 'fail') return null;
    const slot = SLOT_DIFF.exec(replay.detail);
    const flag = slot ? null : FLAG_DIFF.exec(replay.detail);
    if (!slot && !flag) return null;
    const value = (v) => (v === 'not shown' ? el('span', { class: 'muted', text: 'not shown' }) : wordView(v, checksum));
    const [here, there] = slot ? [value(slot[3]), value(slot[4])] : flag[3] === 'the replay' ? [`${flag[2]}`, `not ${flag[2]}`] : [`not ${flag[2]}`, `${flag[2]}`];
    return el(
      'div',
      { class: 'fx-diff', 'data-first-difference': '', 'data-account': (slot || flag)[1], 'data-slot': slot ? slot[2] : null },
      el('p', {}, el('strong', { text: 'The proposer’s diff disagrees with the re-execution here' }), ' — the first difference:'),
      el('p', { class: 'fx-diff-where' }, 'account ', el('code', { class: 'wrap', text: (slot || flag)[1] }), slot ? [' slot ', slotKey(slot[2], false)] : null),
      el(
        'div',
        { class: 'fx-diff-sides' },
        el('div', { class: 'fx-diff-side', 'data-side': 'replay' }, el('div', { class: 'k', text: slot ? 'After, re-executed here (proven state)' : 'Re-executed here' }), el('div', { class: 'v' }, here)),
        el('div', { class: 'fx-diff-side', 'data-side': 'evidence' }, el('div', { class: 'k', text: slot ? 'After, in the proposer’s diff (evidence)' : 'The proposer’s diff (evidence)' }), el('div', { class: 'v' }, there)),
      ),
    );
  }

  /** SPEC §9.4: the Safe's VERSION() in the replay, beside the version the release claims. */
  function safeVersion(r) {
    const v = r && r.safeVersion;
    if (!v) return null;
    return el(
      'p',
      { class: 'fx-safe-version', 'data-safe-version': v.returned || '', 'data-claimed-version': v.claimed },
      'The Safe’s ',
      el('code', { text: 'VERSION()' }),
      ' in the re-execution: ',
      v.returned ? el('strong', { text: v.returned }) : el('span', { class: 'muted', text: 'not reached' }),
      ' · the release claims ',
      el('strong', { text: v.claimed }),
    );
  }

  /**
   * The Effects panel, or null when the report has no effects, no code
   * binding and no re-execution. `api` is the module (for EIP-55, see `checksummer`).
   */
  function section(report, api) {
    const checksum = checksummer(api);
    const fx = report.effects;
    const code = report.implementationCode || [];
    const replay = checkOf(report, 'simulation.replay');
    const replayed = !!replay && replay.status !== 'skip';
    if (!fx && !code.length && !replayed) return null;
    const failing = fx ? fx.rules.filter((r) => !r.holds) : [];
    const count = fx ? fx.accounts.length : 0;
    const fromReplay = !!fx && fx.source === 'replay';
    const form = fx ? (fromReplay ? 'the re-execution here' : `the state diff in the evidence (${fx.form === 'document' ? 'an upgrade-gate/evidence/v1 document' : fx.form === 'jsonRpc' ? 'a JSON-RPC response' : 'a prestateTracer diff'})`) : '';
    const unproven = unprovenRead(replay);
    const difference = firstDifference(replay, checksum);
    // Said once, in the box below, when the core's detail names the read or the difference.
    const below = unproven ? 'it reads what the witness does not prove (below).' : difference ? 'the proposer’s diff disagrees with it (below), so effects are read from neither.' : null;
    return el(
      'section',
      { class: 'card effects', id: 'effects', 'data-effects': fx ? (failing.length ? 'broken' : 'holds') : 'none' },
      el('h2', { text: 'Effects — what executing the release writes' }),
      provenance(report, below),
      safeVersion(report.replay),
      unproven,
      difference,
      fx
        ? [
            el('p', { class: 'muted', text: `From ${form}: ${count} account${count === 1 ? '' : 's'} written, each storage slot before → after. The rules are SPEC §7.3’s.` }),
            rulesView(fx.rules),
            el('ol', { class: 'fx-accounts' }, fx.accounts.map((a) => accountView(a, failing, checksum))),
          ]
        : replayed
          ? null
          : el('p', { class: 'muted', 'data-effects-why': '', text: noEffects(report) }),
      code.length ? [el('h3', { text: 'Implementation code — the package’s build output against the code on chain' }), codeView(code)] : null,
    );
  }

  /**
   * SPEC §10.3 extension `storageLayout`: per target the two implementations,
   * where each layout came from, and the comparison's operations, the errors
   * in red with the rule (kind) they break. Null when no target names a layout.
   */
  function layoutSection(report) {
    const layouts = report.storageLayout || [];
    const check = (report.checks || []).find((c) => c.id === 'storage.layout');
    if (!layouts.length) return null;
    // No witness: the code both layouts are bound to is the evidence's (SPEC §7.4 step 3).
    const fromEvidence = (report.checks || []).some((c) => c.id === 'state.proof' && c.status === 'skip');
    return el(
      'section',
      { class: 'card effects', id: 'storage-layout', 'data-storage-layout': check ? check.status : 'none' },
      el('h2', { text: 'Storage layout — does the next implementation read the storage the previous one wrote?' }),
      el('p', { class: 'muted', text: 'Both layouts come from build infos in the package, each bound to its implementation’s code on chain; decided as @openzeppelin/upgrades-core 1.46.0 decides (SPEC §10).' }),
      fromEvidence ? el('p', { class: 'escope', 'data-layout-code': 'evidence', text: 'The code on chain here is what the simulation evidence (the proposer’s) says it is, not proven: a witness and the block hash you trust (section 3) prove it.' }) : null,
      el(
        'ul',
        { class: 'fx-code' },
        layouts.map((b) =>
          el(
            'li',
            { class: b.status, 'data-layout-binding': '', 'data-proxy': b.proxy, 'data-status': b.status },
            el('span', { class: `pill ${b.status}`, text: b.status }),
            ' proxy ',
            el('code', { class: 'wrap', text: b.proxy }),
            el('div', { class: 'fx-code-what' }, 'previous ', el('code', { class: 'wrap', text: b.previousImplementation || '(not known)' }), ' from ', el('code', { class: 'wrap', text: b.previous })),
            el('div', { class: 'fx-code-what' }, 'next ', el('code', { class: 'wrap', text: b.nextImplementation }), ' from ', el('code', { class: 'wrap', text: b.next })),
            b.operations.length
              ? el(
                  'ul',
                  { class: 'fx-findings' },
                  b.operations.map((o) => el('li', { class: `wrap ${o.error ? 'broken' : 'holds'}`, 'data-kind': o.kind, 'data-error': String(o.error) }, el('span', { class: `pill ${o.error ? 'fail' : 'pass'}`, text: o.kind }), ' ', o.detail)),
                )
              : null,
            b.status === 'pass' ? null : el('div', { class: 'fx-code-detail wrap', text: b.detail }),
            (b.variables || []).length ? variablesView(b.variables) : null,
          ),
        ),
      ),
    );
  }

  /** The two layouts' state variables side by side by slot; a row an error is about in red, with its kind. */
  function variablesView(rows) {
    const cell = (v) => (v ? [el('code', { class: 'wrap', text: v.label }), ' ', el('span', { class: 'ly-type wrap', text: v.type }), el('div', { class: 'ly-contract muted wrap', text: v.contract })] : el('span', { class: 'muted', text: '—' }));
    return el(
      'table',
      { class: 'ly-vars' },
      el('thead', {}, el('tr', {}, el('th', { text: 'slot' }), el('th', { text: 'previous' }), el('th', { text: 'next' }))),
      el(
        'tbody',
        {},
        rows.map((r) => {
          const same = r.previous && r.next && r.previous.label === r.next.label && r.previous.type === r.next.type;
          const attrs = { class: r.error ? 'broken' : same ? 'same' : 'changed', 'data-layout-row': '', 'data-slot': r.slot, 'data-offset': String(r.offset) };
          if (r.error) attrs['data-error'] = r.error;
          return el(
            'tr',
            attrs,
            el('td', { class: 'ly-slot' }, el('code', { text: r.offset ? `${r.slot}+${r.offset}` : r.slot }), r.error ? el('span', { class: 'pill fail ly-rule', text: r.error }) : null),
            el('td', { 'data-side': 'previous' }, cell(r.previous)),
            el('td', { 'data-side': 'next' }, cell(r.next)),
          );
        }),
      ),
    );
  }

  self.Effects = { inputs, section, layoutSection, artifactPaths };
})();
