// The dashboard in a real headless Chromium against the real daemon: the demo flows (times
// shifted to now) come from a followed file source, so the test can append flows while the page
// is open. Every page is loaded and checked for real content; exports are downloaded and parsed;
// a drop appended to the file shows up live over the WebSocket; an HTML payload in a pod label is
// rendered as text. With UPDATE_SCREENSHOTS=1 the pages are saved under docs/screenshots/.
import { mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { dashboardSuite } from './dashboard-suite.js';
import { droppedFlowLine, shiftedDemoLines, XSS_LABEL, xssFlowLine } from './demo-lines.js';
import { hasChromium, repoRoot, startFileDaemon, untar, waitFor } from './harness.js';
import { skipWhenMissing } from '../ci-tools.js';

const updateScreenshots = process.env['UPDATE_SCREENSHOTS'] === '1';
const screenshotDir = path.join(repoRoot, 'docs/screenshots');

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard in Chromium (real serve, demo flows)', () => {
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-',
    start: (dir) =>
      startFileDaemon(dir, shiftedDemoLines(Date.now() - 60_000), { extraConfig: ['logLevel: info'] }),
    prepare: (context) => {
      context.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      context.on('weberror', (error) => pageErrors.push(error.error().message));
    },
  });

  async function shoot(page: Page, name: string): Promise<void> {
    if (!updateScreenshots) return;
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  it('serves the built dashboard with the CSP, cacheable assets and a deep-link fallback', async () => {
    const index = await fetch(`${suite.daemon.base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script>|<style>|style="/);
    const asset = await fetch(`${suite.daemon.base}${script ?? ''}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const deep = await fetch(`${suite.daemon.base}/some/dashboard/route`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const missingAsset = await fetch(`${suite.daemon.base}/assets/nope.js`);
    expect(missingAsset.status).toBe(404);
    const api404 = await fetch(`${suite.daemon.base}/api/v1/nope`);
    expect(api404.status).toBe(404);
    expect(((await api404.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('overview lists the demo namespaces with their traffic', async () => {
    const page = await suite.open('#/overview');
    for (const ns of ['shop', 'data', 'monitoring', 'ingress-nginx', 'kube-system']) {
      await expect(page.locator(`tr[data-namespace="${ns}"]`).count()).resolves.toBe(1);
    }
    const shopEdges = await page.locator('tr[data-namespace="shop"] td.num').nth(1).textContent();
    expect(Number((shopEdges ?? '').replace(/,/g, ''))).toBeGreaterThan(0);
    await expect(page.locator('.stat-value').first().textContent()).resolves.toMatch(/^\d+$/);
    // Coverage from the demo's cluster snapshot: shop denies ingress by default, data's only pod is
    // selected by postgres-ingress, monitoring has no policy.
    await expect(page.locator('tr[data-namespace="shop"] td').nth(1).textContent()).resolves.toBe(
      'default deny',
    );
    await expect(page.locator('tr[data-namespace="shop"] td').nth(2).textContent()).resolves.toBe('open');
    await expect(page.locator('tr[data-namespace="data"] .coverage-text').textContent()).resolves.toBe(
      '100% (1/1 pods)',
    );
    await expect(page.locator('tr[data-namespace="monitoring"] .coverage-text').textContent()).resolves.toBe(
      '0% (0/1 pods)',
    );
    await shoot(page, 'overview');
    await page.close();
  });

  it('service map draws the workloads and flows, drops dashed, and shows an edge’s evidence on click', async () => {
    const page = await suite.open('#/map?namespace=data');
    expect(await page.locator('svg.map g.node').count()).toBeGreaterThan(1);
    expect(await page.locator('svg.map path.edge').count()).toBeGreaterThan(0);
    const dropped = page.locator('path.edge-hit[data-dropped="true"]');
    expect(await dropped.count()).toBeGreaterThan(0);
    expect(await page.locator('path.edge.edge-drop').count()).toBe(await dropped.count());
    await dropped.first().dispatchEvent('click');
    const evidence = page.getByTestId('edge-evidence');
    await evidence.waitFor();
    await expect(evidence.textContent()).resolves.toMatch(/Connections.*First seen.*Last seen/s);
    await expect(evidence.textContent()).resolves.toContain('dropped');
    await page.locator('.samples dl').waitFor();
    await expect(page.locator('.samples').textContent()).resolves.toMatch(/Source pods.*-\w+/s);
    // The whole cluster, through the namespace picker: the namespace summary
    // (namespace-map.browser.test.ts); every workload of it on request.
    await page.fill('input[name="namespace"]', '');
    await page.press('input[name="namespace"]', 'Enter');
    await page.waitForURL(/#\/map$/);
    await page.getByTestId('namespace-map').waitFor();
    await page.goto(`${suite.daemon.base}/#/map?level=workload`);
    await page.locator('.page[data-ready="true"]').waitFor();
    expect(await page.locator('svg.map g.node').count()).toBeGreaterThan(10);
    await page
      .locator('path.edge-hit[data-dropped="true"][data-to="pod/data/postgres"]')
      .first()
      .dispatchEvent('click');
    await page.locator('.samples dl').waitFor();
    await shoot(page, 'service-map');
    await page.close();
  });

  it('flows: filters by namespace and verdict and pages with the cursor', async () => {
    const page = await suite.open('#/flows?limit=10');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(10);
    const firstPage = await rows.first().textContent();
    await page.getByRole('button', { name: 'Next page →' }).click();
    await page.waitForURL(/cursor=/);
    await page.locator('.page[data-ready="true"]').waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await rows.first().textContent()).not.toBe(firstPage);
    await page.goto(`${suite.daemon.base}/#/flows?namespace=data&verdict=dropped`);
    await page.locator('.page[data-ready="true"]').waitFor();
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      await expect(rows.nth(i).locator('.badge').textContent()).resolves.toBe('dropped');
      await expect(rows.nth(i).textContent()).resolves.toContain('data/');
    }
    await page.goto(`${suite.daemon.base}/#/flows?namespace=shop`);
    await page.locator('.page[data-ready="true"]').waitFor();
    await shoot(page, 'flows');
    await page.close();
  });

  it('recommendations: highlighted YAML with evidence, diff, exposure; YAML and tar downloads parse', async () => {
    const page = await suite.open('#/recommendations?namespace=shop');
    const section = page.locator('section.ns-section[data-namespace="shop"]');
    expect(await section.locator('.policy').count()).toBeGreaterThan(1);
    await expect(section.locator('pre.yaml').first().textContent()).resolves.toContain('kind: NetworkPolicy');
    expect(await section.locator('pre.yaml .y-key').count()).toBeGreaterThan(5);
    expect(await section.locator('table.mini tbody tr').count()).toBeGreaterThan(0);
    await expect(section.locator('.diff').textContent()).resolves.toContain('added');
    await expect(section.locator('.diff').textContent()).resolves.toContain('api-egress');
    await expect(page.locator('.stats').textContent()).resolves.toContain('Exposure reduction');
    await expect(page.locator('pre.code').textContent()).resolves.toContain('kubectl');
    await shoot(page, 'recommendations');

    const [yamlDownload] = await Promise.all([
      page.waitForEvent('download'),
      section.locator('button[data-download="yaml"]').click(),
    ]);
    const yamlPath = path.join(suite.dir, 'export.yaml');
    await yamlDownload.saveAs(yamlPath);
    expect(yamlDownload.suggestedFilename()).toBe('netpol-advisor-shop.yaml');
    const docs = parseAllDocuments(readFileSync(yamlPath, 'utf8')).map(
      (d) => d.toJS() as { kind?: string; apiVersion?: string; metadata?: { namespace?: string } },
    );
    expect(docs.length).toBeGreaterThan(1);
    for (const doc of docs) {
      expect(doc.kind).toBe('NetworkPolicy');
      expect(doc.apiVersion).toBe('networking.k8s.io/v1');
      expect(doc.metadata?.namespace).toBe('shop');
    }

    const [tarDownload] = await Promise.all([
      page.waitForEvent('download'),
      section.locator('button[data-download="tar"]').click(),
    ]);
    const tarPath = path.join(suite.dir, 'export.tar');
    await tarDownload.saveAs(tarPath);
    const files = untar(readFileSync(tarPath));
    const names = [...files.keys()];
    expect(names.some((n) => n.endsWith('/kustomization.yaml'))).toBe(true);
    expect(names.some((n) => n.endsWith('/verify.sh'))).toBe(true);
    const shopFile = [...files.entries()].find(([n]) => n.endsWith('/shop.yaml'));
    expect(shopFile).toBeDefined();
    const kinds = parseAllDocuments(shopFile?.[1] ?? '').map((d) => (d.toJS() as { kind?: string }).kind);
    expect(kinds.length).toBe(docs.length);
    expect(new Set(kinds)).toEqual(new Set(['NetworkPolicy']));
    await page.close();
  });

  it('drops: classified list and alerts, and a new drop appears live over the WebSocket', async () => {
    const page = await suite.open('#/drops');
    expect(await page.locator('article.drop').count()).toBeGreaterThan(0);
    await expect(page.locator('article.drop').first().textContent()).resolves.toMatch(
      /data\/postgres|dropped connections/,
    );
    await page
      .getByTestId('stream-state')
      .filter({ hasText: /^live$/ })
      .waitFor({ timeout: 15_000 });
    appendFileSync(
      suite.started.flowsFile,
      `${droppedFlowLine({ timeMs: Date.now(), destinationPort: 6543, uuid: '5e1f0000-0000-4000-8000-000000006543' })}\n`,
    );
    const live = page.getByTestId('live-drops').locator('tbody tr', { hasText: '6543/TCP' });
    await live.waitFor({ timeout: 20_000 });
    await expect(live.textContent()).resolves.toContain('data/postgres');
    // The classified list refreshes too.
    await page.locator('article.drop', { hasText: '6543/TCP' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.card', { hasText: 'Alerts' }).count()).resolves.toBeGreaterThan(0);
    await shoot(page, 'drops');
    await page.close();
  });

  it('diagnostics page renders', async () => {
    const page = await suite.open('#/diagnostics');
    await expect(page.locator('h1').textContent()).resolves.toBe('Diagnostics');
    await expect(page.locator('.card').count()).resolves.toBeGreaterThan(0);
    await shoot(page, 'diagnostics');
    await page.close();
  });

  it('renders a pod label holding HTML as text: no element, no script run', async () => {
    appendFileSync(suite.started.flowsFile, `${xssFlowLine(Date.now())}\n`);
    await waitFor('the xss-lab flow in the API', 20_000, async () => {
      const body = (await (await fetch(`${suite.daemon.base}/api/v1/flows?namespace=xss-lab`)).json()) as {
        items: unknown[];
      };
      return body.items.length > 0 ? true : undefined;
    });
    const page = await suite.context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${suite.daemon.base}/#/flows?namespace=xss-lab`);
    await page.locator('.page[data-ready="true"]').waitFor();
    const chip = page.getByText(`app=${XSS_LABEL}`, { exact: true });
    await chip.waitFor();
    expect(await chip.isVisible()).toBe(true);
    expect(await page.locator('img').count()).toBe(0);
    // The map and the overview carry the same data through other code paths.
    await page.goto(`${suite.daemon.base}/#/map?namespace=xss-lab`);
    await page.locator('.page[data-ready="true"]').waitFor();
    await page.locator('path.edge-hit').first().dispatchEvent('click');
    await page.locator('.samples dl').waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('raised no CSP violation and no page error on any page', async () => {
    const page = await suite.open('#/overview');
    for (const hash of ['#/map', '#/flows', '#/recommendations', '#/drops', '#/diagnostics']) {
      await page.goto(`${suite.daemon.base}/${hash}`);
      await page.locator('.page[data-ready]').waitFor();
    }
    await page.close();
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
