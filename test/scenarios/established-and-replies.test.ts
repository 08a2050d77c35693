// Issue 15, items 3 and 4, end to end on Hubble lines shaped like the real ones: connections that
// started before observation (ACK-only streams, with and without `is_reply`) and replies whose
// `is_reply` is absent (DNS, NTP, a SYN-ACK). Through the store's ingest parser, SQLite, the
// recommender, the replay proof and the three flavours.
import { describe, expect, it } from 'vitest';
import { calicoObjects } from '../../src/recommend/calico-policy.js';
import { ciliumObjects } from '../../src/recommend/cilium-policy.js';
import type { NamespaceRecommendation } from '../../src/recommend/proposal.js';
import { hubbleEndpoint, hubbleLines, ipOf, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario, type ScenarioRun } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const SECOND = 1000;
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
const api: PodEnd = {
  ns: 'shop',
  pod: 'api-5f6b7c8d9b-qq4zt',
  ip: '10.0.4.2',
  labels: { app: 'api' },
  workload: { name: 'api', kind: 'Deployment' },
};
const web: PodEnd = {
  ns: 'shop',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.4.3',
  labels: { app: 'web' },
  workload: { name: 'web', kind: 'Deployment' },
};
const consumer: PodEnd = {
  ns: 'shop',
  pod: 'consumer-6c9d8f7b5-k2j3h',
  ip: '10.0.4.4',
  labels: { app: 'consumer' },
  workload: { name: 'consumer', kind: 'Deployment' },
};
const postgres: PodEnd = {
  ns: 'data',
  pod: 'postgres-0',
  ip: '10.0.5.2',
  labels: { app: 'postgres' },
  workload: { name: 'postgres', kind: 'StatefulSet' },
};
const kafka: PodEnd = {
  ns: 'data',
  pod: 'kafka-0',
  ip: '10.0.5.3',
  labels: { app: 'kafka' },
  workload: { name: 'kafka', kind: 'StatefulSet' },
};
const ntp: End = { world: '203.0.113.5' };

interface Packet {
  from: End;
  to: End;
  sport: number;
  dport: number;
  protocol?: 'TCP' | 'UDP';
  flags?: Record<string, boolean>;
  isReply?: boolean;
  timeMs: number;
}

/** One L3/L4 event as `hubble observe -o json` prints it; `isReply` absent means the field is absent. */
function packet(p: Packet): string {
  const l4 =
    (p.protocol ?? 'TCP') === 'TCP'
      ? { TCP: { source_port: p.sport, destination_port: p.dport, flags: p.flags ?? { ACK: true } } }
      : { UDP: { source_port: p.sport, destination_port: p.dport } };
  const time = new Date(p.timeMs).toISOString();
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: ipOf(p.from), destination: ipOf(p.to), ipVersion: 'IPv4' },
      l4,
      source: hubbleEndpoint(p.from),
      destination: hubbleEndpoint(p.to),
      Type: 'L3_L4',
      node_name: 'kind/worker',
      traffic_direction: 'EGRESS',
      event_type: { type: 4 },
      trace_observation_point: 'TO_STACK',
      ...(p.isReply !== undefined ? { is_reply: p.isReply } : {}),
    },
    node_name: 'kind/worker',
    time,
  });
}

/** A stream of `n` data packets each way of a connection that started before the capture. */
function stream(
  client: End,
  server: End,
  clientPort: number,
  serverPort: number,
  n: number,
  isReply: (toServer: boolean) => boolean | undefined,
): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const forward = isReply(true);
    const backward = isReply(false);
    lines.push(
      packet({
        from: client,
        to: server,
        sport: clientPort,
        dport: serverPort,
        flags: { ACK: true, PSH: true },
        timeMs: T0 + i * SECOND,
        ...(forward !== undefined ? { isReply: forward } : {}),
      }),
    );
    lines.push(
      packet({
        from: server,
        to: client,
        sport: serverPort,
        dport: clientPort,
        flags: { ACK: true },
        timeMs: T0 + i * SECOND + 1,
        ...(backward !== undefined ? { isReply: backward } : {}),
      }),
    );
  }
  return lines;
}

