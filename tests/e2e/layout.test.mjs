// SPEC §10 in the page (issue 25): the "Storage layout" section of each
// layout-* example dropped as a case folder shows, per target, the two
// implementations and the build info each layout came from, both layouts'
// state variables side by side by slot (as solc's storageLayout in the
// package's build infos places them), the rows an error is about marked with
// the rule they break; the next case clears it. Screenshots at 390/1280/1920.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { browserAndServer, decision, open, root, shots, filesOf, dropFolder } from './helpers.mjs';

const examples = join(root, 'examples');
const LAYOUT = readdirSync(examples).filter((n) => n.startsWith('layout-') && statSync(join(examples, n)).isDirectory()).sort();
const json = (...p) => JSON.parse(readFileSync(join(...p), 'utf8'));

async function dropAndVerify(page, name) {
  await dropFolder(page, name, filesOf(join(examples, name)));
  await page.waitForFunction(() => document.querySelector('[data-slot="package"] [data-source]')?.dataset.sourceKind === 'case' && document.querySelector('[data-slot="evidence"]').classList.contains('filled'));
  await page.fill('#now', json(examples, name, 'expected.json').now);
  await page.click('#verify');
  return decision(page);
}

/** solc's own storageLayout.storage for a `layout` reference of the example's package. */
function solcStorage(name, reference) {
  const [path, contract] = reference.split('#');
  const colon = contract.lastIndexOf(':');
  const info = json(examples, name, 'package', path);
  return info.output.contracts[contract.slice(0, colon)][contract.slice(colon + 1)].storageLayout.storage;
}

/** What the section shows for one target. */
function shownBinding(page, proxy) {
  return page.$eval(`#storage-layout [data-layout-binding][data-proxy="${proxy}"]`, (li) => ({
    status: li.dataset.status,
    what: [...li.querySelectorAll(':scope > .fx-code-what')].map((d) => d.textContent),
    ops: [...li.querySelectorAll('.fx-findings > li')].map((o) => ({ kind: o.dataset.kind, error: o.dataset.error === 'true', text: o.textContent })),
    rows: [...li.querySelectorAll('tr[data-layout-row]')].map((r) => ({
      slot: r.dataset.slot,
      offset: Number(r.dataset.offset),
      error: r.dataset.error || null,
      rule: r.querySelector('.ly-rule')?.textContent || null,
      red: getComputedStyle(r.querySelector('td')).backgroundColor,
      previous: r.querySelector('td[data-side="previous"] code')?.textContent || null,
      next: r.querySelector('td[data-side="next"] code')?.textContent || null,
    })),
  }));
}

async function elementShot(page, selector, file) {
  mkdirSync(shots, { recursive: true });
  const clip = await page.$eval(selector, (n) => {
    const r = n.getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path: join(shots, `${file}.png`), fullPage: true, clip });
}

