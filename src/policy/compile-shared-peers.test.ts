// Rule peers compiled from the same peer text are one shared object per compile (peers.ts), and
// only those: a podSelector-only peer means "in the policy's namespace", so the same text in two
// namespaces is two peers that decide differently.
import { describe, expect, it } from 'vitest';
import { compileSnapshot } from './compile.js';
import { compilePolicies } from './engine.js';
import type { ClusterSnapshot, NetworkPolicy, NetworkPolicyPeer, PodInfo } from './model.js';

const pod = (namespace: string, name: string, app: string): PodInfo => ({
  namespace,
  name,
  labels: { app },
  ips: [],
  hostNetwork: false,
  ports: [],
  workload: { kind: 'Pod', name },
});

const ingressPolicy = (namespace: string, name: string, from: NetworkPolicyPeer[]): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from }] },
});

const web: NetworkPolicyPeer = { podSelector: { matchLabels: { app: 'web' } } };
const webAnywhere: NetworkPolicyPeer = { ...web, namespaceSelector: {} };
const block: NetworkPolicyPeer = { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } };

const snapshot: ClusterSnapshot = {
  namespaces: [],
  services: [],
  nodes: [],
  pods: [pod('x', 'web-x', 'web'), pod('x', 'db-x', 'db'), pod('y', 'web-y', 'web'), pod('y', 'db-y', 'db')],
  policies: [
    ingressPolicy('x', 'a', [web, webAnywhere, block]),
    ingressPolicy('x', 'b', [web, webAnywhere, { ipBlock: { cidr: '10.0.0.0/8' } }]),
    ingressPolicy('y', 'c', [web, webAnywhere, block]),
  ],
};

describe('shared compiled rule peers', () => {
  const peers = compileSnapshot(snapshot).policies.map((p) => p.ingress?.[0]?.peers ?? []);
  const [a, b, c] = peers as [unknown[], unknown[], unknown[]];

  it('shares a peer compiled from the same text in the same namespace', () => {
    expect(b[0]).toBe(a[0]);
    expect(b[1]).toBe(a[1]);
    expect(c[1]).toBe(a[1]);
    expect(c[2]).toBe(a[2]);
  });

  it('keeps apart the same podSelector in two namespaces, and different ipBlocks', () => {
    expect(c[0]).not.toBe(a[0]);
    expect(b[2]).not.toBe(a[2]);
  });

  it('decides by the policy namespace of each peer', () => {
    const engine = compilePolicies({
      ...snapshot,
      policies: [snapshot.policies[0] as NetworkPolicy, snapshot.policies[2] as NetworkPolicy].map((p) => ({
        ...p,
        spec: { ...p.spec, ingress: [{ from: [web] }] },
      })),
    });
    const q = (from: string, to: string) =>
      engine.isAllowed({
        from: { kind: 'pod', namespace: from.slice(-1), name: from },
        to: { kind: 'pod', namespace: to.slice(-1), name: to },
        port: 80,
        protocol: 'TCP',
      });
    expect([q('web-x', 'db-x'), q('web-y', 'db-x'), q('web-y', 'db-y'), q('web-x', 'db-y')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
