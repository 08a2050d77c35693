// Issue 24 item 2: every namespace picker searches ALL namespaces, not the first page of
// /api/v1/namespaces. In Debian's Chromium against the real daemon on the demo flows plus one flow
// in each of 130 more namespaces (scale-000 … scale-129; the API's page is 100, so the last ones
// are only on its second page): each page's picker offers every namespace as a suggestion, and
// typing a name past the first page (exactly, or a part only one name has) and Enter opens it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import {
  ensureWebBuilt,
  hasChromium,
  launchChromium,
  shiftedDemoLines,
  type RunningDaemon,
  startFileDaemon,
  xssFlowLine,
  gotoReady,
} from './harness.js';

const EXTRA = 130;
const nsName = (i: number): string => `scale-${String(i).padStart(3, '0')}`;

/** A forwarded flow between two pods of namespace `ns`. */
function namespaceFlow(timeMs: number, i: number): string {
  const line = JSON.parse(xssFlowLine(timeMs)) as {
    flow: Record<string, unknown> & { source: Record<string, unknown>; destination: Record<string, unknown> };
  };
  const ns = nsName(i);
  const side = (app: string, ip: string, id: number) => ({
    ID: id,
    identity: 100_000 + id,
    namespace: ns,
    labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`],
    pod_name: `${app}-7d9f8c6b5-x${String(i).padStart(3, '0')}`,
    workloads: [{ kind: 'Deployment', name: app }],
  });
  line.flow = {
    ...line.flow,
    uuid: `0b7e1c55-0000-4000-8000-${String(i).padStart(12, '0')}`,
    IP: { source: `10.77.${i}.1`, destination: `10.77.${i}.2`, ipVersion: 'IPv4' },
    source: side('client', `10.77.${i}.1`, 2 * i + 1),
    destination: side('server', `10.77.${i}.2`, 2 * i + 2),
  };
  return JSON.stringify(line);
}

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: namespace pickers search every namespace (Chromium, > 100 namespaces)', () => {
  let dir: string;
  let daemon: RunningDaemon;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'npa-browser-picker-'));
    const now = Date.now() - 60_000;
    const extra = Array.from({ length: EXTRA }, (_, i) => namespaceFlow(now, i));
    ({ daemon } = await startFileDaemon(dir, [...shiftedDemoLines(now), ...extra]));
    context = await launchChromium(path.join(dir, 'profile'));
    context.on('weberror', (error) => pageErrors.push(error.error().message));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await daemon?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function open(hash: string): Promise<Page> {
    const page = await context.newPage();
    await gotoReady(page, daemon.base, hash);
    return page;
  }

  it('the API pages the namespaces: the last ones are not on its first page', async () => {
    const first = (await (await fetch(`${daemon.base}/api/v1/namespaces`)).json()) as {
      items: { name: string }[];
      nextCursor: string | null;
    };
    expect(first.nextCursor).not.toBeNull();
    expect(first.items.map((i) => i.name)).not.toContain(nsName(EXTRA - 1));
  });

  it.each(['#/flows', '#/map?namespace=shop', '#/drops', '#/recommendations?namespace=shop'])(
    '%s: the picker suggests every namespace, the last page included',
    async (hash) => {
      const page = await open(hash);
      const options = await page
        .locator('input[name="namespace"]')
        .evaluate((input: unknown) =>
          [...((input as { list: { options: Iterable<{ value: string }> } }).list.options ?? [])].map(
            (o) => o.value,
          ),
        );
      expect(options).toContain(nsName(EXTRA - 1));
      expect(options).toContain('shop');
      expect(options.length).toBeGreaterThan(EXTRA);
      await page.close();
    },
  );

  it('typing a namespace past the first page and Enter opens it; a part only one name has too', async () => {
    const page = await open('#/flows');
    const picker = page.locator('input[name="namespace"]');
    await picker.fill(nsName(EXTRA - 3));
    await picker.press('Enter');
    await page.waitForURL(new RegExp(`namespace=${nsName(EXTRA - 3)}`));
    await page.locator('.page[data-ready="true"]').waitFor();
    await expect(page.locator('.page').textContent()).resolves.toMatch(
      new RegExp(`${nsName(EXTRA - 3)}.*client.*server`, 's'),
    );

    await page.locator('input[name="namespace"]').fill(`e-${EXTRA - 1}`);
    await page.locator('input[name="namespace"]').press('Enter');
    await page.waitForURL(new RegExp(`namespace=${nsName(EXTRA - 1)}`));
    await page.locator('.page[data-ready="true"]').waitFor();

    // Ambiguous or unknown text chooses nothing and says why.
    await page.locator('input[name="namespace"]').fill('scale-12');
    await page.locator('input[name="namespace"]').press('Enter');
    await expect(page.locator('.picker-status').textContent()).resolves.toContain('Several namespaces match');
    await page.locator('input[name="namespace"]').fill('no-such-namespace');
    await page.locator('input[name="namespace"]').press('Enter');
    await expect(page.locator('.picker-status').textContent()).resolves.toContain('No namespace matches');
    expect(page.url()).toContain(`namespace=${nsName(EXTRA - 1)}`);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
