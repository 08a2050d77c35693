// Every API route on a real seeded store (seeded-app.ts): shapes, validation 400s naming the
// parameter, paging, export parse-back (YAML multi-doc, tar listing), simulate with YAML and JSON.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { AlertDispatcher } from '../../src/alerts/dispatcher.js';
import { createSink } from '../../src/alerts/sinks.js';
import { buildDropReports } from '../../src/drops/report.js';
import { FIXTURES, startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;

beforeAll(async () => {
  app = await startSeededApp();
});
afterAll(async () => {
  await app.close();
});

/* Response shapes as far as these tests read them (the OpenAPI suite validates them in full). */
interface ErrorBody {
  error: { code: string; message: string };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface NamespaceItem {
  name: string;
  coverage: {
    defaultDenyIngress: boolean;
    defaultDenyEgress: boolean;
    policies: number;
    selectedShare: number | null;
  };
  edges: number;
  dropsLastHour: { paths: number };
}
interface GraphBody {
  nodes: { id: string }[];
  links: { source: string; target: string; dropped: boolean }[];
  truncated: boolean;
  totalLinks: number;
}
interface RecommendationsBody {
  namespaces: {
    namespace: string;
    policies: { rules: { direction: string; peer: string }[]; yaml: string }[];
    diff: { policy: string; change: string }[];
  }[];
  proof: { violations: number };
  exposure: { before: { reachable: number }; after: { reachable: number } };
  verifyScript: string;
  tighten: unknown[];
}
interface ExportJsonBody {
  namespaces: Record<string, unknown>;
  proof: { violations: number };
}
interface DropItem {
  classification: string;
  evidence: unknown[];
  fix: unknown[];
}
interface AlertsBody {
  items: { status: string; deliveries: { sink: string; state: string }[] }[];
}

async function get<T = ErrorBody>(route: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(app.base + route);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON (an export)
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

function expect400(result: { status: number; body: unknown }, parameter: string): void {
  expect(result.status).toBe(400);
  const body = result.body as ErrorBody;
  expect(body.error.code).toMatch(/^invalid_/);
  expect(body.error.message).toContain(parameter);
}

describe('GET /api/v1/namespaces', () => {
  it('lists each namespace with coverage from the snapshot, edges and recent drops', async () => {
    const { status, body } = await get<Page<NamespaceItem>>('/api/v1/namespaces');
    expect(status).toBe(200);
    const names = body.items.map((n) => n.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['data', 'shop', 'kube-system']));
    const data = body.items.find((n) => n.name === 'data');
    if (data === undefined) throw new Error('namespace data missing');
    // data has the overly broad allow-all-ingress policy: every pod selected, no default deny.
    expect(data.coverage).toMatchObject({ defaultDenyIngress: false, defaultDenyEgress: false });
    expect(data.coverage.policies).toBeGreaterThan(0);
    expect(data.coverage.selectedShare).toBe(1);
    expect(data.edges).toBeGreaterThan(0);
    const total = body.items.reduce((sum, n) => sum + n.dropsLastHour.paths, 0);
    expect(total).toBeGreaterThan(0);
  });

  it('totals count each edge once, unlike the sum over namespaces (issue 18 item 10)', async () => {
    const { body } = await get<
      Page<NamespaceItem> & {
        totals: { edges: number; connections: number; dropsLastHour: { paths: number } };
      }
    >('/api/v1/namespaces?limit=1');
    expect(body.totals.edges).toBe(app.store.totals().edges);
    // Every page carries the same totals; the namespaces' own counts include cross-namespace edges twice.
    const all = await get<Page<NamespaceItem>>('/api/v1/namespaces?limit=50');
    expect(all.body.items.reduce((sum, n) => sum + n.edges, 0)).toBeGreaterThan(body.totals.edges);
  });

  it('pages by name with an opaque cursor and refuses a forged one', async () => {
    const first = await get<Page<NamespaceItem>>('/api/v1/namespaces?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get<Page<NamespaceItem>>(
      `/api/v1/namespaces?limit=1&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect((second.body.items[0]?.name ?? '') > (first.body.items[0]?.name ?? '~')).toBe(true);
    expect400(
      await get(`/api/v1/namespaces?cursor=${Buffer.from('../etc').toString('base64url')}`),
      'cursor',
    );
    expect400(await get('/api/v1/namespaces?limit=0'), 'limit');
    expect400(await get('/api/v1/namespaces?limit=51'), 'limit');
  });
});

describe('GET /api/v1/graph', () => {
  it('returns workloads as nodes and merged links, drops flagged', async () => {
    const { status, body } = await get<GraphBody>('/api/v1/graph');
    expect(status).toBe(200);
    const ids = new Set(body.nodes.map((n) => n.id));
    expect(ids.has('pod/data/postgres')).toBe(true);
    for (const link of body.links) {
      expect(ids.has(link.source)).toBe(true);
      expect(ids.has(link.target)).toBe(true);
    }
    expect(body.links.some((l) => l.dropped)).toBe(true);
    expect(body.truncated).toBe(false);
  });

  it('filters by namespace and bounds the links', async () => {
    const { body } = await get<GraphBody>('/api/v1/graph?namespace=data&maxEdges=1');
    expect(body.links).toHaveLength(1);
    expect(body.truncated).toBe(body.totalLinks > 1);
    expect400(await get('/api/v1/graph?namespace=Not_A_Namespace'), 'namespace');
    expect400(await get('/api/v1/graph?maxEdges=100000'), 'maxEdges');
    expect400(await get('/api/v1/graph?bogus=1'), 'bogus');
  });
});

describe('GET /api/v1/recommendations', () => {
  it('proposes policies with evidence, a diff against existing policies, exposure and verify commands', async () => {
    const { status, body } = await get<RecommendationsBody>('/api/v1/recommendations?namespace=data');
    expect(status).toBe(200);
    expect(body.namespaces).toHaveLength(1);
    const ns = body.namespaces[0];
    if (ns === undefined) throw new Error('no namespace recommendation');
    expect(ns.namespace).toBe('data');
    expect(ns.policies.length).toBeGreaterThan(0);
    const withRules = ns.policies.find((p) => p.rules.length > 0);
    if (withRules === undefined) throw new Error('no policy with rules');
    expect(withRules.rules[0]?.direction).toMatch(/^(ingress|egress)$/);
    expect(withRules.rules[0]?.peer).toEqual(expect.any(String));
    expect(parse(withRules.yaml)).toMatchObject({ kind: 'NetworkPolicy' });
    expect(ns.diff).toEqual(
      expect.arrayContaining([expect.objectContaining({ policy: 'allow-all-ingress', change: 'kept' })]),
    );
    expect(ns.diff.some((d) => d.change === 'added')).toBe(true);
    expect(body.proof.violations).toBe(0);
    // The proposal isolates data's pods: fewer pairs are reachable after it than before.
    expect(body.exposure.after.reachable).toBeLessThan(body.exposure.before.reachable);
    expect(body.verifyScript).toContain('#!/bin/sh');
    // allow-all-ingress admitted the observed traffic to postgres: nothing in data to tighten.
    expect(body.tighten).toEqual([]);
  });

  it('lists the existing rules no observed connection used as candidates to tighten', async () => {
    const { body } = await get<RecommendationsBody>('/api/v1/recommendations?namespace=shop');
    // legacy-metrics admits TCP 9121 to redis; the fixture has no traffic there.
    expect(body.tighten).toEqual([
      expect.objectContaining({
        policy: 'shop/legacy-metrics',
        message: expect.stringContaining('ingress rule 0') as unknown,
      }),
    ]);
  });

  it('refuses a bad flavor by name', async () => {
    expect400(await get('/api/v1/recommendations?flavor=istio'), 'flavor');
  });
});

describe('GET /api/v1/recommendations/export', () => {
  it('yaml: a multi-document attachment that parses back to NetworkPolicies', async () => {
    const { status, body, headers } = await get<string>(
      '/api/v1/recommendations/export?namespace=shop&format=yaml',
    );
    expect(status).toBe(200);
    expect(headers.get('content-disposition')).toMatch(
      /^attachment; filename="?netpol-advisor-shop\.yaml"?$/,
    );
    const docs = parseAllDocuments(body).map(
      (d) => d.toJS() as { kind: string; metadata: { namespace: string } },
    );
    expect(docs.length).toBeGreaterThan(1);
    for (const doc of docs)
      expect(doc).toMatchObject({ kind: 'NetworkPolicy', metadata: { namespace: 'shop' } });
  });

  it('json: the recommend --json object', async () => {
    const { body, headers } = await get<ExportJsonBody>(
      '/api/v1/recommendations/export?namespace=shop&format=json',
    );
    expect(headers.get('content-disposition')).toContain('netpol-advisor-shop.json');
    expect(Object.keys(body.namespaces)).toEqual(['shop']);
    expect(body.proof.violations).toBe(0);
  });

  it('tar: the kustomize folder, listed by tar itself', async () => {
    const res = await fetch(`${app.base}/api/v1/recommendations/export?format=tar`);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const file = path.join(app.dir, 'export.tar');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual(
      expect.arrayContaining([
        'netpol-advisor-all/kustomization.yaml',
        'netpol-advisor-all/verify.sh',
        'netpol-advisor-all/README.md',
        'netpol-advisor-all/shop.yaml',
        'netpol-advisor-all/data.yaml',
      ]),
    );
    const kustomization = execFileSync('tar', ['-xOf', file, 'netpol-advisor-all/kustomization.yaml'], {
      encoding: 'utf8',
    });
    expect(parse(kustomization)).toMatchObject({
      kind: 'Kustomization',
      resources: expect.arrayContaining(['shop.yaml']) as unknown,
    });
  });

  it('refuses an unknown format by name', async () => {
    expect400(await get('/api/v1/recommendations/export?format=zip'), 'format');
  });
});

describe('POST /api/v1/simulate', () => {
  const denyYaml = readFileSync(path.join(FIXTURES, 'deny-data.yaml'), 'utf8');

  it('YAML body: lists the observed flows the policies would drop', async () => {
    const res = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: denyYaml,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      droppedTotal: number;
      dropped: { destination: { workload: string } }[];
      policies: string[];
    };
    expect(body.policies.length).toBeGreaterThan(0);
    expect(body.droppedTotal).toBeGreaterThan(0);
    expect(body.dropped.some((d) => d.destination.workload === 'postgres')).toBe(true);
  });

  it('JSON body: the same policies give the same answer', async () => {
    const objects = parseAllDocuments(denyYaml).map((d) => d.toJS() as unknown);
    const res = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(objects),
    });
    const yamlRes = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: denyYaml,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(await yamlRes.json());
  });

  it('an invalid policy is a 400 naming the object and field; other bodies 400/413/415', async () => {
    const bad = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'x', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Sideways'] },
    };
    const res = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toContain('shop/x');
    expect(body.error.message).toContain('spec.policyTypes[0]');
    const notPolicy = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"Pod"}',
    });
    expect(notPolicy.status).toBe(400);
    const badYaml = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'a: [',
    });
    expect(badYaml.status).toBe(400);
    const text = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    const big = await fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: `# ${'x'.repeat(70 * 1024)}`,
    });
    expect(big.status).toBe(413);
  });
});

describe('GET /api/v1/drops and /api/v1/alerts', () => {
  it('drops: classified blocked paths, filtered and paged', async () => {
    const { status, body } = await get<Page<DropItem>>('/api/v1/drops');
    expect(status).toBe(200);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0]?.classification).toEqual(expect.any(String));
    expect(Array.isArray(body.items[0]?.evidence) && Array.isArray(body.items[0]?.fix)).toBe(true);
    expect((await get<Page<DropItem>>('/api/v1/drops?namespace=no-such-ns')).body.items).toEqual([]);
    expect((await get<Page<DropItem>>('/api/v1/drops?since=1s')).body.items).toEqual([]);
    expect((await get<Page<DropItem>>('/api/v1/drops?since=1d')).body.items.length).toBe(body.items.length);
    expect400(await get('/api/v1/drops?since=yesterday'), 'since');
    // By class: exactly the items of that class, counted in `total`; an unknown class is refused by name.
    const classes = [...new Set(body.items.map((i) => i.classification))];
    expect(classes.length).toBeGreaterThan(0);
    for (const c of classes) {
      const page = (await get<Page<DropItem> & { total: number }>(`/api/v1/drops?classification=${c}`)).body;
      expect(page.items.map((i) => i.classification)).toEqual(
        body.items.filter((i) => i.classification === c).map(() => c),
      );
      expect(page.total).toBe(page.items.length);
    }
    expect400(await get('/api/v1/drops?classification=bogus'), 'classification');
    expect400(await get('/api/v1/drops?cursor=bm90LWEtY3Vyc29y'), 'cursor');
  });

  it('alerts: raised by the dispatcher from the drops report, with their delivery state', async () => {
    const sink = createSink(
      {
        type: 'log',
        classifications: [
          'regression',
          'dns',
          'expected-by-baseline',
          'likely-legitimate',
          'suspicious',
          'unknown',
        ],
      },
      0,
      { logger: { warn: () => undefined, info: () => undefined } },
    );
    const reports = buildDropReports(app.store.iterateEdges(), { snapshot: app.snapshot }).items;
    // A pinned clock just after the newest drop: it is "dropping now", so it opens an alert.
    const now = Math.max(...reports.map((r) => r.lastSeenMs)) + 1000;
    const dispatcher = new AlertDispatcher({
      store: app.alerts,
      sinks: [sink],
      clock: { now: () => now, sleep: () => Promise.resolve() },
    });
    expect(dispatcher.evaluate(reports).opened).toBeGreaterThan(0);
    await dispatcher.deliverDue();
    const { body } = await get<AlertsBody>('/api/v1/alerts');
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0]).toMatchObject({
      status: 'firing',
      deliveries: [expect.objectContaining({ sink: 'log-0', state: 'sent' })],
    });
    expect400(await get('/api/v1/alerts?status=open'), 'status');
  });
});
