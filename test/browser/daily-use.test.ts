// The dashboard frictions of daily use (issue 18 items 9-14), in Debian's Chromium against the
// real daemon on the demo flows and the demo's cluster snapshot: drops that stay expanded and in
// place across live updates, fix YAML with Copy and Download, a live table that starts with the
// recent drops; overview totals that count each edge once; map arrows with port labels on hover
// and non-policy drops drawn apart; a sortable, searchable flows table with drop reasons;
// recommendations with the verdict first, a summary table and collapsible policies; no download
// buttons for an empty proposal; a sidebar as tall as the window on long pages.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Locator } from 'playwright-core';
import { dashboardSuite } from './dashboard-suite.js';
import { droppedFlowLine, shiftedDemoLines } from './demo-lines.js';
import { hasChromium, startFileDaemon } from './harness.js';
import { skipWhenMissing } from '../ci-tools.js';

// Browser-side callbacks (serialised into the page: no helper of this file is in scope there) see
// elements through this shape: the suite is type-checked without the DOM lib.
interface El {
  readonly textContent: string | null;
  readonly className: string;
  readonly tagName: string;
  readonly dataset: Record<string, string | undefined>;
  readonly children: ArrayLike<El>;
  readonly firstChild: El | null;
  readonly open?: boolean;
}

