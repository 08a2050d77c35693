// Issue 24 item 2: every namespace picker searches ALL namespaces, not the first page of
// /api/v1/namespaces. In Debian's Chromium against the real daemon on the demo flows plus one flow
// in each of 130 more namespaces (scale-000 … scale-129; the API's page is 100, so the last ones
// are only on its second page): each page's picker offers every namespace as a suggestion, and
// typing a name past the first page (exactly, or a part only one name has) and Enter opens it.
import { describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { podPairFlowLine, shiftedDemoLines } from './demo-lines.js';
import { hasChromium, startFileDaemon } from './harness.js';

const EXTRA = 130;
const nsName = (i: number): string => `scale-${String(i).padStart(3, '0')}`;

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: namespace pickers search every namespace (Chromium, > 100 namespaces)', () => {
  const pageErrors: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-picker-',
    start: (dir) => {
      const now = Date.now() - 60_000;
      const extra = Array.from({ length: EXTRA }, (_, i) => podPairFlowLine(now, nsName(i), i));
      return startFileDaemon(dir, [...shiftedDemoLines(now), ...extra]);
    },
    prepare: (context) => void context.on('weberror', (error) => pageErrors.push(error.error().message)),
  });

  it('the API pages the namespaces: the last ones are not on its first page', async () => {
    const first = (await (await fetch(`${suite.daemon.base}/api/v1/namespaces`)).json()) as {
      items: { name: string }[];
      nextCursor: string | null;
    };
    expect(first.nextCursor).not.toBeNull();
    expect(first.items.map((i) => i.name)).not.toContain(nsName(EXTRA - 1));
  });

  it.each(['#/flows', '#/map?namespace=shop', '#/drops', '#/recommendations?namespace=shop'])(
    '%s: the picker suggests every namespace, the last page included',
    async (hash) => {
      const page = await suite.open(hash);
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
    const page = await suite.open('#/flows');
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
