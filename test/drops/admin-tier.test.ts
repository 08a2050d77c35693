// A drop decided by an Admin-tier cluster policy: `drops` names the object and rule, says so in
// the evidence and `adminTierDeny`, and proposes no NetworkPolicy (none could override it). A
// Baseline-tier deny is overridable, so there the NetworkPolicy fix stands.
import { describe, expect, it } from 'vitest';
import { buildDropReports } from '../../src/drops/report.js';
import type { ClusterPolicy } from '../../src/policy/cluster/cluster-policy.js';
import { EMPTY_CNI } from '../../src/policy/cni-objects.js';
import type { ClusterSnapshot, PodInfo } from '../../src/policy/model.js';
import { MIN, T0, ingest, pod, repeat } from './flow-builder.js';

function podInfo(namespace: string, workload: string, labels: Record<string, string>): PodInfo {
  return {
    namespace,
    name: `${workload}-abc12-1`,
    labels: { ...labels, 'pod-template-hash': 'abc12' },
    ips: [`10.1.${workload.length}.1`],
    hostNetwork: false,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    workload: { kind: 'Deployment', name: workload },
  };
}

function snapshotWith(tier: 'Admin' | 'Baseline'): ClusterSnapshot {
  const guard: ClusterPolicy = {
    kind: 'ClusterNetworkPolicy',
    name: 'no-jobs-to-shop',
    tier,
    priority: 5,
    subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
    ingress: [
      {
        name: 'deny-jobs',
        action: 'Deny',
        peers: [{ kind: 'namespaces', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'jobs' } } }],
        ports: undefined,
      },
    ],
    egress: [],
  };
  return {
    namespaces: ['shop', 'jobs'].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
    pods: [podInfo('shop', 'cart', { app: 'cart' }), podInfo('jobs', 'batch', { app: 'batch' })],
    services: [],
    policies: [],
    nodes: [],
    cni: { ...EMPTY_CNI, clusterPolicies: [guard] },
  };
}

describe('drops decided by cluster policies', () => {
  const batch = pod('jobs', 'batch', { app: 'batch', 'pod-template-hash': 'abc12' });
  const cart = pod('shop', 'cart', { app: 'cart', 'pod-template-hash': 'abc12' });
  const edges = ingest(
    repeat(3, T0, MIN, {
      from: batch,
      to: cart,
      port: 8080,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
  );

  it('an Admin-tier Deny is named, classed as such in the evidence, and gets no NetworkPolicy fix', () => {
    const [item] = buildDropReports(edges, { snapshot: snapshotWith('Admin') }).items;
    expect(item?.deniedBy).toEqual(['ClusterNetworkPolicy no-jobs-to-shop']);
    expect(item?.adminTierDeny).toEqual([
      {
        kind: 'ClusterNetworkPolicy',
        name: 'no-jobs-to-shop',
        tier: 'Admin',
        priority: 5,
        direction: 'ingress',
        ruleIndex: 0,
        ruleName: 'deny-jobs',
        action: 'Deny',
      },
    ]);
    expect(item?.evidence[0]).toBe(
      'denied by the Admin tier: ClusterNetworkPolicy no-jobs-to-shop ingress[0] (Deny); a NetworkPolicy cannot override it',
    );
    expect(item?.explanation?.summary).toContain(
      'denied by ClusterNetworkPolicy no-jobs-to-shop ingress[0] "deny-jobs" (Admin tier, priority 5, Deny)',
    );
    expect(item?.fix).toEqual([]);
    expect(item?.fixWarnings.join(' ')).toContain('no NetworkPolicy can override it; change that object');
  });

  it('a Baseline-tier Deny can be overridden by a NetworkPolicy: the fix is one', () => {
    const [item] = buildDropReports(edges, { snapshot: snapshotWith('Baseline') }).items;
    expect(item?.adminTierDeny).toBeUndefined();
    expect(item?.deniedBy).toEqual(['ClusterNetworkPolicy no-jobs-to-shop']);
    expect(item?.fix).toHaveLength(1);
    expect(item?.fixImpact?.pathAllowed).toBe(true);
  });
});
