// The doctor on cluster-scoped policy: an Admin-tier Deny overriding a NetworkPolicy allow for
// observed traffic, an Admin Pass with no NetworkPolicy behind it where the Baseline tier denies,
// a subject that selects nothing (with its near miss), priorities that shadow or tie.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/doctor.js';
import type { Finding } from '../../src/doctor/types.js';
import type { ClusterPolicy, ClusterRule } from '../../src/policy/cluster/cluster-policy.js';
import { EMPTY_CNI } from '../../src/policy/cni-objects.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../../src/policy/model.js';
import { MIN, T0, ingest, pod, repeat } from '../drops/flow-builder.js';

function podInfo(namespace: string, workload: string): PodInfo {
  return {
    namespace,
    name: `${workload}-abc12-1`,
    labels: { app: workload },
    ips: [`10.0.${workload.length}.1`],
    hostNetwork: false,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    workload: { kind: 'Deployment', name: workload },
  };
}
const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const rule = (action: ClusterRule['action'], peerNs: string | undefined, name?: string): ClusterRule => ({
  name,
  action,
  ports: undefined,
  peers: [
    peerNs === undefined
      ? { kind: 'networks', cidrs: ['0.0.0.0/0', '::/0'] }
      : { kind: 'namespaces', selector: ns(peerNs) },
  ],
});
function policy(
  name: string,
  tier: 'Admin' | 'Baseline',
  priority: number,
  subject: string,
  ingress: ClusterRule[],
  egress: ClusterRule[] = [],
): ClusterPolicy {
  return {
    kind: 'ClusterNetworkPolicy',
    name,
    tier,
    priority,
    subject: { namespaces: ns(subject) },
    ingress,
    egress,
  };
}
const allowFromJobs: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace: 'shop', name: 'cart-from-jobs' },
  spec: {
    podSelector: { matchLabels: { app: 'cart' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: ns('jobs') }] }],
  },
};
function snapshot(cluster: ClusterPolicy[], policies: NetworkPolicy[] = []): ClusterSnapshot {
  return {
    namespaces: ['shop', 'jobs'].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
    pods: [podInfo('shop', 'cart'), podInfo('jobs', 'batch')],
    services: [],
    policies,
    nodes: [],
    cni: { ...EMPTY_CNI, clusterPolicies: cluster },
  };
}
const edges = ingest(
  repeat(3, T0, MIN, {
    from: pod('jobs', 'batch'),
    to: pod('shop', 'cart'),
    port: 8080,
    verdict: 'dropped',
    dropReason: 'POLICY_DENIED',
  }),
);
const byCause = (findings: readonly Finding[], cause: string) => findings.filter((f) => f.cause === cause);

describe('doctor: cluster policies', () => {
  it('an Admin-tier Deny overriding a NetworkPolicy allow', () => {
    const findings = runDoctor({
      edges,
      snapshot: snapshot(
        [policy('guard', 'Admin', 10, 'shop', [rule('Deny', 'jobs', 'no-jobs')])],
        [allowFromJobs],
      ),
    });
    const [finding, ...rest] = byCause(findings, 'admin-deny-overrides-networkpolicy');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ kind: 'default-deny-blocks', severity: 'high', namespace: 'shop' });
    expect(finding?.objects).toEqual(['ClusterNetworkPolicy guard', 'shop/cart-from-jobs', 'shop/cart']);
    expect(finding?.summary).toContain('your NetworkPolicy allows this but a cluster policy denies it');
    expect(findings.filter((f) => f.kind === 'default-deny-blocks' && f.cause === undefined)).toEqual([]);
  });

  it('no finding when no NetworkPolicy allows what the Admin tier denies', () => {
    expect(
      byCause(
        runDoctor({
          edges,
          snapshot: snapshot([policy('guard', 'Admin', 10, 'shop', [rule('Deny', 'jobs')])]),
        }),
        'admin-deny-overrides-networkpolicy',
      ),
    ).toEqual([]);
  });

  it('an Admin Pass with no NetworkPolicy behind it, then a Baseline deny', () => {
    const cluster = [
      policy('hand-on', 'Admin', 1, 'shop', [rule('Pass', 'jobs')]),
      policy('baseline', 'Baseline', 1, 'shop', [rule('Deny', 'jobs')]),
    ];
    const [finding] = byCause(runDoctor({ edges, snapshot: snapshot(cluster) }), 'pass-to-baseline-deny');
    expect(finding?.objects).toEqual([
      'ClusterNetworkPolicy hand-on',
      'ClusterNetworkPolicy baseline',
      'shop/cart',
    ]);
    expect(
      byCause(runDoctor({ edges, snapshot: snapshot(cluster, [allowFromJobs]) }), 'pass-to-baseline-deny'),
    ).toEqual([]);
  });

  it('a subject that selects nothing, with its near miss', () => {
    const typo = policy('typo', 'Admin', 3, 'shpo', [rule('Deny', 'jobs')]);
    const [finding] = byCause(runDoctor({ edges: [], snapshot: snapshot([typo]) }), 'cluster-policy-subject');
    expect(finding).toMatchObject({
      kind: 'selector-matches-nothing',
      objects: ['ClusterNetworkPolicy typo'],
    });
    expect(finding?.evidence.join('\n')).toContain('"shpo" is one edit away from "shop"');
  });

  it('a policy shadowed by an earlier catch-all, and two equal priorities that disagree', () => {
    const wall = policy('wall', 'Admin', 1, 'shop', [], [rule('Deny', undefined)]);
    const hidden = policy('hidden', 'Admin', 5, 'shop', [], [rule('Accept', 'jobs')]);
    const shadowed = byCause(
      runDoctor({ edges: [], snapshot: snapshot([hidden, wall]) }),
      'cluster-priority-shadowed',
    );
    expect(shadowed.map((f) => f.objects)).toEqual([
      ['ClusterNetworkPolicy hidden', 'ClusterNetworkPolicy wall'],
    ]);
    const a = policy('a', 'Admin', 4, 'shop', [rule('Deny', 'jobs')]);
    const b = policy('b', 'Admin', 4, 'shop', [rule('Accept', 'jobs')]);
    const ties = byCause(runDoctor({ edges: [], snapshot: snapshot([a, b]) }), 'cluster-priority-tie');
    expect(ties.map((f) => f.objects)).toEqual([['ClusterNetworkPolicy a', 'ClusterNetworkPolicy b']]);
    expect(
      byCause(
        runDoctor({ edges: [], snapshot: snapshot([a, { ...b, priority: 5 }]) }),
        'cluster-priority-tie',
      ),
    ).toEqual([]);
  });
});
