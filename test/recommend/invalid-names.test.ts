// Flow data is stored as seen, but `recommend` never proposes what Kubernetes would refuse
// (issue 14 item 2): flows whose namespace, workload or labels break the API server's rules leave
// their namespace without policies and a warning that says why; valid namespaces are unaffected,
// and every policy that is emitted parses back through the strict input validator.
import { describe, expect, it } from 'vitest';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { recommendPolicies } from '../../src/recommend/recommend.js';
import { edge, kubeDns, type PodSide } from './edge-builder.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: { app: 'web' } };
const api: PodSide = { ns: 'shop', workload: 'api', labels: { app: 'api' } };
const sqlNs: PodSide = { ns: "' OR 1=1 --", workload: 'x', labels: { app: 'x' } };
const templateNs: PodSide = { ns: '{{x}}', workload: 'y', labels: { app: 'y' } };
const longLabel: PodSide = { ns: 'batch', workload: 'job', labels: { app: 'j'.repeat(100_000) } };
const badKey: PodSide = { ns: 'tools', workload: 'probe', labels: { 'bad key!': 'v' } };

function emittedPolicies(rec: ReturnType<typeof recommendPolicies>): unknown[] {
  return rec.namespaces.flatMap((ns) => ns.policies.map((p) => p.policy));
}

describe('recommend skips what Kubernetes would refuse', () => {
  const rec = recommendPolicies(
    [
      edge(web, api, 8080),
      edge(web, kubeDns, 53, { protocol: 'UDP' }),
      edge(sqlNs, api, 8080),
      edge(templateNs, templateNs, 80),
      edge(longLabel, longLabel, 80),
      edge(badKey, badKey, 9090),
    ],
    undefined,
  );

  it('no namespace with an invalid name', () => {
    const names = rec.namespaces.map((n) => n.namespace);
    expect(names).toContain('shop');
    expect(names).not.toContain("' OR 1=1 --");
    expect(names).not.toContain('{{x}}');
  });

  it('every emitted policy passes the strict validator used for input', () => {
    const policies = emittedPolicies(rec);
    expect(policies.length).toBeGreaterThan(0);
    expect(parseClusterObjects(policies).problems).toEqual([]);
  });

  it('each skipped namespace is a warning naming it (quoted short) and the refused field', () => {
    const skipped = rec.warnings.filter((w) => w.code === 'invalid-object');
    expect(
      skipped.some(
        (w) => w.message.includes(JSON.stringify("' OR 1=1 --")) && w.message.includes('metadata.namespace'),
      ),
    ).toBe(true);
    expect(skipped.some((w) => w.message.includes('"{{x}}"'))).toBe(true);
    const peer = skipped.find((w) => w.namespace === 'shop');
    expect(peer?.message).toMatch(
      /^ingress rule 0 of shop\/"allow-ingress-api": peer left out: Kubernetes would refuse namespaceSelector\.matchLabels\["kubernetes\.io\/metadata\.name"\]: invalid label value/,
    );
    for (const w of skipped) expect(w.message.length).toBeLessThan(1000);
    // An invalid namespace is not put in the warning's namespace field (it is not one).
    expect(skipped.filter((w) => w.namespace === "' OR 1=1 --")).toEqual([]);
  });

  it('the valid namespace keeps its proposal: the refused peer is gone, the real one still allowed, evidence renumbered', () => {
    const shop = rec.namespaces.find((n) => n.namespace === 'shop');
    expect(shop?.policies.map((p) => p.policy.metadata.name)).toEqual([
      'allow-egress-web',
      'allow-ingress-api',
      'allow-dns-egress',
      'default-deny',
    ]);
    const ingress = shop?.policies.find((p) => p.policy.metadata.name === 'allow-ingress-api');
    expect(ingress?.policy.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: { matchLabels: { app: 'web' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(ingress?.rules.map((r) => [r.direction, r.index, r.peer])).toEqual([
      ['ingress', 0, 'shop/web (Deployment)'],
    ]);
    expect(shop?.warnings.some((w) => w.code === 'invalid-object')).toBe(true);
  });

  it('a workload whose own labels are refused gets no policy of its own, or one without them', () => {
    for (const ns of rec.namespaces) {
      for (const p of ns.policies)
        expect(JSON.stringify(p.policy.spec.podSelector)).not.toContain('jjjjjjjj');
    }
  });
});
