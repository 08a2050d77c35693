// Issue 15: a namespace whose proposal is not safe to apply is shown as not safe, with the path
// and the reason, on the Recommendations page and in its namespace list. In Debian's Chromium
// against the real daemon on the demo flows plus one ping (ICMP, which a NetworkPolicy cannot
// express) from monitoring/prometheus-k8s to shop/web: both namespaces' proposals would default-deny
// it, so both are "not safe to apply" with the ping's path and the ICMP reason; a namespace the
// ping does not touch stays "safe". The list reads GET /api/v1/recommendations/safety (each
// namespace judged on its own proposal in the analysis worker): above 2,000 stored edges, where it
// once had a Check button per row, every row still gets its verdict, without any recommendation
// summary (whole-cluster or per namespace) being asked for.
import { describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { shiftedDemoLines, xssFlowLine } from './demo-lines.js';
import { hasChromium, startFileDaemon } from './harness.js';

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

/** `count` distinct edges (one port each) between two pods of namespace bulk. */
function bulkLines(timeMs: number, count: number): string[] {
  const template = JSON.parse(xssFlowLine(timeMs)) as {
    flow: Record<string, unknown> & { source: Record<string, unknown>; destination: Record<string, unknown> };
  };
  const side = (app: string, id: number) => ({
    ID: id,
    identity: 120_000 + id,
    namespace: 'bulk',
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=bulk'],
    pod_name: `${app}-6c8d9f7b5-abcde`,
    workloads: [{ kind: 'Deployment', name: app }],
  });
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      ...template,
      flow: {
        ...template.flow,
        uuid: `0b7e1c55-0000-4000-9000-${String(i).padStart(12, '0')}`,
        IP: { source: '10.78.0.1', destination: '10.78.0.2', ipVersion: 'IPv4' },
        l4: { TCP: { source_port: 40000, destination_port: 10000 + i, flags: { SYN: true } } },
        source: side('client', 1),
        destination: side('server', 2),
      },
    }),
  );
}

const PING_PATH = 'monitoring/prometheus-k8s -> shop/web ICMP/-';
const REASON = /ICMP cannot be expressed in a NetworkPolicy/;

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: a proposal that is not safe to apply (Chromium, demo flows and a ping)', () => {
  const suite = dashboardSuite({
    name: 'npa-browser-safety-',
    start: (dir) => {
      const lines = shiftedDemoLines(Date.now() - 60_000);
      return startFileDaemon(dir, [...lines, pingLine(lines)]);
    },
  });

  it("the namespace's page says not safe to apply, with the path and the reason", async () => {
    const page = await suite.open('#/recommendations?namespace=shop');
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
    const page = await suite.open('#/recommendations');
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

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: not safe to apply, a verdict in every row above 2,000 edges (Chromium)', () => {
  const asked: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-safety-large-',
    start: (dir) => {
      const now = Date.now() - 60_000;
      const lines = shiftedDemoLines(now);
      return startFileDaemon(dir, [...lines, pingLine(lines), ...bulkLines(now, 2_100)]);
    },
  });

  it('every row gets its verdict, with the reason, from the safety route alone', async () => {
    const page = await suite.context.newPage();
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/recommendations')) asked.push(request.url());
    });
    await page.goto(`${suite.daemon.base}/#/recommendations`);
    await page.locator('.page[data-ready="true"] [data-safety="known"]').waitFor({ timeout: 60_000 });
    const cell = (ns: string) => page.locator(`tr[data-namespace="${ns}"] [data-testid="safety"]`);
    for (const ns of ['shop', 'monitoring']) {
      const text = (await cell(ns).textContent()) ?? '';
      expect(text).toContain('not safe to apply');
      expect(text).toContain(PING_PATH);
      expect(text).toMatch(REASON);
    }
    await expect(cell('data').textContent()).resolves.toBe('safe');
    await expect(cell('bulk').textContent()).resolves.toBe('safe');
    await expect(page.getByTestId('check-safety').count()).resolves.toBe(0);
    await expect(page.getByTestId('safety-note').textContent()).resolves.toBe('');
    expect(asked.filter((u) => u.includes('/recommendations/safety'))).toHaveLength(1);
    expect(asked.some((u) => u.includes('/recommendations/summary'))).toBe(false);
    await page.close();
  });
});
