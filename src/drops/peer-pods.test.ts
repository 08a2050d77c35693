// PeerPods' lookups agree with the plain scan they replace (podsOfPeer over the snapshot's pods),
// and isPathAllowed with evaluatePath's verdict: the doctor and the drops report rely on both.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EdgePeer } from '../flows/edge.js';
import type { Protocol } from '../flows/flow.js';
import { compilePolicies } from '../policy/engine.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot, type PodInfo } from '../policy/model.js';
import { evaluatePath, isPathAllowed, PeerPods, podsOfPeer } from './explain.js';
import type { BlockedPath } from './types.js';

const small = (prefix: string) => fc.nat({ max: 3 }).map((n) => `${prefix}${n}`);

const podArb = fc.record({
  namespace: small('ns'),
  name: small('pod'),
  workload: small('w'),
  hostNetwork: fc.boolean(),
  app: small('app'),
});

function podsOf(
  raw: readonly { namespace: string; name: string; workload: string; hostNetwork: boolean; app: string }[],
): PodInfo[] {
  return raw.map((p, i) => ({
    namespace: p.namespace,
    name: p.name,
    labels: { app: p.app },
    ips: [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`],
    hostNetwork: p.hostNetwork,
    ports: [],
    workload: { kind: 'Deployment', name: p.workload },
  }));
}

const peerArb = fc.record({
  kind: fc.constantFrom('pod', 'world'),
  namespace: fc.option(small('ns'), { nil: undefined }),
  workload: fc.option(small('w'), { nil: undefined }),
});

describe('PeerPods.first', () => {
  it('is the first pod podsOfPeer finds, with or without sample pod names', () => {
    fc.assert(
      fc.property(
        fc.array(podArb, { maxLength: 40 }),
        peerArb,
        fc.array(small('pod'), { maxLength: 3 }),
        (raw, p, samples) => {
          const snapshot: ClusterSnapshot = { ...EMPTY_SNAPSHOT, pods: podsOf(raw) };
          const index = new PeerPods(snapshot.pods);
          const peer = { ...p } as EdgePeer;
          if (peer.kind !== 'pod' || peer.namespace === undefined) return;
          expect(index.first(peer.namespace, peer.workload, samples)).toBe(
            podsOfPeer(snapshot, peer, samples)[0],
          );
          expect(podsOfPeer(snapshot, peer, samples, index)).toEqual(podsOfPeer(snapshot, peer, samples));
        },
      ),
    );
  });
});

describe('isPathAllowed', () => {
  it("is evaluatePath's verdict, undefined where evaluatePath says why it cannot evaluate", () => {
    fc.assert(
      fc.property(
        fc.array(podArb, { maxLength: 30 }),
        peerArb,
        peerArb,
        fc.constantFrom<number | null>(80, 443, null),
        fc.constantFrom<Protocol>('TCP', 'UDP', 'ICMP'),
        (raw, source, destination, port, protocol) => {
          const pods = podsOf(raw);
          const snapshot: ClusterSnapshot = {
            ...EMPTY_SNAPSHOT,
            pods,
            policies: [
              {
                apiVersion: 'networking.k8s.io/v1',
                kind: 'NetworkPolicy',
                metadata: { name: 'only-app0', namespace: 'ns0' },
                spec: {
                  podSelector: {},
                  policyTypes: ['Ingress'],
                  ingress: [
                    { from: [{ podSelector: { matchLabels: { app: 'app0' } } }], ports: [{ port: 80 }] },
                  ],
                },
              },
            ],
          };
          const engine = compilePolicies(snapshot);
          const index = new PeerPods(snapshot.pods);
          const peer = (p: typeof source): EdgePeer =>
            p.kind === 'world' ? { kind: 'world', ip: '203.0.113.7' } : ({ ...p } as EdgePeer);
          const path: BlockedPath = {
            pathKey: '',
            source: peer(source),
            destination: peer(destination),
            protocol,
            port,
            count: 1,
            firstSeenMs: 0,
            lastSeenMs: 0,
            sourceLabels: {},
            destinationLabels: { app: 'app0' },
            sourcePods: [],
            destinationPods: [],
            destinationNames: [],
            dropReasons: {},
            deniedBy: [],
          };
          const decision = evaluatePath(engine, path, index);
          expect(isPathAllowed(engine, path, index)).toBe(
            typeof decision === 'string' ? undefined : decision.verdict === 'allow',
          );
        },
      ),
    );
  });
});
