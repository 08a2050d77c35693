// Each dashboard page's use of the one search field (src/web/search-box.ts; alone:
// search-box.browser.test.ts) in Debian's Chromium against the real daemon: the namespace index,
// diagnostics, a namespace's policies and flows each filter, go back to their first page, say when
// nothing matches and reset when the field is cleared (Escape); the map find boxes mark and count
// what matches. The store: the demo, 130 more namespaces, a namespace "wide" of 14 client → server
// pairs (more than 25 proposed policies), and 30 policies in data that select no pod (30 findings).
import { describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { podPairFlowLine, shiftedDemoLines, writeDemoSnapshot } from './demo-lines.js';
import { CHROMIUM_MISSING, hasChromium, startFileDaemon } from './harness.js';

const SCALE = 130;
const WIDE = 14;
const GHOSTS = 30;

/** Policies in data whose selector matches no pod: a doctor finding each. */
function ghostPolicies(): unknown[] {
  return Array.from({ length: GHOSTS }, (_, i) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `ghost-${String(i).padStart(2, '0')}`, namespace: 'data' },
    spec: { podSelector: { matchLabels: { app: `ghost-${i}` } }, policyTypes: ['Ingress'] },
  }));
}

function storeLines(timeMs: number): string[] {
  const scale = Array.from({ length: SCALE }, (_, i) =>
    podPairFlowLine(timeMs, `scale-${String(i).padStart(3, '0')}`, i),
  );
  const wide = Array.from({ length: WIDE }, (_, i) =>
    podPairFlowLine(timeMs, 'wide', 200 + i, { client: `client-${i}`, server: `server-${i}` }),
  );
  return [...shiftedDemoLines(timeMs), ...scale, ...wide];
}

