// Pod sets of rule peers in a large snapshot: a selection under 1/64 of 8,192 or more pods is kept
// as its pod indexes rather than a bitmap of every pod (compile.ts), and must decide exactly as
// the selectors say, for pods in and out of the selection, in the policy's namespace and others.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from './engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from './model.js';
import { compileSnapshot } from './compile.js';

const pod = (namespace: string, index: number): PodInfo => ({
  namespace,
  name: `p${index}`,
  labels: { app: `a${index % 5000}`, tier: index % 2 === 0 ? 'even' : 'odd' },
  ips: [],
  hostNetwork: false,
  ports: [],
  workload: { kind: 'Pod', name: `p${index}` },
});

const policy = (namespace: string, name: string, from: NetworkPolicy['spec']['ingress']): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec: { podSelector: { matchLabels: { app: 'a0' } }, ingress: from ?? [] },
});

function snapshotOf(podCount: number): ClusterSnapshot {
  const pods = Array.from({ length: podCount }, (_, i) => pod(i % 3 === 0 ? 'x' : 'y', i));
  return {
    namespaces: [],
    services: [],
    nodes: [],
    pods,
    policies: [
      // Small selections: one app in the policy's namespace, one app in any namespace.
      policy('x', 'same-namespace', [{ from: [{ podSelector: { matchLabels: { app: 'a3' } } }] }]),
      policy('y', 'any-namespace', [
        { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'a7' } } }] },
      ]),
      // A large selection stays a bitmap.
      policy('x', 'half', [
        { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'even' } } }] },
      ]),
    ],
  };
}

describe('rule peer pod sets in a large snapshot', () => {
  const large = snapshotOf(9000);
  const compiled = compileSnapshot(large);

  it('keeps small selections as indexes and large ones as bitmaps', () => {
    const kinds = compiled.policies.flatMap((p) =>
      (p.ingress ?? []).flatMap((r) =>
        (r.peers ?? []).map((peer) => (peer.kind === 'pods' ? peer.podSet instanceof Uint8Array : undefined)),
      ),
    );
    expect(kinds).toEqual([false, false, true]);
  });

  it('decides every pair as the selectors say, with evaluate and isAllowed agreeing', () => {
    const engine = compilePolicies(large);
    const P = (i: number) => ({ kind: 'pod', namespace: i % 3 === 0 ? 'x' : 'y', name: `p${i}` }) as const;
    // Targets: the a0 pods (p0 in x, p5000 in y); sources: in and out of each selection.
    const sources = [3, 5003, 7, 5007, 4, 8, 13, 6, 1, 2];
    const verdicts = [0, 5000].map((to) =>
      sources.map((from) => engine.isAllowed({ from: P(from), to: P(to), port: 80, protocol: 'TCP' })),
    );
    const expected = [0, 5000].map((to) =>
      sources.map((from) => {
        const app = `a${from % 5000}`;
        const sameNs = (from % 3 === 0) === (to % 3 === 0);
        if (to % 3 === 0) return (app === 'a3' && sameNs) || from % 2 === 0;
        return app === 'a7';
      }),
    );
    expect(verdicts).toEqual(expected);
    for (const [i, to] of [0, 5000].entries())
      for (const [j, from] of sources.entries())
        expect(
          engine.evaluate({ from: P(from), to: P(to), port: 80, protocol: 'TCP' }).verdict === 'allow',
        ).toBe(verdicts[i]?.[j]);
  });
});
