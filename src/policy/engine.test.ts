// Pod lookup by namespace and name on the query path: pods that share a name across namespaces
// resolve to the right one, and a duplicated namespace/name resolves to the last listed.
import { describe, expect, it } from 'vitest';
import { compilePolicies, UnknownEndpointError } from './engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from './model.js';

const pod = (namespace: string, name: string, app: string): PodInfo => ({
  namespace,
  name,
  labels: { app },
  ips: [],
  hostNetwork: false,
  ports: [],
  workload: { kind: 'Pod', name },
});
// In every namespace, ingress to app=server is admitted only from app=client.
const policies: NetworkPolicy[] = ['x', 'y', 'z'].map((namespace) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name: 'server' },
  spec: {
    podSelector: { matchLabels: { app: 'server' } },
    ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }],
  },
}));
const snapshot: ClusterSnapshot = {
  namespaces: [],
  services: [],
  nodes: [],
  policies,
  pods: [
    pod('x', 'same', 'client'),
    pod('y', 'same', 'other'),
    pod('z', 'same', 'server'),
    pod('x', 'dup', 'other'),
    pod('x', 'target', 'server'),
    pod('x', 'dup', 'client'),
  ],
};
const P = (namespace: string, name: string) => ({ kind: 'pod', namespace, name }) as const;

describe('pod lookup', () => {
  const engine = compilePolicies(snapshot);
  const verdict = (from: ReturnType<typeof P>, to: ReturnType<typeof P>) => {
    const allowed = engine.isAllowed({ from, to, port: 80, protocol: 'TCP' });
    expect(engine.evaluate({ from, to, port: 80, protocol: 'TCP' }).verdict === 'allow').toBe(allowed);
    return allowed;
  };
  it('tells apart pods with the same name in different namespaces', () => {
    expect(verdict(P('x', 'same'), P('x', 'target'))).toBe(true);
    expect(verdict(P('y', 'same'), P('x', 'target'))).toBe(false);
    expect(verdict(P('x', 'same'), P('z', 'same'))).toBe(true);
    expect(verdict(P('y', 'same'), P('z', 'same'))).toBe(false);
  });
  it('resolves a duplicated namespace/name to the last pod listed', () => {
    expect(verdict(P('x', 'dup'), P('x', 'target'))).toBe(true);
  });
  it('rejects a name that exists only in another namespace', () => {
    expect(() =>
      engine.isAllowed({ from: P('w', 'same'), to: P('x', 'target'), port: 80, protocol: 'TCP' }),
    ).toThrow(UnknownEndpointError);
    expect(() =>
      engine.evaluate({ from: P('x', 'target'), to: P('y', 'target'), port: 80, protocol: 'TCP' }),
    ).toThrow(/no pod y\/target/);
  });
});
