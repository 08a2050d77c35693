// Issue 15, item 8 (identical selectors): two Deployments whose chosen selector is the same
// (app=api; `version` is not a selector label) select the same pods, so they get one policy per
// direction with both workloads' rules, and a warning names the label that tells them apart.
import { describe, expect, it } from 'vitest';
import { hubbleLines, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
const v1: PodEnd = {
  ns: 'shop',
  pod: 'api-v1-5f6b7c8d9b-qq4zt',
  ip: '10.0.2.12',
  labels: { app: 'api', version: 'v1' },
  workload: { name: 'api-v1', kind: 'Deployment' },
};
const v2: PodEnd = {
  ns: 'shop',
  pod: 'api-v2-6c9d8f7b5-k2j3h',
  ip: '10.0.2.13',
  labels: { app: 'api', version: 'v2' },
  workload: { name: 'api-v2', kind: 'Deployment' },
};
const web: PodEnd = {
  ns: 'shop',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.2.11',
  labels: { app: 'web' },
  workload: { name: 'web', kind: 'Deployment' },
};
const admin: PodEnd = {
  ns: 'shop',
  pod: 'admin-7b9f6c-abcde',
  ip: '10.0.2.14',
  labels: { app: 'admin' },
  workload: { name: 'admin', kind: 'Deployment' },
};

describe('item 8: workloads with the same selector', () => {
  const lines = [
    ...hubbleLines({ from: web, to: v1, port: 8080, timeMs: T0 }),
    ...hubbleLines({ from: admin, to: v2, port: 9090, timeMs: T0 }),
    ...[v1, v2, web, admin].flatMap((pod) =>
      hubbleLines({ from: pod, to: kubeDns, port: 53, protocol: 'UDP', timeMs: T0 }),
    ),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('get one policy per direction holding both workloads’ rules, and a warning naming the label', () => {
    expectSoundProposal(run, ['shop'], kubeDns, [v1, v2, web, admin]);
    const shop = run.recommendation.namespaces[0];
    const ingress =
      shop?.policies.filter(
        (p) =>
          p.role === 'allow-ingress' &&
          JSON.stringify(p.policy.spec.podSelector) === '{"matchLabels":{"app":"api"}}',
      ) ?? [];
    expect(ingress.map((p) => p.policy.metadata.name)).toEqual(['allow-ingress-api-v1']);
    expect(ingress[0]?.rules.map((r) => r.peer).sort()).toEqual([
      'shop/admin (Deployment)',
      'shop/web (Deployment)',
    ]);
    const warning = run.recommendation.warnings.find((w) => w.code === 'same-selector');
    expect(warning?.subject).toBe('shop/api-v1, shop/api-v2');
    expect(warning?.message).toContain('the label version would tell them apart');
    expect(run.allowed(web, v1, 8080)).toBe(true);
    expect(run.allowed(admin, v2, 9090)).toBe(true);
  });
});
