// The embeddable card: one manifest from the URL fragment, its digest and
// shape, its rollback readiness, and a drop zone that checks a package. The
// checks come from the core's own report: the card verifies the manifest's
// actions as the release, and shows only package.hash, package.files and
// rollback.ready, which depend on nothing but the manifest and the bytes.
/* global Render, UpgradeGate, Governance */
'use strict';

(function () {
  const { el, clear, hexGroups, formatBytes } = Render;
  const $ = (s) => document.querySelector(s);
  let api = null;
  // Two cards, two modules (scripts/build.mjs CARDS): this one's has the Governor reader.
  let governanceCard = false;
  let manifestText = null;
  let digest = null;

  // The proxy kinds as their own communities write them (SPEC §2's `kind`).
  const KINDS = { transparent: 'Transparent proxy', uups: 'UUPS proxy', beacon: 'Beacon proxy' };
  const proxyKind = (kind) => KINDS[kind] || `${kind} proxy`;

  function manifestFromFragment() {
    const m = /(?:^#|&)manifest=([^&]*)/.exec(location.hash);
    if (!m) return null;
    try {
      return decodeURIComponent(m[1]);
    } catch {
      // A link cut inside a %XX escape.
      throw new Error(CUT_OFF);
    }
  }

  /** This card as the governance card (its offline copy from an offline copy), same manifest. */
  function governanceCardUrl() {
    const page = /offline-embed\.html$/.test(location.pathname) ? 'offline-embed-governance.html' : 'embed-governance.html';
    return new URL(page + location.hash, location.href).href;
  }

  const CUT_OFF = 'the link looks cut off: the manifest in it ends too early (was the link shortened, or wrapped when it was copied?)';

  // Large integers keep their digits (uint256 values may be JSON numbers).
  const exact = (key, value, ctx) => (typeof value === 'number' && !Number.isSafeInteger(value) && ctx && ctx.source ? ctx.source : value);

  /** The core's report for the manifest's own actions, with what was hashed. */
  function selfReport(observed) {
    const m = JSON.parse(manifestText, exact);
    const release = JSON.stringify({
      schema: 'upgrade-gate/release/v1',
      manifestDigest: digest,
      executor: m.roles && m.roles.executor,
      lane: m.lane,
      actions: m.actions,
    });
    return api.verify({ manifest: manifestText, release, observed });
  }

  const check = (report, id) => report.checks.find((c) => c.id === id);

  function kv(k, v) {
    return el('div', { class: 'kv' }, el('div', { class: 'k', text: k }), el('div', { class: 'v' }, v));
  }

  function render() {
    // The verifier beside this card: its offline copy from an offline copy.
    if (/offline-embed/.test(location.pathname)) $('[data-verifier-link]').setAttribute('href', 'offline.html');
    const body = clear($('#card-body'));
    $('#package-slot').hidden = true;
    clear($('#package-result'));
    try {
      manifestText = manifestFromFragment();
    } catch (e) {
      body.appendChild(el('p', { class: 'error-line', 'data-error': '', text: `This manifest cannot be read: ${e.message}` }));
      return;
    }
    if (!manifestText) {
      body.appendChild(el('p', { class: 'error-line', text: 'No manifest in this link: it should end in #manifest=… (see `upgrade-gate embed-link`).' }));
      return;
    }
    let m;
    try {
      digest = api.manifestDigest(manifestText);
      m = JSON.parse(manifestText, exact);
    } catch (e) {
      const cut = /EOF while parsing/.test(e.message);
      body.appendChild(el('p', { class: 'error-line', 'data-error': '', text: `This manifest cannot be read: ${cut ? CUT_OFF : e.message}` }));
      return;
    }
    let ready;
    let governance = null;
    try {
      const report = selfReport({});
      ready = check(report, 'rollback.ready');
      governance = report.governance || null;
    } catch (e) {
      ready = { status: 'fail', detail: e.message };
    }
    body.appendChild(el('h1', { text: m.title || 'Untitled upgrade' }));
    body.appendChild(kv('Manifest digest', hexGroups(digest)));
    body.appendChild(kv('Chain · lane', `${m.chainId} · ${m.lane}`));
    // SPEC §8: the proposal voters vote on, from the core's report extension.
    if (governance && m.governance) {
      body.appendChild(Governance.section(governance, m.governance));
      // The paste box needs the Governor reader, which only the governance
      // card's module carries (scripts/build.mjs CARDS): elsewhere, a link to it.
      body.appendChild(governanceCard ? Governance.pasteBox(() => api, () => manifestText) : Governance.pasteLink(governanceCardUrl()));
    }
    body.appendChild(
      kv(
        'Targets',
        (m.targets || []).map((t) =>
          el(
            'div',
            { class: 'target' },
            el('div', {}, el('strong', { text: `${proxyKind(t.kind)} ` }), hexGroups(t.proxy)),
            el('div', {}, el('span', { class: 'muted', text: '→ implementation ' }), hexGroups(t.implementation)),
          ),
        ),
      ),
    );
    body.appendChild(kv('Package', hexGroups(m.package && m.package.hash)));
    // SPEC §7: the card has the manifest only; it says what the manifest names for them.
    const binds = (m.targets || []).filter((t) => t && typeof t.artifact === 'string').map((t) => `implementation ${t.implementation}, built as ${t.artifact}`);
    const expected = m.simulation && Array.isArray(m.simulation.expectedAccounts) ? m.simulation.expectedAccounts : [];
    if (expected.length) binds.push(`accounts the upgrade may also write: ${expected.join(', ')}`);
    // SPEC §9: this card does not re-execute (the module would be too large for a forum); it says whose effects they are.
    const verifier = /offline-embed/.test(location.pathname) ? 'offline.html' : 'index.html';
    const effects = el(
      'span',
      { class: 'effects-card', 'data-effects-card': binds.length ? 'declared' : 'none' },
      'not checked on this card (it shows the manifest only). ',
      el('span', { 'data-effects-from': 'simulation', text: 'What the upgrade writes is checked on ' }),
      el('a', { href: verifier, target: '_blank', rel: 'noopener', 'data-reexecute-link': '', text: 'the verifier page' }),
      ', from the proposer’s simulation unless re-executed there on state proven by a witness against a block hash you trust.',
      binds.length ? ` The manifest names ${binds.join('; ')}.` : '',
    );
    body.appendChild(kv('Effects', effects));
    body.appendChild(kv('Storage layout', layoutLine(m)));
    body.appendChild(
      kv(
        'Rollback plan',
        // rollback.ready judges the manifest's plan; the rollback package's bytes are checked on the verifier page only.
        el('span', { class: `ready ${ready.status === 'pass' ? 'plan' : 'no'}`, 'data-rollback': ready.status, title: ready.detail, text: ready.status === 'pass' ? 'written down in the manifest (owner, actions, stop conditions); not tested, and its rollback package is not checked here' : `not ready — ${ready.detail}` }),
      ),
    );
    $('#package-slot').hidden = false;
    sayWhatIsBelow();
  }

  /**
   * SPEC §10: the layouts are build infos of the package folder, which the
   * card never reads: it says whether the manifest names them, and where they are checked.
   */
  function layoutLine(m) {
    const named = (m.targets || []).filter((t) => t && t.layout && typeof t.layout === 'object');
    const verifier = el('a', { href: $('[data-verifier-link]').getAttribute('href'), target: '_blank', rel: 'noopener', 'data-layout-verifier': '', text: 'verifier page' });
    const text = named.length
      ? `not checked by this card (it does not read build infos). The manifest names, for ${named.map((t) => `${t.proxy}: previous ${t.layout.previous}, next ${t.layout.next}`).join('; ')}. Give the release and its package folder to the `
      : 'not checked: no target of the manifest names a storage layout, so no verdict compares one. The ';
    return el('span', { class: 'effects-card', 'data-layout-card': named.length ? 'named' : 'none' }, text, verifier, named.length ? ' to compare them.' : ' says the same (storage.layout: skip).');
  }

  /**
   * In a forum's iframe (600×700) the card may be taller than the frame: the
   * top says what is further down, so nobody stops at the proposal id (issue 21).
   */
  function sayWhatIsBelow() {
    const old = $('[data-below]');
    if (old) old.remove();
    const hidden = [...document.querySelectorAll('#card-body > .kv > .k, #card-body > .governance h2')]
      .filter((k) => k.getBoundingClientRect().top > innerHeight - 40)
      .map((k) => k.textContent.trim());
    if (!$('#package-slot').hidden && $('#package-slot').getBoundingClientRect().top > innerHeight - 40) hidden.push('a package check');
    if (!hidden.length) return;
    $('#card-scope').after(el('p', { class: 'below muted', 'data-below': '' }, `Further down in this card: ${hidden.join(', ')} ↓`));
  }

  async function checkPackage(item) {
    const out = clear($('#package-result'));
    const prog = $('#embed-progress');
    out.appendChild(el('div', { class: 'eresult working', text: 'Hashing…' }));
    try {
      const entries = item.kind === 'file' ? [{ path: '', file: item.file }] : item.entries;
      const engines = {};
      const onFile = ({ engine }) => (engines[engine] = (engines[engine] || 0) + 1);
      const hashes = await UpgradeGate.hashFiles(
        entries,
        ({ done, total }) => {
          prog.textContent = `${total ? ((100 * done) / total).toFixed(0) : 100} % · ${formatBytes(done)} of ${formatBytes(total)}`;
        },
        { onFile },
      );
      prog.textContent = '';
      const observed = item.kind === 'file' ? { packageHash: hashes[''] } : { files: hashes };
      const report = selfReport(observed);
      const hash = check(report, 'package.hash');
      const files = check(report, 'package.files');
      const ok = hash.status === 'pass' && files.status !== 'fail';
      // The scope line at the top now counts the package as checked.
      $('#scope-package').textContent = ' and the package you dropped';
      $('#scope-package-not').hidden = true;
      $('#card-scope').dataset.cardScope = 'package';
      const detail = [hash, files].filter((c) => c.status === 'fail' || (ok && c.status === 'pass')).map((c) => c.detail).join(' · ');
      clear(out).appendChild(
        el(
          'div',
          { class: `eresult ${ok ? 'pass' : 'fail'}`, 'data-package': ok ? 'pass' : 'fail' },
          ok ? '✓ This package matches the manifest' : '✗ This package does NOT match the manifest',
          el('span', { class: 'edetail', text: `${item.kind === 'file' ? item.file.name : `${item.name}/ (${item.entries.length} files)`}: ${detail}` }),
          Render.hashedBy(engines),
        ),
      );
    } catch (e) {
      prog.textContent = '';
      clear(out).appendChild(el('div', { class: 'eresult fail', 'data-package': 'error', text: `Could not check the package: ${e.message}` }));
    }
  }

  async function fromDrop(dt) {
    const item = Array.from(dt.items || []).find((i) => i.kind === 'file');
    const entry = item && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    if (entry && entry.isDirectory) return Render.readDropEntry(entry);
    const file = dt.files && dt.files[0];
    return file ? { kind: 'file', file } : null;
  }

  function wire() {
    const slot = $('#package-slot');
    slot.addEventListener('dragover', (e) => {
      e.preventDefault();
      slot.classList.add('over');
    });
    slot.addEventListener('dragleave', () => slot.classList.remove('over'));
    slot.addEventListener('drop', async (e) => {
      e.preventDefault();
      slot.classList.remove('over');
      const item = await fromDrop(e.dataTransfer);
      if (item) checkPackage(item);
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => e.preventDefault());
    $('#pick-file').addEventListener('click', () => {
      $('#file-picker').value = '';
      $('#file-picker').click();
    });
    $('#pick-folder').addEventListener('click', () => {
      $('#folder-picker').value = '';
      $('#folder-picker').click();
    });
    $('#file-picker').addEventListener('change', (e) => {
      const file = e.target.files[0];
      if (file) checkPackage({ kind: 'file', file });
    });
    $('#folder-picker').addEventListener('change', (e) => {
      const files = Array.from(e.target.files);
      if (!files.length) return;
      checkPackage({
        kind: 'folder',
        name: files[0].webkitRelativePath.split('/')[0],
        entries: files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), file: f })),
      });
    });
    window.addEventListener('hashchange', render);
    window.addEventListener('resize', () => {
      if (manifestText) sayWhatIsBelow();
    });
  }

  wire();
  UpgradeGate.ready.then(
    ({ wasmSha256 }) => {
      api = UpgradeGate.api();
      clear($('#wasm-hash')).appendChild(hexGroups(wasmSha256));
      governanceCard = typeof api.governorProposal === 'function';
      // Say which card's module this hash is of.
      $('#module-kind').textContent = governanceCard ? 'of the governance card ' : 'of the forum card ';
      $('#wasm-hash').title = `The SHA-256 of the wasm module running here: compare it with the one the published build prints for www/pkg/${governanceCard ? 'card-governance' : 'card'}/upgrade_gate_bg.wasm`;
      if (governanceCard) $('.ebrand').textContent = 'upgrade-gate · governance card · the manifest, read in your browser';
      render();
      document.body.setAttribute('data-ready', '');
      // Navigation → the card verified and shown: `npm run bench` reads this mark.
      performance.mark('upgrade-gate:ready');
    },
    (e) => {
      clear($('#card-body')).appendChild(el('p', { class: 'error-line', text: `The verifier could not start: ${e.message}` }));
      document.body.setAttribute('data-ready', 'error');
    },
  );
})();
