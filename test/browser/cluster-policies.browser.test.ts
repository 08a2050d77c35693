// Cluster-scoped policies in the dashboard (issue 21 item 5), in Debian's Chromium against the real
// daemon on the demo flows and the demo snapshot plus two ClusterNetworkPolicies: the Overview
// lists them with the namespaces they cover; a drop an Admin-tier Deny decided names that policy
// and rule in its evidence, with a badge; the Recommendations page proposes cluster guardrails in
// either API version and downloads them. The Admin rule's name is an HTML payload (rule names are
// free text): it must show as text, never as markup.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { shiftedDemoLines, writeDemoSnapshot, XSS_LABEL } from './demo-lines.js';
import { hasChromium, startFileDaemon } from './harness.js';

// Browser-side callbacks see elements through this shape (the suite is type-checked without the DOM lib).
interface El {
  readonly dataset: Record<string, string | undefined>;
}
// Serialised into the page: only its arguments are in scope there.
const dataOf = (list: unknown[], key: string) => (list as El[]).map((e) => e.dataset[key] ?? '');

const nsSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const CLUSTER_POLICIES = [
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'deny-tools-to-data' },
    spec: {
      tier: 'Admin',
      priority: 5,
      subject: { namespaces: nsSelector('data') },
      ingress: [{ name: XSS_LABEL, action: 'Deny', from: [{ namespaces: nsSelector('tools') }] }],
    },
  },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'baseline-shop-and-data' },
    spec: {
      tier: 'Baseline',
      priority: 10,
      subject: {
        namespaces: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'data'] },
          ],
        },
      },
      ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }],
    },
  },
];

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: cluster-scoped policies and guardrails (Chromium, demo flows and inventory)', () => {
  const dialogs: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-cluster-',
    start: (dir) => {
      const snapshot = writeDemoSnapshot(dir, CLUSTER_POLICIES);
      return startFileDaemon(dir, shiftedDemoLines(Date.now() - 60_000), { snapshot });
    },
    onPage: (page) =>
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      }),
  });

  it('overview: each cluster policy with its tier, priority and the namespaces it covers', async () => {
    const page = await suite.open('#/');
    const card = page.getByTestId('cluster-policies');
    await card.waitFor({ timeout: 30_000 });
    const rows = card.locator('tbody tr');
    // Evaluation order: the Admin tier first.
    expect(await rows.evaluateAll(dataOf, 'clusterPolicy')).toEqual([
      'deny-tools-to-data',
      'baseline-shop-and-data',
    ]);
    const admin = rows.nth(0);
    expect(await admin.locator('td').nth(1).textContent()).toBe('Admin');
    expect(await admin.locator('td').nth(2).textContent()).toBe('5');
    expect(await admin.locator('[data-covered]').allTextContents()).toEqual(['data']);
    expect(await rows.nth(1).locator('[data-covered]').allTextContents()).toEqual(['data', 'shop']);
    await page.close();
  });

  it('drops: a drop an Admin-tier Deny decided names the policy and rule, the rule name as text', async () => {
    const page = await suite.open('#/drops?namespace=tools');
    const drop = page.locator('article.drop', { hasText: 'debug-shell' }).first();
    await drop.waitFor({ timeout: 30_000 });
    expect(await drop.locator('.badge', { hasText: 'admin-tier deny' }).count()).toBe(1);
    const line = drop.locator('.evidence-list li', { hasText: 'decided by the cluster policy' });
    expect(await line.first().textContent()).toBe(
      `Ingress decided by the cluster policy ClusterNetworkPolicy deny-tools-to-data (Admin tier, priority 5) ingress[0] ${JSON.stringify(XSS_LABEL)}: Deny`,
    );
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('recommendations: a "Cluster guardrails" section proposes them on request, in either API version, with their own download', async () => {
    const page = await suite.open('#/recommendations?namespace=shop');
    const section = page.getByTestId('cluster-guardrails');
    expect(await section.locator('h2').textContent()).toBe('Cluster guardrails');
    // Nothing is fetched until asked.
    expect(await section.getByTestId('guardrails-result').count()).toBe(0);
    await section.getByTestId('guardrails-load').click();
    const result = section.getByTestId('guardrails-result');
    await result.waitFor({ timeout: 60_000 });
    const kinds = await result.locator('tbody tr td:first-child').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['ClusterNetworkPolicy']));
    expect(await result.textContent()).toContain('none dropped by them');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.locator('button[data-download="guardrails-yaml"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('netpol-advisor-cluster-guardrails-cnp-shop.yaml');
    const file = path.join(suite.dir, download.suggestedFilename());
    await download.saveAs(file);
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(
      await result.locator('tbody tr').evaluateAll(dataOf, 'guardrail'),
    );

    await section.getByTestId('guardrails-flavor').selectOption('anp');
    await section.getByTestId('guardrails-load').click();
    await section
      .locator('[data-testid="guardrails-result"] tbody td:first-child', { hasText: 'AdminNetworkPolicy' })
      .first()
      .waitFor({ timeout: 60_000 });
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
