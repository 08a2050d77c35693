// The recommendation's summary and per-policy routes agree with the full body, and the
// whole-cluster recommendation (and its export) is refused above limits.wholeClusterEdgesMax
// with a message that says how to narrow it, while one namespace is still answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededApp, type SeededApp } from './seeded-app.js';

interface Rule {
  connections: number;
  peer: string;
  direction: string;
}
interface FullPolicy {
  name: string;
  role: string;
  workload: string | null;
  yaml: string;
  rules: Rule[];
}
interface Full {
  namespaces: { namespace: string; policies: FullPolicy[]; tests: unknown[] }[];
  verifyScript: string;
}
interface SummaryPolicy {
  name: string;
  role: string;
  rules: number;
  ingressRules: number;
  egressRules: number;
  connections: number;
  peers: number;
  yamlBytes: number;
  yaml?: string;
}
interface Summary {
  namespaces: { namespace: string; policies: SummaryPolicy[]; tests: number }[];
  verifyScript: string | null;
  verifyScriptBytes: number;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let app: SeededApp;
let limited: SeededApp;

beforeAll(async () => {
  app = await startSeededApp();
  limited = await startSeededApp({ wholeClusterEdgesMax: 1 });
});
afterAll(async () => {
  await app.close();
  await limited.close();
});

async function get<T>(base: string, route: string): Promise<{ status: number; body: T }> {
  const res = await fetch(base + route);
  return { status: res.status, body: (await res.json()) as T };
}

describe('GET /api/v1/recommendations/summary and /policy', () => {
  it('summarises every policy of the full body without its YAML, and serves each policy whole on demand', async () => {
    const full = (await get<Full>(app.base, '/api/v1/recommendations?namespace=shop')).body;
    const { status, body: summary } = await get<Summary>(
      app.base,
      '/api/v1/recommendations/summary?namespace=shop',
    );
    expect(status).toBe(200);
    const fullNs = full.namespaces[0];
    const summaryNs = summary.namespaces[0];
    if (fullNs === undefined || summaryNs === undefined) throw new Error('no namespace');
    expect(summaryNs.policies.map((p) => p.name)).toEqual(fullNs.policies.map((p) => p.name));
    expect(summaryNs.tests).toBe(fullNs.tests.length);
    expect(summary.verifyScript).toBe(full.verifyScript);
    for (const [i, policy] of fullNs.policies.entries()) {
      const line = summaryNs.policies[i];
      expect(line?.yaml).toBeUndefined();
      expect(line).toMatchObject({
        role: policy.role,
        rules: policy.rules.length,
        ingressRules: policy.rules.filter((r) => r.direction === 'ingress').length,
        connections: policy.rules.reduce((sum, r) => sum + r.connections, 0),
        peers: new Set(policy.rules.map((r) => r.peer)).size,
        yamlBytes: Buffer.byteLength(policy.yaml),
      });
      const detail = await get<FullPolicy>(
        app.base,
        `/api/v1/recommendations/policy?namespace=shop&name=${encodeURIComponent(policy.name)}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body).toEqual(policy);
    }
    expect(fullNs.policies.length).toBeGreaterThan(1);
  });

  it('answers 404 for a policy the proposal does not have, 400 without a namespace', async () => {
    const missing = await get<ErrorBody>(app.base, '/api/v1/recommendations/policy?namespace=shop&name=nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('nope');
    expect((await get<ErrorBody>(app.base, '/api/v1/recommendations/policy?name=nope')).status).toBe(400);
  });
});

describe('the whole-cluster recommendation above limits.wholeClusterEdgesMax', () => {
  it('is refused (422 scope_too_large) for the full body, the summary and the export, naming the way out', async () => {
    for (const route of [
      '/api/v1/recommendations',
      '/api/v1/recommendations/summary',
      '/api/v1/recommendations/export?format=yaml',
    ]) {
      const { status, body } = await get<ErrorBody>(limited.base, route);
      expect(status, route).toBe(422);
      expect(body.error.code).toBe('scope_too_large');
      expect(body.error.message).toMatch(/\?namespace=.*recommend --out/);
    }
  });

  it('still answers one namespace', async () => {
    const { status, body } = await get<Summary>(
      limited.base,
      '/api/v1/recommendations/summary?namespace=shop',
    );
    expect(status).toBe(200);
    expect(body.namespaces[0]?.policies.length).toBeGreaterThan(0);
  });
});
