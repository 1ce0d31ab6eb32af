// The verdict area: what the page shows before Verify (no verdict yet), while
// it runs (the hashing progress), after it (the core's report: the banner, the
// Safe hashes to compare with a wallet, the hashes, Governor ids, effects,
// checks and decoded actions) and when no decision was made (an error in the
// page's words). Display only: every check and the decision are the core's.
/* global Render, Governance, Effects */
'use strict';

(function () {
  const { el, clear, hexGroups, formatBytes, formatDuration } = Render;
  const $ = (sel, root = document) => root.querySelector(sel);

  /** Whether a verdict (not the idle or "inputs changed" banner) is on screen. */
  function onScreen() {
    return !!$('#verdict [data-decision]:not([data-decision="none"]):not([data-decision="stale"])');
  }

  /** An input changed: the verdict on screen no longer describes the inputs, so it goes. */
  function stale() {
    const was = $('#verdict [data-decision]');
    const hadVerdict = !!was && was.dataset.decision !== 'error' && was.dataset.decision !== 'working';
    $('#progress').hidden = true;
    if (self.SafeRelease) SafeRelease.setRejected(false);
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
        el('p', { class: 'lead', text: hadVerdict ? 'The previous verdict was cleared because an input changed. Press Verify.' : 'An input changed. Press Verify.' }),
      ),
    );
  }

  /** Nothing verified yet (the page's start, and after Clear all). */
  function idle() {
    if (self.SafeRelease) SafeRelease.setRejected(false);
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

  /** Verify under way: `title` says which step. */
  function working(title) {
    clear($('#verdict')).appendChild(
      el('div', { class: 'banner working', 'data-decision': 'working' }, el('div', { class: 'word', text: 'VERIFYING…' }), el('p', { class: 'lead', text: title })),
    );
  }

  /** The hashing progress bar: returns the function the worker pool reports to. */
  function progress() {
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

  /** No decision was made: why, in the page's words. */
  function failed(e, cancelled) {
    const title = cancelled
      ? 'Hashing was cancelled: nothing was verified.'
      : e.title || (e.field !== undefined ? 'An input could not be read, so no decision was made (the gate fails closed).' : 'Verification stopped with an error.');
    clear($('#verdict')).appendChild(Render.errorBanner(title, cancelled ? 'Press Verify to start again.' : pageWording(e)));
    reveal();
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
      [/^trustedBlockHash: /, 'the Block hash you trust field: '],
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
        el('button', { type: 'button', class: 'small', 'data-copy': '', onclick: () => Render.copyText(text).then(() => { copied.textContent = 'copied'; }) }, 'Copy'),
        el('button', { type: 'button', class: 'small', 'data-download': '', onclick: () => download(fileName, text) }, 'Download'),
        copied,
      ),
      el('pre', { class: 'json', text }),
    );
  }

  function hashRow(label, value, extra) {
    return el('div', { class: 'kv' }, el('div', { class: 'k', text: label }), el('div', { class: 'v' }, value ? hexGroups(value) : el('span', { class: 'muted', text: 'not supplied' }), extra || null));
  }

  /**
   * The report of a verification: `sources` is the list of what it was
   * computed from (CaseState.sourcesView), `demo` the demo case's name if the
   * case is one; the rest says what the release box held (see SafeRelease).
   */
  function show(report, { wrappedSafeTx, releaseTextUsed, batch, manifestText, demo, sources, api, scroll = true, clock = false, trustNeeded = false }) {
    const verdict = clear($('#verdict'));
    const b = Render.banner(report, { demo, clock });
    if (trustNeeded) b.appendChild(trustPointer());
    b.appendChild(sources);
    const rejected = report.decision === 'reject';
    if (self.SafeRelease) SafeRelease.setRejected(rejected);
    verdict.appendChild(b);

    if (report.safeTx) {
      const box = clear($('#safe'));
      box.hidden = false;
      box.dataset.fromReport = '1';
      box.dataset.rejected = rejected ? 'true' : 'false';
      let claimed = null;
      try {
        const tx = JSON.parse(releaseTextUsed).safeTx || {};
        claimed = tx.safeTxHash || tx.contractTransactionHash || null;
      } catch {
        claimed = null;
      }
      if (rejected) {
        // Issue 21: under a REJECT nothing here is offered to compare and sign.
        box.appendChild(el('h2', { text: 'Safe transaction — rejected: do not sign' }));
        box.appendChild(el('p', { class: 'do-not-sign', 'data-do-not-sign': '', text: 'Rejected — do not sign this Safe transaction, and do not approve it from a nested Safe: the verdict above says what is wrong.' }));
        box.appendChild(el('details', { class: 'rejected-hashes' }, el('summary', { text: 'Its hashes, to recognise it (not to sign)' }), Render.safeHashes(report.safeTx, claimed)));
      } else {
        box.appendChild(el('h2', { text: 'Safe transaction — compare with your wallet' }));
        box.appendChild(Render.safeHashes(report.safeTx, claimed));
        const verdict = Render.safeVerdict(report.checks.find((c) => c.id === 'safe.tx'));
        if (verdict) box.appendChild(verdict);
      }
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
    const layout = Effects.layoutSection(report);
    if (layout) d.appendChild(layout);
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
    if (scroll) reveal();
  }

  /**
   * A witness and no trusted hash (SPEC §9.2): the verdict holds until the
   * user types the hash of the witness's block, read from their own source.
   * Points at the field (the core's words are in the reasons above).
   */
  function trustPointer() {
    const go = () => {
      const field = $('#trusted-block-hash');
      field.scrollIntoView({ block: 'center' });
      field.focus({ preventScroll: true });
    };
    return el(
      'div',
      { class: 'trust-pointer', 'data-points-to': 'trusted-block-hash' },
      el('p', {}, el('strong', { text: 'The witness proves nothing yet: ' }), 'type the hash of its block, read from your own node or an explorer, in “Block hash you trust”, then Verify again. Until then nothing was re-executed here.'),
      el('button', { type: 'button', class: 'small primary', 'data-action': 'go-to-trusted-hash', onclick: go }, 'Type the block hash you trust →'),
    );
  }

  /**
   * The verdict where the user is looking, at every width: after Verify the
   * page is scrolled (if needed) so the banner is in view, and it takes the
   * focus, so a screen reader reads it too.
   */
  function reveal() {
    const banner = $('#verdict .banner');
    if (!banner) return;
    banner.setAttribute('tabindex', '-1');
    const r = banner.getBoundingClientRect();
    // Left alone only when it is already whole on screen, near the top.
    if (r.top < 0 || r.top > innerHeight / 3 || r.bottom > innerHeight) banner.scrollIntoView({ block: 'start' });
    banner.focus({ preventScroll: true });
  }

  self.Verdict = { onScreen, stale, idle, working, progress, show, failed, reveal, pageWording };
})();