describe('the Storage layout section (SPEC §10)', () => {
  const env = browserAndServer();
  const fresh = () => open(env.browser.context, env.srv.url + '?nodemo');

  test('there are layout examples, one releasing and one rejecting', () => {
    const decisions = LAYOUT.map((n) => json(examples, n, 'expected.json').decision).sort();
    assert.deepEqual(decisions, ['reject', 'release'], LAYOUT.join(', '));
  });

  test('each layout example dropped: both implementations, the build infos, the variables by slot, the errors marked; the next case clears it', async () => {
    const page = await fresh();
    // Both orders: a rejecting case's red rows must not survive into a releasing one, nor the reverse.
    for (const name of [...LAYOUT, ...[...LAYOUT].reverse()]) {
      const expected = json(examples, name, 'expected.json');
      assert.equal(await dropAndVerify(page, name), expected.decision, name);
      const failing = expected.fail.includes('storage.layout');
      assert.equal(await page.getAttribute('#storage-layout', 'data-storage-layout'), failing ? 'fail' : 'pass', name);
      // A layout that breaks is a reason to reject, not a release that differs from the approved one.
      if (expected.decision === 'reject') {
        const lead = await page.textContent('#verdict [data-lead]');
        assert.match(lead, /A check failed/, name);
        assert.doesNotMatch(lead, /not what was approved/, name);
      }
      const manifest = json(examples, name, 'manifest.json');
      const targets = manifest.targets.filter((t) => t.layout);
      assert.equal(await page.locator('#storage-layout [data-layout-binding]').count(), targets.length, name);
      for (const t of targets) {
        const b = await shownBinding(page, t.proxy);
        // Per target: previous and next implementation, each with its build info reference.
        assert.equal(b.what.length, 2, name);
        assert.match(b.what[0], /^previous 0x[0-9a-fA-F]{40} from /, name);
        assert.ok(b.what[0].endsWith(t.layout.previous), `${name}: ${b.what[0]}`);
        assert.ok(b.what[1].startsWith(`next ${t.implementation}`), `${name}: ${b.what[1]}`);
        assert.ok(b.what[1].endsWith(t.layout.next), `${name}: ${b.what[1]}`);
        assert.notEqual(b.what[0].split(' ')[1].toLowerCase(), t.implementation.toLowerCase(), `${name}: the previous implementation is the one before`);
        // The variables side by side: exactly solc's placements of both build infos, by slot.
        const key = (s) => `${s.slot}/${s.offset}`;
        const want = new Map();
        for (const [side, ref] of [['previous', t.layout.previous], ['next', t.layout.next]]) {
          for (const s of solcStorage(name, ref)) {
            const row = want.get(key(s)) || { slot: s.slot, offset: s.offset, previous: null, next: null };
            row[side] = s.label;
            want.set(key(s), row);
          }
        }
        const byNumber = (a, b) => (BigInt(a.slot) === BigInt(b.slot) ? a.offset - b.offset : BigInt(a.slot) < BigInt(b.slot) ? -1 : 1);
        assert.deepEqual(
          b.rows.map(({ slot, offset, previous, next }) => ({ slot, offset, previous, next })),
          [...want.values()].sort(byNumber),
          name,
        );
        // The breaking rows: marked with the rule, red, and each rule is one of the error operations shown.
        const errorKinds = new Set(b.ops.filter((o) => o.error).map((o) => o.kind));
        const broken = b.rows.filter((r) => r.error);
        assert.equal(broken.length > 0, failing, `${name}: rows marked broken`);
        assert.equal(errorKinds.size > 0, failing, `${name}: error operations`);
        for (const r of broken) {
          assert.ok(errorKinds.has(r.error), `${name}: row ${r.slot} breaks ${r.error}, which is an error operation`);
          assert.equal(r.rule, r.error, `${name}: the row names its rule`);
          assert.notEqual(r.red, b.rows.find((x) => !x.error)?.red, `${name}: a broken row is coloured`);
          // Each error operation names a variable of a broken row.
          assert.ok(b.ops.some((o) => o.error && (o.text.includes(`\`${r.previous}\``) || o.text.includes(`\`${r.next}\``))), `${name}: row ${r.slot}`);
        }
        for (const o of b.ops.filter((o) => o.error)) {
          assert.ok(broken.some((r) => o.text.includes(`\`${r.previous}\``) || o.text.includes(`\`${r.next}\``)), `${name}: ${o.text} has its row`);
        }
      }
    }
    // A case without a layout: the section goes.
    await dropAndVerify(page, 'standard-transparent');
    assert.equal(await page.$('#storage-layout'), null, 'a case without layout shows no Storage layout section');
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test('the section fits at 390, 1280 and 1920 px; screenshots', async () => {
    const page = await fresh();
    for (const name of LAYOUT) {
      for (const width of [390, 1280, 1920]) {
        await page.setViewportSize({ width, height: 900 });
        await dropAndVerify(page, name);
        const overflow = await page.evaluate(() => {
          const root = document.querySelector('#storage-layout');
          const edge = root.getBoundingClientRect().right + 1;
          const wide = [...root.querySelectorAll('*')].filter((n) => n.getBoundingClientRect().right > edge);
          // A rule's pill holds its whole word (no text past its edge).
          const clipped = [...root.querySelectorAll('.ly-rule, .pill')].filter((n) => n.scrollWidth > n.clientWidth + 1);
          return { page: document.documentElement.scrollWidth > innerWidth, inside: [...wide, ...clipped].map((n) => n.className || n.tagName) };
        });
        assert.deepEqual(overflow, { page: false, inside: [] }, `${name} at ${width} px`);
        await elementShot(page, '#storage-layout', `${name}-${width}`);
      }
    }
    await page.close();
  });
});
