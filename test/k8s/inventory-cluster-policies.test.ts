// The live inventory and network-policy-api objects: watched when the CRD is served (a change
// reaches the snapshot and the engine), absent CRDs are no error and do not hold readiness.
import { afterEach, describe, expect, it } from 'vitest';
import { LiveInventory } from '../../src/k8s/inventory.js';
import { compilePolicies } from '../../src/policy/engine.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeKubeApiServer, pod } from '../fakes/fake-kube-apiserver.js';

const CNP = '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function guard(action: string) {
  return {
    metadata: { name: 'guard' },
    spec: {
      tier: 'Admin',
      priority: 5,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [
        { action, from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'jobs' } } }] },
      ],
    },
  };
}

describe('LiveInventory: cluster-scoped policy', () => {
  it('watches ClusterNetworkPolicies, and reports the absent AdminNetworkPolicy CRDs without errors', async () => {
    const api = await new FakeKubeApiServer({
      [CNP]: { kind: 'ClusterNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha2' },
    }).start();
    cleanups.push(() => api.stop());
    for (const ns of ['shop', 'jobs']) api.apply('/api/v1/namespaces', { metadata: { name: ns } });
    api.apply('/api/v1/pods', pod('shop', 'web-0', '10.244.1.5', { app: 'web' }));
    api.apply('/api/v1/pods', pod('jobs', 'batch-0', '10.244.2.5', { app: 'batch' }));
    api.apply(CNP, guard('Deny'));
    const inv = new LiveInventory({
      kubeConfig: api.kubeConfig(),
      clock: new FakeClock(Date.UTC(2026, 4, 1, 12)),
      random: () => 0,
    });
    cleanups.push(() => inv.stop());
    await inv.start();
    await inv.whenReady();
    const statuses = inv.status().informers;
    expect(
      statuses
        .filter((i) => i.absent === true)
        .map((i) => i.kind)
        .sort(),
    ).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
    expect(statuses.every((i) => i.errors === 0)).toBe(true);
    const query = {
      from: { kind: 'pod' as const, namespace: 'jobs', name: 'batch-0' },
      to: { kind: 'pod' as const, namespace: 'shop', name: 'web-0' },
      port: 80,
      protocol: 'TCP' as const,
    };
    expect(compilePolicies(inv.snapshot()).evaluate(query).ingress.decidedBy?.cluster?.name).toBe('guard');
    expect(compilePolicies(inv.snapshot()).isAllowed(query)).toBe(false);
    api.apply(CNP, guard('Accept'));
    await waitFor(
      () => compilePolicies(inv.snapshot()).isAllowed(query),
      10_000,
      'the watched change reaches the engine',
    );
  });
});