const dns = [api, web, consumer, postgres, kafka].flatMap((pod) =>
  hubbleLines({ from: pod, to: kubeDns, port: 53, protocol: 'UDP', timeMs: T0 }),
);

function ns(run: ScenarioRun, name: string): NamespaceRecommendation {
  const found = run.recommendation.namespaces.find((n) => n.namespace === name);
  if (found === undefined) throw new Error(`no namespace ${name}`);
  return found;
}

describe('item 3: connections established before observation', () => {
  const lines = [
    // A database pool opened yesterday: data packets with the reply flag set as Cilium sets it.
    ...stream(api, postgres, 45678, 5432, 20, (toServer) => !toServer),
    // A Kafka consumer seen at an observation point that leaves is_reply unset.
    ...stream(consumer, kafka, 41000, 9092, 20, () => undefined),
    ...hubbleLines({ from: web, to: api, port: 8080, timeMs: T0 }),
    ...dns,
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('stores them as edges of their own evidence kind, oriented client → server', () => {
    const pool = run.edges.find((e) => e.source.workload === 'api' && e.destination.workload === 'postgres');
    expect(pool).toMatchObject({
      port: 5432,
      protocol: 'TCP',
      count: 0,
      established: 20,
      verdict: 'forwarded',
    });
    const kafkaEdge = run.edges.find(
      (e) => e.source.workload === 'consumer' && e.destination.workload === 'kafka',
    );
    // Both directions' packets (is_reply unset) fold into the one connection: 9092 is the server port.
    expect(kafkaEdge).toMatchObject({ port: 9092, count: 0, established: 40 });
    // Never a reversed edge toward a client port.
    expect(run.edges.filter((e) => e.port === 45678 || e.port === 41000)).toEqual([]);
    // A connection whose start was seen keeps counting starts only.
    expect(run.edges.find((e) => e.source.workload === 'web')).toMatchObject({ count: 1, established: 0 });
  });

  it('allows them, proven by the replay, with the evidence kind in the annotation', () => {
    expectSoundProposal(run, ['data', 'shop'], kubeDns, [api, web, consumer, postgres, kafka]);
    expect(run.allowed(api, postgres, 5432)).toBe(true);
    expect(run.allowed(consumer, kafka, 9092)).toBe(true);
    expect(run.allowed(postgres, api, 45678)).toBe(false);
    expect(run.allowed(kafka, consumer, 41000)).toBe(false);
    // The replay proof covers them: every stored forwarded edge was replayed and allowed.
    expect(run.proof.replayed).toBe(run.edges.filter((e) => e.verdict === 'forwarded').length);
    const egress = ns(run, 'shop').policies.find((p) => p.policy.metadata.name === 'allow-egress-api');
    expect(egress?.rules[0]?.evidenceKinds).toEqual(['established-before-observation']);
    expect(egress?.rules[0]?.comment).toContain(
      '20 mid-stream packets or records of connections established before observation',
    );
    expect(egress?.policy.metadata.annotations?.['netpol-advisor.io/evidence']).toContain(
      '(established before observation)',
    );
    expect(
      run.recommendation.warnings
        .filter((w) => w.code === 'established-before-observation')
        .map((w) => w.subject)
        .sort(),
    ).toEqual(['shop/api -> data/postgres TCP/5432', 'shop/consumer -> data/kafka TCP/9092']);
  });

  it('emits them in the cilium and calico flavours too', () => {
    const cnp = JSON.stringify(ciliumObjects(ns(run, 'data')).map((o) => o.object));
    expect(cnp).toContain(
      '"fromEndpoints":[{"matchLabels":{"app":"api","k8s:io.kubernetes.pod.namespace":"shop"}}],"toPorts":[{"ports":[{"port":"5432","protocol":"TCP"}]}]',
    );
    const calico = JSON.stringify(calicoObjects(ns(run, 'data'), false).map((o) => o.object));
    expect(calico).toContain(
      '"source":{"selector":"app == \'consumer\'","namespaceSelector":"kubernetes.io/metadata.name == \'shop\'"},"destination":{"ports":[9092]}',
    );
  });
});

describe('item 4: replies whose reply flag is unset', () => {
  const lines = [
    // DNS over UDP with is_reply absent both ways: the answer comes from port 53.
    ...[0, 1, 2].flatMap((i) => [
      packet({
        from: api,
        to: kubeDns,
        sport: 40000 + i,
        dport: 53,
        protocol: 'UDP',
        timeMs: T0 + i * SECOND,
      }),
      packet({
        from: kubeDns,
        to: api,
        sport: 53,
        dport: 40000 + i,
        protocol: 'UDP',
        timeMs: T0 + i * SECOND + 1,
      }),
    ]),
    // NTP to the internet, same shape.
    packet({ from: api, to: ntp, sport: 45123, dport: 123, protocol: 'UDP', timeMs: T0 }),
    packet({ from: ntp, to: api, sport: 123, dport: 45123, protocol: 'UDP', timeMs: T0 + 1 }),
    // An answer whose request was not captured: still never an allow toward the client port.
    packet({ from: ntp, to: web, sport: 123, dport: 51515, protocol: 'UDP', timeMs: T0 + 2 }),
    // TCP: SYN and SYN-ACK with is_reply absent; the flags decide.
    packet({ from: web, to: api, sport: 51000, dport: 8080, flags: { SYN: true }, timeMs: T0 }),
    packet({
      from: api,
      to: web,
      sport: 8080,
      dport: 51000,
      flags: { SYN: true, ACK: true },
      timeMs: T0 + 1,
    }),
    ...[web, postgres, kafka, consumer].flatMap((pod) =>
      hubbleLines({ from: pod, to: kubeDns, port: 53, protocol: 'UDP', timeMs: T0 }),
    ),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('never turns a reply into an edge toward the client port', () => {
    for (const port of [40000, 40001, 40002, 45123, 51000, 51515])
      expect(
        run.edges.filter((e) => e.port === port),
        `port ${port}`,
      ).toEqual([]);
    expect(
      run.edges.find((e) => e.source.workload === 'api' && e.destination.workload === 'coredns'),
    ).toMatchObject({ port: 53, protocol: 'UDP', count: 3, established: 3 });
    expect(
      run.edges.find((e) => e.source.workload === 'api' && e.destination.ip === '203.0.113.5'),
    ).toMatchObject({ port: 123, count: 1, established: 1 });
    // web's NTP answer without a captured request: evidence that web uses NTP, oriented that way.
    expect(
      run.edges.find((e) => e.source.workload === 'web' && e.destination.ip === '203.0.113.5'),
    ).toMatchObject({ port: 123, count: 0, established: 1 });
    expect(
      run.edges.find((e) => e.source.workload === 'web' && e.destination.workload === 'api'),
    ).toMatchObject({ port: 8080, count: 1, established: 1 });
  });

  it('proposes no allow rule from the reply direction', () => {
    expectSoundProposal(run, ['data', 'shop'], kubeDns, [api, web, postgres, kafka, consumer]);
    expect(run.allowed(api, '203.0.113.5', 123, 'UDP')).toBe(true);
    expect(run.allowed(web, '203.0.113.5', 123, 'UDP')).toBe(true);
    expect(run.allowed('203.0.113.5', api, 45123, 'UDP')).toBe(false);
    expect(run.allowed('203.0.113.5', web, 51515, 'UDP')).toBe(false);
    expect(run.allowed(kubeDns, api, 40000, 'UDP')).toBe(false);
    expect(run.allowed(web, api, 8080)).toBe(true);
    expect(run.allowed(api, web, 51000)).toBe(false);
    const shop = ns(run, 'shop');
    expect(
      shop.policies.some(
        (p) => p.role === 'allow-ingress' && JSON.stringify(p.policy.spec).includes('203.0.113.5'),
      ),
    ).toBe(false);
  });
});
