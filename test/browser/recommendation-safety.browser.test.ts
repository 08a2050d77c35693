// Issue 15: a namespace whose proposal is not safe to apply is shown as not safe, with the path
// and the reason, on the Recommendations page and in its namespace list. In Debian's Chromium
// against the real daemon on the demo flows plus one ping (ICMP, which a NetworkPolicy cannot
// express) from monitoring/prometheus-k8s to shop/web: both namespaces' proposals would default-deny
// it, so both are "not safe to apply" with the ping's path and the ICMP reason; a namespace the
// ping does not touch stays "safe".
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
} from './harness.js';

interface DemoLine {
  flow: { verdict?: string; source?: { pod_name?: string }; destination?: { pod_name?: string } } & Record<
    string,
    unknown
  >;
}

/** The demo's first forwarded prometheus → web flow, turned into an ICMP echo request. */
function pingLine(lines: readonly string[]): string {
  const template = lines
    .map((l) => JSON.parse(l) as DemoLine)
    .find(
      (l) =>
        l.flow.verdict === 'FORWARDED' &&
        l.flow.source?.pod_name === 'prometheus-k8s-0' &&
        (l.flow.destination?.pod_name ?? '').startsWith('web-'),
    );
  if (template === undefined) throw new Error('no prometheus → web flow in the demo');
  return JSON.stringify({
    ...template,
    flow: {
      ...template.flow,
      uuid: '6f1c0a1e-0000-4000-8000-00000000c0de',
      l4: { ICMPv4: { type: 8 } },
      Summary: 'ICMPv4 EchoRequest',
    },
  });
}

const PING_PATH = 'monitoring/prometheus-k8s -> shop/web ICMP/-';
const REASON = /ICMP cannot be expressed in a NetworkPolicy/;

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: a proposal that is not safe to apply (Chromium, demo flows and a ping)', () => {
  let dir: string;
  let daemon: RunningDaemon;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureWebBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'npa-browser-safety-'));
    const lines = shiftedDemoLines(Date.now() - 60_000);
    ({ daemon } = await startFileDaemon(dir, [...lines, pingLine(lines)]));
    context = await launchChromium(path.join(dir, 'profile'));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await daemon?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function open(hash: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${daemon.base}/${hash}`);
    await page.locator('.page[data-ready="true"]').waitFor({ timeout: 30_000 });
    return page;
  }

  it("the namespace's page says not safe to apply, with the path and the reason", async () => {
    const page = await open('#/recommendations?namespace=shop');
    const verdict = page.getByTestId('verdict');
    await expect(verdict.getAttribute('class')).resolves.toContain('verdict-bad');
    const text = (await verdict.textContent()) ?? '';
    expect(text).toContain('Not safe to apply');
    expect(text).toContain(PING_PATH);
    expect(text).toMatch(REASON);
    await expect(
      page.locator('section.ns-section[data-namespace="shop"] h2').textContent(),
    ).resolves.toContain('not safe to apply');
    await page.close();
  });

  it('the namespace list marks both ends of the path not safe, with the reason, and the others safe', async () => {
    const page = await open('#/recommendations');
    await page.locator('[data-safety="known"]').waitFor({ timeout: 30_000 });
    const cell = (ns: string) => page.locator(`tr[data-namespace="${ns}"] [data-testid="safety"]`);
    for (const ns of ['shop', 'monitoring']) {
      const text = (await cell(ns).textContent()) ?? '';
      expect(text).toContain('not safe to apply');
      expect(text).toContain(PING_PATH);
      expect(text).toMatch(REASON);
    }
    await expect(cell('data').textContent()).resolves.toBe('safe');
    await page.close();
  });
});
