// The whole-cluster service map as a namespace summary (issue 24 item 4), in Debian's Chromium
// against the real daemon on the demo flows plus one flow from a namespace whose name is an HTML
// payload (namespace names in flows are attacker-controlled): the summary draws one node per
// namespace and links between them, shows the hostile name as text, the find box highlights a
// namespace, and clicking a namespace opens its workload map; there, outside peers are grouped
// per namespace (each on request) and the find box highlights a workload.
import { describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { shiftedDemoLines, XSS_LABEL, xssFlowLine } from './demo-lines.js';
import { hasChromium, startFileDaemon } from './harness.js';

interface El {
  readonly dataset: Record<string, string | undefined>;
}
const dataOf = (list: unknown[], key: string) => (list as El[]).map((e) => e.dataset[key] ?? '');

/** A flow from a pod of namespace `<img src=x onerror=alert(1)>` to xss-lab/target. */
function hostileNamespaceLine(timeMs: number): string {
  const line = JSON.parse(xssFlowLine(timeMs)) as { flow: { source: Record<string, unknown> } };
  line.flow.source = {
    ...line.flow.source,
    namespace: XSS_LABEL,
    labels: ['k8s:app=probe', `k8s:io.kubernetes.pod.namespace=${XSS_LABEL}`],
  };
  return JSON.stringify(line);
}

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: the whole-cluster namespace map (Chromium, demo flows)', () => {
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-nsmap-',
    start: (dir) => {
      const now = Date.now() - 60_000;
      return startFileDaemon(dir, [...shiftedDemoLines(now), hostileNamespaceLine(now)]);
    },
    prepare: (context) => void context.on('weberror', (error) => pageErrors.push(error.error().message)),
    onPage: (page) =>
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      }),
  });

  it('draws namespaces and the links between them, the hostile name as text', async () => {
    const page = await suite.open('#/map');
    const map = page.getByTestId('namespace-map');
    await map.waitFor({ timeout: 30_000 });
    const names = await map.locator('g.ns-node').evaluateAll(dataOf, 'namespace');
    expect(names).toEqual(expect.arrayContaining(['data', 'shop', 'xss-lab', XSS_LABEL]));
    expect(await map.locator('path.ns-link').count()).toBeGreaterThan(0);
    // The demo's policy drops cross namespaces: some link is drawn as dropped.
    expect(await map.locator('path.ns-link-drop').count()).toBeGreaterThan(0);
    const hostile = map.locator('g.ns-node', { has: page.locator('text.ns-label', { hasText: 'onerror' }) });
    expect(await hostile.locator('text.ns-label').textContent()).toBe(XSS_LABEL);
    expect(await map.locator(`path.ns-link[data-target="ns/xss-lab"]`).count()).toBe(1);
    expect(await page.getByTestId('namespace-map-counts').textContent()).toMatch(
      /^\d+ namespaces · \d+ namespace pairs/,
    );
    // The hostile namespace cannot be opened (the API takes DNS names only): said, not navigated.
    await hostile.locator('circle').click();
    expect(await page.locator('.ns-map-wrap + .hint').textContent()).toContain(
      'not a namespace the API can open',
    );
    expect(page.url()).toMatch(/#\/map$/);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('the find box highlights the namespaces whose name matches', async () => {
    const page = await suite.open('#/map');
    await page.getByTestId('namespace-find').fill('sho');
    expect(await page.locator('g.ns-node.ns-match').evaluateAll(dataOf, 'namespace')).toEqual(['shop']);
    await page.getByTestId('namespace-find').fill('');
    expect(await page.locator('g.ns-node.ns-match').count()).toBe(0);
    await page.close();
  });

  it('clicking a namespace opens its workload map; the busiest pairs table drills in too', async () => {
    const page = await suite.open('#/map');
    await page.locator('g.ns-node[data-namespace="data"] circle').click();
    await page.waitForURL(/#\/map\?namespace=data$/);
    const workloads = page.locator('svg.map[aria-label="Service map"]');
    await workloads.waitFor({ timeout: 30_000 });
    expect(await workloads.locator('g.node[data-node="pod/data/postgres"]').count()).toBe(1);
    // Back to the summary by the namespace picker's "Whole cluster", then in by the table.
    await page.locator('input[name="namespace"]').fill('');
    await page.locator('input[name="namespace"]').press('Enter');
    await page.getByTestId('namespace-map').waitFor({ timeout: 30_000 });
    await page.locator('tbody button.link-button', { hasText: 'shop' }).first().click();
    await page.waitForURL(/#\/map\?namespace=shop$/);
    await page.locator('svg.map[aria-label="Service map"] g.node').first().waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a namespace’s map groups its outside peers per namespace, each on request; find highlights a workload', async () => {
    const page = await suite.open('#/map?namespace=data');
    const boxes = page.locator('svg.map[aria-label="Service map"] g.node');
    await boxes.first().waitFor({ timeout: 30_000 });
    const ids = await boxes.evaluateAll(dataOf, 'node');
    expect(ids).toContain('pod/data/postgres');
    expect(ids.filter((id) => id.startsWith('group/ns/')).length).toBeGreaterThan(0);
    // No workload of another namespace is drawn on its own.
    expect(ids.filter((id) => id.startsWith('pod/') && !id.startsWith('pod/data/'))).toEqual([]);
    expect(
      await page.locator('path.edge-hit[data-dropped="true"][data-from^="group/ns/"]').count(),
    ).toBeGreaterThan(0);

    await page.getByTestId('map-find').fill('postgres');
    expect(await page.locator('g.node.node-match').evaluateAll(dataOf, 'node')).toEqual([
      'pod/data/postgres',
    ]);
    expect(await page.getByTestId('map-find-status').textContent()).toBe('1 match');

    await page.getByTestId('map-peers-toggle').click();
    await page.waitForURL(/peers=each/);
    // The URL changes before the hashchange handler replaces the page: wait for the new map.
    await expect
      .poll(() => page.locator('.page[data-ready="true"] svg.map g.node[data-node^="group/"]').count())
      .toBe(0);
    await page.locator('.page[data-ready="true"] svg.map g.node').first().waitFor();
    const each = await page.locator('svg.map g.node').evaluateAll(dataOf, 'node');
    expect(each.filter((id) => id.startsWith('group/'))).toEqual([]);
    expect(each.filter((id) => id.startsWith('pod/') && !id.startsWith('pod/data/')).length).toBeGreaterThan(
      0,
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('?level=workload still draws every workload of the cluster', async () => {
    const page = await suite.open('#/map?level=workload');
    await page.locator('svg.map[aria-label="Service map"] g.node').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('namespace-map').count()).toBe(0);
    await page.close();
  });
});
