// Cached rendered bodies on the real app and store: a strong ETag per body, 304 for a matching
// If-None-Match (nothing sent), a new body and ETag once new flows are written, and a flows page
// that is never older than the last committed batch although it is rendered once per data version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;

beforeAll(async () => {
  app = await startSeededApp();
});
afterAll(async () => {
  await app.close();
});

interface FlowsPage {
  items: { id: number; source: { namespace?: string }; count: number }[];
  nextCursor: string | null;
}

/** One Hubble flow line (the fixture's format) from a new workload in `shop`. */
function hubbleLine(workload: string, timeMs: number): string {
  return JSON.stringify({
    flow: {
      time: new Date(timeMs).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: '10.0.9.9', destination: '10.0.9.10', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } },
      source: {
        namespace: 'shop',
        pod_name: `${workload}-abc12`,
        labels: [`k8s:app=${workload}`],
        workloads: [{ name: workload, kind: 'Deployment' }],
      },
      destination: {
        namespace: 'shop',
        pod_name: 'backend-def34',
        labels: ['k8s:app=backend'],
        workloads: [{ name: 'backend', kind: 'Deployment' }],
      },
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });
}

const ROUTES = [
  '/api/v1/graph',
  '/api/v1/namespaces',
  '/api/v1/drops',
  '/api/v1/recommendations?namespace=shop',
  '/api/v1/flows?namespace=shop&limit=5',
];

describe('rendered bodies', () => {
  // Identity coding: the bytes as rendered (compression.test.ts covers the coded variants).
  const identity = { 'accept-encoding': 'identity' };
  it.each(ROUTES)('%s: JSON with a strong ETag; If-None-Match gets 304 without a body', async (route) => {
    const first = await fetch(app.base + route, { headers: identity });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await first.text();
    expect(Number(first.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    JSON.parse(text);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9_-]{27}"$/);
    const again = await fetch(app.base + route, {
      headers: { ...identity, 'if-none-match': `W/"other", ${etag}` },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(app.base + route, { headers: { ...identity, 'if-none-match': '"0-nope"' } });
    expect(other.status).toBe(200);
    expect(await other.text()).toBe(text);
    const head = await fetch(app.base + route, { method: 'HEAD', headers: identity });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(await head.text()).toBe('');
  });

  it('flows: the page of a new batch is served at once, with a new ETag; the old ETag no longer matches', async () => {
    const route = '/api/v1/flows?namespace=shop&limit=50';
    const before = await fetch(app.base + route);
    expect(before.status).toBe(200);
    const etag = before.headers.get('etag') ?? '';
    const beforeBody = (await before.json()) as FlowsPage;
    // A cache hit is the same bytes.
    expect((await fetch(app.base + route)).headers.get('etag')).toBe(etag);
    const parse = parserFor('hubble');
    app.writer.add(parse(hubbleLine('newcomer', app.deps.analysis.now())));
    app.writer.flush();
    const after = await fetch(app.base + route, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const afterBody = (await after.json()) as FlowsPage;
    expect(afterBody.items.length).toBe(beforeBody.items.length + 1);
    expect(JSON.stringify(afterBody.items)).toContain('newcomer');
  });
});
