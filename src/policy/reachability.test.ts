// Reachability matrix and diff over a small snapshot: the matrix from verdicts, the diff listing
// exactly the pairs whose verdict changes, each with both full decisions.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from './engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from './model.js';
import { computeReachability, diffReachability } from './reachability.js';

const pod = (namespace: string, name: string, app: string, ip: string): PodInfo => ({
  namespace,
  name,
  labels: { app },
  ips: [ip],
  hostNetwork: false,
  ports: [],
  workload: { kind: 'Pod', name },
});
const snapshot: ClusterSnapshot = {
  namespaces: [],
  services: [],
  nodes: [],
  policies: [],
  pods: [pod('x', 'a', 'a', '10.0.0.1'), pod('x', 'b', 'b', '10.0.0.2'), pod('y', 'c', 'c', '10.0.0.3')],
};
const onlyFromB: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace: 'x', name: 'a-from-b' },
  spec: {
    podSelector: { matchLabels: { app: 'a' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }] }],
  },
};

describe('reachability', () => {
  it('matrix: verdicts for every ordered pod pair', () => {
    const matrix = computeReachability(compilePolicies({ ...snapshot, policies: [onlyFromB] }), {
      port: 80,
      protocol: 'TCP',
    });
    expect(matrix.pods).toEqual(['x/a', 'x/b', 'y/c']);
    expect(matrix.allowed).toEqual([
      [false, true, true],
      [true, true, true],
      [false, true, true],
    ]);
    const namespaced = computeReachability(compilePolicies({ ...snapshot, policies: [onlyFromB] }), {
      port: 81,
      protocol: 'TCP',
      namespaces: ['x'],
    });
    expect(namespaced.allowed).toEqual([
      [false, true],
      [false, true],
    ]);
  });

  it('diff: only the pairs whose verdict changes, with both decisions', () => {
    const changes = diffReachability(
      snapshot,
      [],
      [onlyFromB],
      [
        { port: 80, protocol: 'TCP' },
        { port: 81, protocol: 'TCP' },
      ],
    );
    expect(changes.map((c) => `${c.from}->${c.to} ${c.port}`)).toEqual([
      'x/a->x/a 80',
      'x/a->x/a 81',
      'x/b->x/a 81',
      'y/c->x/a 80',
      'y/c->x/a 81',
    ]);
    const first = changes[0];
    expect(first?.before.verdict).toBe('allow');
    expect(first?.after.verdict).toBe('deny');
    expect(first?.after.ingress).toMatchObject({
      allowed: false,
      isolated: true,
      isolatedBy: ['x/a-from-b'],
      allowedBy: [],
    });
    expect(first?.after.ingress.reason).toMatch(/no ingress rule/);
    expect(diffReachability(snapshot, [onlyFromB], [onlyFromB], [{ port: 80, protocol: 'TCP' }])).toEqual([]);
  });
});
