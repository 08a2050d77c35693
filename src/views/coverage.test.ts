import { describe, expect, it } from 'vitest';
import { edge, type PodSide } from '../../test/recommend/edge-builder.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../policy/model.js';
import { ALL_NAMESPACES, coverageOf, trafficByNamespace } from './coverage.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: { app: 'web' } };
const db: PodSide = { ns: 'data', workload: 'db', labels: { app: 'db' } };
const HOUR = 3_600_000;

function pod(namespace: string, name: string, labels: Record<string, string>, hostNetwork = false): PodInfo {
  return {
    namespace,
    name,
    labels,
    ips: [],
    hostNetwork,
    ports: [],
    workload: { kind: 'Deployment', name },
  };
}

function policy(namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

describe('coverageOf', () => {
  const snapshot: ClusterSnapshot = {
    namespaces: [],
    pods: [
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'api', { app: 'api' }),
      pod('shop', 'agent', { app: 'agent' }, true),
    ],
    services: [],
    nodes: [],
    policies: [
      policy('shop', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('shop', 'web-out', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{}],
      }),
      policy('other', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ],
  };

  it('counts the namespace policies, the selected non-hostNetwork pods and a default deny per direction', () => {
    expect(coverageOf(snapshot, 'shop')).toEqual({
      defaultDenyIngress: true,
      defaultDenyEgress: false,
      policies: 2,
      pods: 2,
      podsSelected: 2,
      selectedShare: 1,
    });
  });

  it('a namespace with no pods has no share', () => {
    expect(coverageOf(snapshot, 'empty').selectedShare).toBeNull();
  });
});

describe('trafficByNamespace', () => {
  it('counts an edge for both of its namespaces, and once under ALL_NAMESPACES', () => {
    const traffic = trafficByNamespace([
      edge(web, db, 5432, { count: 3, last: 10 * HOUR }),
      edge(web, web, 80, { count: 2, last: 11 * HOUR }),
      edge(web, db, 5432, { verdict: 'dropped', count: 4, last: 9 * HOUR }),
    ]);
    expect(traffic.get(ALL_NAMESPACES)).toEqual({
      edges: 3,
      connections: 9,
      drops: [{ lastSeenMs: 9 * HOUR, count: 4 }],
      lastSeenMs: 11 * HOUR,
    });
    expect(traffic.get('shop')?.connections).toBe(9);
    expect(traffic.get('data')).toEqual({
      edges: 2,
      connections: 7,
      drops: [{ lastSeenMs: 9 * HOUR, count: 4 }],
      lastSeenMs: 10 * HOUR,
    });
  });
});
