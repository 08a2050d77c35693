// The HTTP app on a real store (temp SQLite file filled from the demo dataset through the real
// BatchWriter), listening on 127.0.0.1 port 0.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import { ApiAnalysis } from '../../src/http/analysis.js';
import { buildApp } from '../../src/http/app.js';
import type { ReadinessReport } from '../../src/http/deps.js';
import { createMetrics } from '../../src/http/metrics.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';

interface FlowItem {
  source: Record<string, unknown>;
  destination: Record<string, unknown>;
  port: number | null;
  protocol: string;
  verdict: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}
interface FlowPage {
  items: FlowItem[];
  nextCursor: string | null;
}

let dir: string;
let store: FlowStore;
let analysis: ApiAnalysis;
let server: Server;
let base: string;
let readiness: ReadinessReport = { ready: false, reason: 'starting', store: 'opening', sources: [] };
const metrics = createMetrics({ queueCapacity: 100 });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-http-'));
  store = openStore(path.join(dir, 'flows.db'));
  const writer = new BatchWriter({ store, batchSize: 100, onBatch: (s) => metrics.recordBatch(s) });
  const parse = parserFor('hubble');
  const demo = readFileSync(new URL('../../demo/flows.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  for (const line of demo) writer.add(parse(line));
  writer.add(parse('{"flow": not json'));
  writer.flush();
  metrics.setProbes({
    edges: () => store.totals().edges,
    queueDepth: () => 7,
    sources: () => readiness.sources,
  });
  analysis = new ApiAnalysis({ store, readiness: () => readiness });
  const app = buildApp({
    store,
    analysis,
    auth: { mode: 'none' },
    registry: metrics.registry,
    readiness: () => readiness,
    limits: { pageSizeMax: 50, pageSizeDefault: 10, requestBodyBytes: 2048 },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function getJson(route: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(base + route);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

function expectError(body: unknown, code: string, messageIncludes: string): void {
  expect(body).toEqual({ error: { code, message: expect.stringContaining(messageIncludes) as unknown } });
}

describe('HTTP app', () => {
  it('GET /healthz answers ok with security headers and no CORS', async () => {
    const { status, body, headers } = await getJson('/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('access-control-allow-origin')).toBeNull();
    expect(headers.get('x-powered-by')).toBeNull();
  });

  it('GET /readyz is 503 with details until ready, then 200', async () => {
    const before = await getJson('/readyz');
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ ready: false, store: 'opening' });
    readiness = {
      ready: true,
      store: 'open',
      sources: [{ name: 'demo', type: 'demo', state: 'connected', events: 3, errors: 0, lostEvents: 0 }],
    };
    const after = await getJson('/readyz');
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      ready: true,
      store: 'open',
      sources: [{ name: 'demo', state: 'connected' }],
    });
  });

  it('GET /metrics exposes events, rejections by reason, edges, batch latency and source state', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const edges = store.totals().edges;
    expect(text).toMatch(/^netpol_advisor_events_accepted_total [1-9]\d*$/m);
    expect(text).toContain('netpol_advisor_events_rejected_total{reason="invalid_json"} 1');
    expect(text).toContain(`netpol_advisor_edges ${edges}`);
    expect(text).toMatch(/^netpol_advisor_batch_duration_seconds_count [1-9]\d*$/m);
    expect(text).toContain('netpol_advisor_queue_depth 7');
    expect(text).toContain('netpol_advisor_source_state{source="demo",type="demo",state="connected"} 1');
  });

  it('GET /api/v1/flows pages through every edge with the contract shape', async () => {
    const seen: FlowItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await getJson(
        `/api/v1/flows?limit=7${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      const page = body as FlowPage;
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(seen.length).toBe(store.totals().edges);
    const ingress = seen.find(
      (e) => e.source['workload'] === 'ingress-nginx-controller' && e.destination['workload'] === 'web',
    );
    expect(ingress).toMatchObject({
      source: { namespace: 'ingress-nginx', kind: 'Deployment' },
      destination: { namespace: 'shop', kind: 'Deployment' },
      port: 8080,
      protocol: 'TCP',
      verdict: 'forwarded',
    });
    expect(ingress?.firstSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const external = seen.find((e) => e.destination['ip'] === '203.0.113.10');
    expect(external?.destination).toMatchObject({ ip: '203.0.113.10', names: ['payments.example.com'] });
  });

  it('filters by namespace and verdict', async () => {
    const { body } = await getJson('/api/v1/flows?namespace=data&verdict=dropped&limit=50');
    const items = (body as FlowPage).items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.verdict).toBe('dropped');
      expect([item.source['namespace'], item.destination['namespace']]).toContain('data');
    }
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=51', 'limit'],
    ['limit=abc', 'limit'],
    ['verdict=maybe', 'verdict'],
    ['namespace=Not_A_Namespace', 'namespace'],
    ['cursor=%25%25%25', 'cursor'],
    ['cursor=' + 'x'.repeat(100), 'cursor'],
    ['limit=1&limit=2', 'limit'],
    ['nmespace=shop', 'nmespace'],
  ])('GET /api/v1/flows?%s is a 400 naming %s', async (query, name) => {
    const { status, body } = await getJson(`/api/v1/flows?${query}`);
    expect(status).toBe(400);
    expectError(body, 'invalid_parameter', `${name}: `);
  });

  it('maps unknown routes to a 404 and oversized or malformed bodies to 413/400, in the error shape', async () => {
    const missing = await getJson('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expectError(missing.body, 'not_found', '/api/v1/nothing-here');
    const big = await fetch(`${base}/api/v1/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
    expectError(await big.json(), 'payload_too_large', 'too large');
    const bad = await fetch(`${base}/api/v1/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x": ',
    });
    expect(bad.status).toBe(400);
    expectError(await bad.json(), 'invalid_body', 'not valid JSON');
  });

  it('maps an internal failure to a 500 without leaking the cause (the store closed under it)', async () => {
    const other = openStore(path.join(dir, 'closed.db'));
    other.close();
    const otherAnalysis = new ApiAnalysis({ store: other, readiness: () => readiness });
    const app = buildApp({
      store: other,
      analysis: otherAnalysis,
      auth: { mode: 'none' },
      registry: metrics.registry,
      readiness: () => readiness,
      limits: { pageSizeMax: 50, pageSizeDefault: 10, requestBodyBytes: 2048 },
    });
    const errors: object[] = [];
    const logged = buildApp({
      store: other,
      analysis: otherAnalysis,
      auth: { mode: 'none' },
      registry: metrics.registry,
      readiness: () => readiness,
      limits: { pageSizeMax: 50, pageSizeDefault: 10, requestBodyBytes: 2048 },
      logger: { error: (obj) => errors.push(obj) },
    });
    for (const candidate of [app, logged]) {
      const s = candidate.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => s.once('listening', resolve));
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/flows`);
      const text = await res.text();
      await new Promise<void>((resolve) => s.close(() => resolve()));
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(text).not.toMatch(/database|sqlite|at .*\.ts/i);
    }
    expect(errors.length).toBe(1);
  });

  it('with token auth, refuses requests without the bearer token except the probes', async () => {
    const token = 'a-test-token-of-sufficient-length';
    const app = buildApp({
      store,
      analysis,
      auth: { mode: 'token', token },
      registry: metrics.registry,
      readiness: () => readiness,
      limits: { pageSizeMax: 50, pageSizeDefault: 10, requestBodyBytes: 2048 },
    });
    const s = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => s.once('listening', resolve));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-wrong-token' },
        { authorization: token },
      ]) {
        const res = await fetch(`${url}/api/v1/flows`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expectError(await res.json(), 'unauthorized', 'bearer token');
      }
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(
        (await fetch(`${url}/api/v1/flows`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
