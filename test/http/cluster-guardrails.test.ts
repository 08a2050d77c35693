// GET /api/v1/recommendations/cluster-guardrails and /export on the seeded shop store and snapshot:
// the guardrails as `recommend --cluster-policies` makes them, proven, in both flavours; the
// download is the same objects; a bad flavour is a 400 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;
beforeAll(async () => {
  app = await startSeededApp();
});
afterAll(() => app.close());

interface GuardrailsBody {
  flavor: string;
  ok: boolean;
  objects: { kind: string; metadata: { name: string } }[];
  summary: { kind: string; name: string; tier: string }[];
  yaml: string;
  paths: number;
  proof: { replayed: number; allowed: number; violations: string[]; problems: string[] };
}

describe('GET /api/v1/recommendations/cluster-guardrails', () => {
  it('proposes proven ClusterNetworkPolicies (cnp, the default) or AdminNetworkPolicies (anp)', async () => {
    const cnp = (await (
      await fetch(`${app.base}/api/v1/recommendations/cluster-guardrails`)
    ).json()) as GuardrailsBody;
    expect(cnp.flavor).toBe('cnp');
    expect(cnp.ok).toBe(true);
    expect(cnp.paths).toBeGreaterThan(0);
    expect(cnp.proof.violations).toEqual([]);
    expect(cnp.proof.replayed).toBeGreaterThan(0);
    expect(new Set(cnp.objects.map((o) => o.kind))).toEqual(new Set(['ClusterNetworkPolicy']));
    expect(cnp.summary.map((s) => s.name)).toEqual(cnp.objects.map((o) => o.metadata.name));
    expect(cnp.summary.some((s) => s.tier === 'Baseline')).toBe(true);
    expect(parseAllDocuments(cnp.yaml).map((d) => d.toJS() as unknown)).toEqual(cnp.objects);

    const anp = (await (
      await fetch(`${app.base}/api/v1/recommendations/cluster-guardrails?flavor=anp`)
    ).json()) as GuardrailsBody;
    expect(anp.ok).toBe(true);
    expect(anp.objects.some((o) => o.kind === 'AdminNetworkPolicy')).toBe(true);
  });

  it('exports the same objects as a YAML attachment', async () => {
    const body = (await (
      await fetch(`${app.base}/api/v1/recommendations/cluster-guardrails?flavor=cnp`)
    ).json()) as GuardrailsBody;
    const res = await fetch(`${app.base}/api/v1/recommendations/cluster-guardrails/export?flavor=cnp`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(res.headers.get('content-disposition')).toContain(
      'netpol-advisor-cluster-guardrails-cnp-all.yaml',
    );
    expect(await res.text()).toBe(body.yaml);
  });

  it('refuses an unknown flavour with a 400 naming the parameter', async () => {
    const res = await fetch(`${app.base}/api/v1/recommendations/cluster-guardrails?flavor=banp`);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain('flavor');
  });
});