const isOpen = async (details: Locator): Promise<boolean> => (await details.getAttribute('open')) !== null;

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard in daily use (Chromium, demo flows and inventory)', () => {
  const suite = dashboardSuite({
    name: 'npa-browser-daily-',
    start: (dir) => startFileDaemon(dir, shiftedDemoLines(Date.now() - 60_000)),
    prepare: (context, { daemon }) =>
      context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: daemon.base }),
  });

  it('drops: the live table starts with the recent drops; an expanded fix stays expanded and in place across live updates', async () => {
    const page = await suite.open('#/drops');
    const live = page.getByTestId('live-drops').locator('tbody tr');
    expect(await live.count()).toBeGreaterThan(0);
    expect(await page.getByText('Waiting for blocked flows').count()).toBe(0);

    const cards = page.locator('article.drop');
    const keysBefore = await cards.evaluateAll((list: unknown[]) =>
      (list as El[]).map((e) => e.dataset['key'] ?? ''),
    );
    expect(keysBefore.length).toBeGreaterThan(3);
    // Expand the fix of the third card (not the first: new paths go on top).
    const target = cards.nth(2);
    const targetKey = keysBefore[2] ?? '';
    await target.locator('details.fix > summary').click();
    await expect(isOpen(target.locator('details.fix'))).resolves.toBe(true);

    await page
      .getByTestId('stream-state')
      .filter({ hasText: /^live$/ })
      .waitFor({ timeout: 15_000 });
    appendFileSync(
      suite.started.flowsFile,
      `${droppedFlowLine({ timeMs: Date.now(), destinationPort: 6544, uuid: '5e1f0000-0000-4000-8000-000000006544' })}\n`,
    );
    await page.locator('article.drop', { hasText: '6544/TCP' }).waitFor({ timeout: 20_000 });

    const keysAfter = await cards.evaluateAll((list: unknown[]) =>
      (list as El[]).map((e) => e.dataset['key'] ?? ''),
    );
    // The cards that were there keep their order; the new one came on top.
    expect(keysAfter.filter((k) => keysBefore.includes(k))).toEqual(keysBefore);
    expect(keysAfter[0]).not.toBe(keysBefore[0]);
    const expanded = page.locator(
      `article.drop[data-key="${targetKey.replace(/["\\]/g, '\\$&')}"] details.fix`,
    );
    await expect(isOpen(expanded)).resolves.toBe(true);
    await page.close();
  });

  it('drops and diagnostics: fix YAML has Copy and Download buttons that give the policies', async () => {
    const page = await suite.open('#/drops');
    const card = page
      .locator('article.drop', { has: page.locator('button[data-action="download-fix"]') })
      .first();
    await card.locator('details.fix > summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.locator('button[data-action="download-fix"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^fix-[A-Za-z0-9._-]+\.yaml$/);
    const file = path.join(suite.dir, download.suggestedFilename());
    await download.saveAs(file);
    const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind?: string });
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(doc.kind).toBe('NetworkPolicy');
    await card.locator('button[data-action="copy-fix"]').click();
    await card.locator('button[data-action="copy-fix"]', { hasText: /^Copied$/ }).waitFor({ timeout: 5000 });
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(readFileSync(file, 'utf8'));
    await page.close();

    const diagnostics = await suite.open('#/diagnostics');
    const finding = diagnostics
      .locator('article.drop', { has: diagnostics.locator('button[data-action="download-fix"]') })
      .first();
    await finding.locator('details.fix > summary').click();
    const [saved] = await Promise.all([
      diagnostics.waitForEvent('download'),
      finding.locator('button[data-action="download-fix"]').click(),
    ]);
    expect(saved.suggestedFilename()).toMatch(/^fix-.+\.yaml$/);
    expect(await finding.locator('button[data-action="copy-fix"]').count()).toBe(1);
    await diagnostics.close();
  });

  it('overview: the totals count each edge once, as the store does', async () => {
    const page = await suite.open('#/overview');
    const stats = page.locator('.stat', { hasText: 'Observed paths' }).locator('.stat-value');
    const shown = Number(((await stats.textContent()) ?? '').replace(/,/g, ''));
    const metrics = await (await fetch(`${suite.daemon.base}/metrics`)).text();
    const stored = Number(/^netpol_advisor_edges (\d+)$/m.exec(metrics)?.[1]);
    expect(stored).toBeGreaterThan(0);
    expect(shown).toBe(stored);
    // The per-namespace column counts a cross-namespace edge in both namespaces: its sum is larger.
    // Columns with class num: policies, observed edges, drops; the edges are every third from the second.
    const perNamespace = await page
      .locator('tr[data-namespace] td.num')
      .evaluateAll((list: unknown[]) =>
        (list as El[])
          .filter((_, i) => i % 3 === 1)
          .reduce((sum, c) => sum + Number((c.textContent ?? '0').replace(/,/g, '')), 0),
      );
    expect(perNamespace).toBeGreaterThan(shown);
    await page.close();
  });

  it('service map: ports on hover, conntrack drops drawn apart from policy drops, with a legend', async () => {
    const page = await suite.open('#/map?namespace=shop');
    const nonPolicy = page.locator('path.edge-hit[data-nonpolicy="true"]');
    expect(await nonPolicy.count()).toBeGreaterThan(0);
    await expect(nonPolicy.first().getAttribute('data-to')).resolves.toBe('pod/shop/redis');
    expect(await page.locator('path.edge.edge-nonpolicy').count()).toBe(await nonPolicy.count());
    expect(await page.locator('path.edge.edge-drop').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('legend-nonpolicy').textContent()).resolves.toContain('not by a policy');

    const group = page.locator('g.edge-group', {
      has: page.locator('path.edge-hit[data-from="pod/shop/web"][data-to="pod/shop/api"]'),
    });
    const label = group.locator('text.edge-label');
    expect(await label.isVisible()).toBe(false);
    await group.locator('path.edge-hit').hover({ force: true });
    await label.waitFor({ state: 'visible' });
    await expect(label.textContent()).resolves.toContain('8000/TCP');
    await page.close();
  });

  it('flows: sorts by any column, searches names and labels, shows the drop reason', async () => {
    const page = await suite.open('#/flows?limit=200');
    const rows = page.getByTestId('flows-table').locator('tbody tr');
    const counts = (): Promise<number[]> =>
      rows.evaluateAll((list: unknown[]) =>
        (list as El[]).map((tr) => Number((tr.children[5]?.textContent ?? '0').replace(/,/g, ''))),
      );
    await page.locator('th[data-sort="count"] button').click();
    const desc = await counts();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await expect(page.locator('th[data-sort="count"]').getAttribute('aria-sort')).resolves.toBe('descending');
    await page.locator('th[data-sort="count"] button').click();
    const asc = await counts();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(asc[0]).toBeLessThan(asc.at(-1) ?? 0);

    await page.locator('th[data-sort="source"] button').click();
    const sources = await rows.evaluateAll((list: unknown[]) =>
      (list as El[]).map((tr) => tr.children[0]?.firstChild?.textContent ?? ''),
    );
    expect(sources).toEqual([...sources].sort((a, b) => b.localeCompare(a)));

    await page.locator('input[name="q"]').fill('CT_MAP_INSERTION_FAILED');
    expect(await rows.count()).toBe(1);
    await expect(rows.first().locator('td[data-column="reason"]').textContent()).resolves.toBe(
      'CT_MAP_INSERTION_FAILED',
    );
    await page.locator('input[name="q"]').fill('app.kubernetes.io/name=postgres');
    const matching = await rows.count();
    expect(matching).toBeGreaterThan(0);
    for (let i = 0; i < matching; i++)
      await expect(rows.nth(i).textContent()).resolves.toContain('data/postgres');
    await expect(page.getByTestId('flows-shown').textContent()).resolves.toMatch(
      new RegExp(`^${matching} of the \\d+ flows on this page match$`),
    );
    await page.close();
  });

  it('recommendations: the verdict first, a summary table, policies collapsible and collapsed beyond the first few', async () => {
    const page = await suite.open('#/recommendations?namespace=shop');
    const section = page.locator('section.ns-section[data-namespace="shop"]');
    const order = await section
      .locator(':scope > *')
      .evaluateAll((list: unknown[]) =>
        (list as El[]).map((c) => (c.className !== '' ? c.className : c.tagName)),
      );
    expect(order[0]).toContain('section-head');
    expect(order[1]).toContain('verdict');
    await expect(section.getByTestId('verdict').textContent()).resolves.toMatch(
      /^(Safe to apply|Not safe to apply)\./,
    );
    const policies = section.locator('details.policy');
    const n = await policies.count();
    expect(n).toBeGreaterThan(3);
    expect(await section.locator('table.policy-summary tbody tr').count()).toBe(n);
    const expanded = await policies.evaluateAll((list: unknown[]) =>
      (list as El[]).map((d) => d.open === true),
    );
    expect(expanded).toEqual(expanded.map((_, i) => i < 3));
    await policies.nth(4).locator('summary').click();
    await expect(isOpen(policies.nth(4))).resolves.toBe(true);
    await page.close();
  });

  it('drops: filtered by class through the picker, every path shown of that class', async () => {
    const page = await suite.open('#/drops');
    const classes = await page
      .locator('article.drop')
      .evaluateAll((list: unknown[]) => (list as El[]).map((a) => a.dataset['classification'] ?? ''));
    const wanted = classes[0] ?? 'unknown';
    await page.selectOption('select[name="classification"]', wanted);
    await page.waitForURL(new RegExp(`classification=${wanted}`));
    await page.locator('.page[data-ready="true"] select[name="classification"]').waitFor();
    const shown = await page
      .locator('article.drop')
      .evaluateAll((list: unknown[]) => (list as El[]).map((a) => a.dataset['classification'] ?? ''));
    expect(shown.length).toBe(classes.filter((c) => c === wanted).length);
    expect(new Set(shown)).toEqual(new Set([wanted]));
    await page.close();
  });

  it('recommendations: without a namespace, every namespace to choose from and no whole-cluster proposal fetched', async () => {
    const page = await suite.context.newPage();
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/recommendations')) asked.push(request.url());
    });
    await page.goto(`${suite.daemon.base}/#/recommendations`);
    await page.locator('.page[data-ready="true"]').waitFor();
    expect(await page.locator('tr[data-namespace]').count()).toBeGreaterThan(3);
    await page.fill('input[name="namespace-search"]', 'sho');
    expect(await page.locator('tr[data-namespace]').count()).toBe(1);
    await page.locator('tr[data-namespace="shop"] a').first().click();
    await page.waitForURL(/namespace=shop/);
    await page.locator('.page[data-ready="true"] section.ns-section').waitFor();
    // The summary first; a collapsed policy's YAML only once it is opened.
    expect(asked.some((u) => /\/recommendations\/summary\?namespace=shop/.test(u))).toBe(true);
    expect(asked.some((u) => /\/api\/v1\/recommendations(\?|$)/.test(u))).toBe(false);
    const closed = page.locator('details.policy').nth(4);
    const name = await closed.getAttribute('data-policy');
    expect(asked.some((u) => u.includes(`name=${encodeURIComponent(name ?? '')}`))).toBe(false);
    await closed.locator('summary').click();
    await closed.locator('pre.yaml').waitFor();
    await expect(closed.locator('pre.yaml').textContent()).resolves.toContain(`name: ${name ?? ''}`);
    expect(
      asked.some(
        (u) => u.includes('/recommendations/policy?') && u.includes(`name=${encodeURIComponent(name ?? '')}`),
      ),
    ).toBe(true);
    await page.close();
  });

  it('recommendations: an empty proposal shows no download buttons', async () => {
    const page = await suite.open('#/recommendations?namespace=kube-system');
    expect(await page.locator('button[data-download]').count()).toBe(0);
    await expect(page.locator('.page').textContent()).resolves.toMatch(/No proposal|Nothing to apply/);
    await page.close();
  });

  it('the sidebar fills the window height on a long page, scrolled to the bottom', async () => {
    const page = await suite.open('#/flows?limit=200');
    const viewport = page.viewportSize();
    const documentHeight = await page.evaluate<number>('document.documentElement.scrollHeight');
    expect(documentHeight).toBeGreaterThan((viewport?.height ?? 0) * 2);
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const box = await page.locator('aside.sidebar').boundingBox();
    expect(box?.y).toBe(0);
    expect(box?.height).toBe(viewport?.height);
    await page.close();
  });
});
