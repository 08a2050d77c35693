// POST /api/v1/simulate refuses what the API server would refuse (issue 14 item 2): invalid
// names and namespaces (SQL-ish, template-ish, 100,000 characters), label keys and values,
// selectors — each a 400 naming the field, in JSON and in YAML — while a valid policy still
// answers 200. The error message stays short whatever the size of the hostile value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;
beforeAll(async () => {
  app = await startSeededApp({ requestBodyBytes: 1024 * 1024 });
});
afterAll(async () => {
  await app.close();
});

function policy(
  metadata: Record<string, unknown>,
  spec: Record<string, unknown> = { podSelector: {} },
): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec };
}

async function simulate(
  body: unknown,
  type = 'application/json',
): Promise<{ status: number; code?: string; message: string }> {
  const res = await fetch(`${app.base}/api/v1/simulate`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { code: string; message: string } };
  return {
    status: res.status,
    ...(json.error !== undefined ? { code: json.error.code, message: json.error.message } : { message: '' }),
  };
}

describe('POST /api/v1/simulate validates names and labels as Kubernetes does', () => {
  it('a valid policy is replayed (200)', async () => {
    expect((await simulate(policy({ name: 'deny-all.v2', namespace: 'shop' }))).status).toBe(200);
  });

  it.each([
    ['a SQL-looking name', { name: "' OR 1=1 --", namespace: 'shop' }, 'metadata.name'],
    ['a template name', { name: '{{x}}', namespace: 'shop' }, 'metadata.name'],
    ['an upper-case name', { name: 'DenyAll', namespace: 'shop' }, 'metadata.name'],
    ['a 100,000-character name', { name: 'a'.repeat(100_000), namespace: 'shop' }, 'metadata.name'],
    ['a dotted namespace', { name: 'x', namespace: 'shop.prod' }, 'metadata.namespace'],
    ['a SQL-looking namespace', { name: 'x', namespace: "' OR 1=1 --" }, 'metadata.namespace'],
    ['a 64-character namespace', { name: 'x', namespace: 'n'.repeat(64) }, 'metadata.namespace'],
    ['an invalid label key', { name: 'x', namespace: 'shop', labels: { 'bad key': 'v' } }, 'metadata.labels'],
    [
      'an invalid label value',
      { name: 'x', namespace: 'shop', labels: { app: '{{x}}' } },
      'metadata.labels["app"]',
    ],
    [
      'a non-string label value',
      { name: 'x', namespace: 'shop', labels: { app: 1 } },
      'metadata.labels["app"]',
    ],
  ])('%s → 400 naming %s', async (_name, metadata, field) => {
    const res = await simulate(policy(metadata));
    expect(res.status).toBe(400);
    expect(res.code).toBe('invalid_body');
    expect(res.message).toContain(`: ${field}`);
    expect(res.message.length).toBeLessThan(1000);
  });

  it.each([
    [
      'a matchLabels value',
      { podSelector: { matchLabels: { app: 'x'.repeat(64) } } },
      'spec.podSelector.matchLabels["app"]',
    ],
    [
      'a matchExpressions key',
      { podSelector: { matchExpressions: [{ key: 'a/b/c', operator: 'Exists' }] } },
      'spec.podSelector.matchExpressions[0].key',
    ],
    [
      'a peer namespaceSelector value',
      {
        podSelector: {},
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': "' OR 1=1 --" } } }],
          },
        ],
      },
      'spec.ingress[0].from[0].namespaceSelector.matchLabels',
    ],
    [
      'an In without values',
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } },
      'spec.podSelector.matchExpressions[0].values',
    ],
  ])('a selector with an invalid %s → 400 naming it', async (_name, spec, field) => {
    const res = await simulate(policy({ name: 'x', namespace: 'shop' }, spec));
    expect(res.status).toBe(400);
    expect(res.message).toContain(field);
  });

  it('the same rules for YAML bodies', async () => {
    const res = await simulate(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "{{x}}"\n  namespace: shop\nspec:\n  podSelector: {}\n`,
      'application/yaml',
    );
    expect(res.status).toBe(400);
    expect(res.message).toContain('metadata.name');
    expect(res.message).toContain('DNS-1123 subdomain');
  });
});