describe.skipIf(skipWhenMissing(hasChromium, CHROMIUM_MISSING))(
  'the search field on every page that has one (Chromium, demo and 145 namespaces)',
  () => {
    const suite = dashboardSuite({
      name: 'npa-browser-search-',
      start: (dir) => {
        const snapshot = writeDemoSnapshot(dir, ghostPolicies());
        return startFileDaemon(dir, storeLines(Date.now() - 60_000), { snapshot });
      },
    });

    it('recommendations index: finds namespaces from the first page, says when none match, resets', async () => {
      const page = await suite.open('#/recommendations');
      const box = page.getByRole('searchbox', { name: 'Find a namespace' });
      await expect(box.getAttribute('name')).resolves.toBe('namespace-search');
      // The page puts the cursor in it.
      await expect(
        box.evaluate(
          (el: unknown) =>
            el === (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
        ),
      ).resolves.toBe(true);
      const rows = page.locator('tr[data-namespace]');
      const status = page.locator('.pager .muted');
      const all = await status.textContent();
      expect(all).toMatch(/^\d+ namespaces; page 1 of 2$/);
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(status.textContent()).resolves.toMatch(/page 2 of 2$/);
      await box.fill(' SCALE ');
      await expect(status.textContent()).resolves.toBe(`${SCALE} namespaces; page 1 of 2`);
      await box.fill('Scale-12');
      expect(await rows.evaluateAll((list: unknown[]) => list.length)).toBe(10);
      await box.fill('No-Such');
      await expect(page.locator('.card .empty').textContent()).resolves.toBe(
        'No namespace matches "no-such".',
      );
      await box.press('Escape');
      await expect(status.textContent()).resolves.toBe(all);
      expect(await rows.count()).toBe(100);
      await page.close();
    });

    it('diagnostics: searches kind, namespace and objects from the first page; says when none match', async () => {
      const page = await suite.open('#/diagnostics');
      const box = page.getByRole('searchbox', { name: 'Search findings' });
      await expect(box.getAttribute('name')).resolves.toBe('finding-search');
      const range = page.getByTestId('findings-range');
      const all = await range.textContent();
      const total = Number(/of (\d+)$/.exec(all ?? '')?.[1]);
      expect(total).toBeGreaterThan(GHOSTS);
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(range.textContent()).resolves.toMatch(/^26–/);
      await box.fill('GHOST');
      await expect(range.textContent()).resolves.toBe(`1–25 of ${GHOSTS}`);
      await box.fill('ghost-29');
      expect(await page.locator('article.drop').count()).toBe(1);
      await expect(range.count()).resolves.toBe(0);
      await box.fill('No-Such');
      await expect(page.locator('.card .empty').textContent()).resolves.toBe('No finding matches "no-such".');
      await box.press('Escape');
      await expect(range.textContent()).resolves.toBe(all);
      await page.close();
    });

    it("a namespace's policies: the table and the cards filtered, from the first page of cards", async () => {
      const page = await suite.open('#/recommendations?namespace=wide');
      const box = page.getByRole('searchbox', { name: 'Search policies' });
      await expect(box.getAttribute('name')).resolves.toBe('policy-search');
      const tableRows = page.locator('table.policy-summary tbody tr');
      const cards = page.locator('details.policy');
      const policies = await tableRows.count();
      expect(policies).toBeGreaterThan(25);
      const cardStatus = page.locator('.pager .muted', { hasText: /^Policies: page/ });
      await page.getByRole('button', { name: 'Next' }).last().click();
      await expect(cardStatus.textContent()).resolves.toBe('Policies: page 2 of 2');
      await box.fill('ALLOW');
      await expect(cardStatus.textContent()).resolves.toBe('Policies: page 1 of 2');
      // With a search on, no card opens by itself.
      expect(
        await cards.evaluateAll(
          (list: unknown[]) => list.filter((d) => (d as { open: boolean }).open).length,
        ),
      ).toBe(0);
      await box.fill('server-13');
      expect(await tableRows.count()).toBe(1);
      expect(await cards.count()).toBe(1);
      await expect(cards.first().getAttribute('data-policy')).resolves.toContain('server-13');
      await box.fill('No-Such');
      // Quoted as typed: this list matches without case but keeps it.
      await expect(page.locator('.policies .empty').textContent()).resolves.toBe(
        'No policy matches "No-Such".',
      );
      await box.press('Escape');
      expect(await tableRows.count()).toBe(policies);
      await expect(cardStatus.textContent()).resolves.toBe('Policies: page 1 of 2');
      await page.close();
    });

    it('flows: starts from ?q=, filters the loaded rows by every word, leaves the URL alone', async () => {
      const page = await suite.open('#/flows?limit=1000&q=postgres');
      const box = page.getByRole('searchbox', { name: 'Search flows' });
      await expect(box.getAttribute('name')).resolves.toBe('q');
      await expect(box.inputValue()).resolves.toBe('postgres');
      const rows = page.getByTestId('flows-table').locator('tbody tr');
      const shown = page.getByTestId('flows-shown');
      await expect(shown.textContent()).resolves.toMatch(/^\d+ of the \d+ flows on this page match$/);
      const url = page.url();
      await box.fill('  SCALE-129   server ');
      expect(await rows.count()).toBe(1);
      await expect(rows.first().textContent()).resolves.toContain('scale-129');
      await box.fill('no-such-flow');
      expect(await rows.count()).toBe(0);
      await expect(shown.textContent()).resolves.toMatch(/^0 of the \d+ flows on this page match$/);
      await box.press('Escape');
      await expect(shown.textContent()).resolves.toMatch(/^\d+ flows on this page$/);
      expect(page.url()).toBe(url);
      await page.close();
    });

    it('the map find boxes mark the matches and count them; clearing unmarks', async () => {
      const page = await suite.open('#/map');
      const find = page.getByRole('searchbox', { name: 'Find a namespace' });
      await expect(find.getAttribute('data-testid')).resolves.toBe('namespace-find');
      await find.fill(' WIDE ');
      expect(await page.locator('g.ns-node.ns-match').count()).toBe(1);
      await expect(page.locator('.ns-map-wrap + .hint').textContent()).resolves.toBe('1 namespaces match.');
      await find.press('Escape');
      expect(await page.locator('g.ns-node.ns-match').count()).toBe(0);
      await expect(page.locator('.ns-map-wrap + .hint').textContent()).resolves.toBe(
        'Click a namespace to open its map.',
      );
      await page.close();

      const wide = await suite.open('#/map?namespace=wide');
      const box = wide.getByRole('searchbox', { name: 'Find a workload' });
      await box.fill('SERVER-1');
      expect(await wide.locator('g.node.node-match').count()).toBe(5);
      await expect(wide.getByTestId('map-find-status').textContent()).resolves.toBe('5 matches');
      await box.press('Escape');
      expect(await wide.locator('g.node.node-match').count()).toBe(0);
      await expect(wide.getByTestId('map-find-status').textContent()).resolves.toBe('');
      await wide.close();
    });
  },
);
