// The Hubble Relay source (with its server-side filters, applied by the fake relay exactly as
// Hubble applies them) and `ingest --format hubble` of the same flows store identical edges,
// including flows whose is_reply is unset, mid-stream packets of connections established before
// observation, drops, ICMP and packets without a destination port. And the filters this client sent before issue 15 (reply: [false]
// in the whitelist) would have lost edges on exactly those flows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregateFlows } from '../../src/flows/edge.js';
import { HubbleRelaySource } from '../../src/sources/hubble-relay.js';
import type { RelayFilters } from '../../src/sources/hubble-relay-filters.js';
import { openStore } from '../../src/store/store.js';
import type { EdgeRecord } from '../../src/store/types.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeRelay, type RelayResponse } from '../fakes/fake-relay.js';
import { ingestLines } from '../scenarios/ingest-lines.js';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Ep {
  ns: string;
  pod: string;
  app: string;
  ip: string;
  kind: string;
}
const api: Ep = { ns: 'shop', pod: 'api-5f6b7c8d9b-qq4zt', app: 'api', ip: '10.0.4.2', kind: 'Deployment' };
const consumer: Ep = {
  ns: 'shop',
  pod: 'consumer-6c9d8f7b5-k2j3h',
  app: 'consumer',
  ip: '10.0.4.4',
  kind: 'Deployment',
};
const pg: Ep = { ns: 'data', pod: 'postgres-0', app: 'postgres', ip: '10.0.5.2', kind: 'StatefulSet' };
const kafka: Ep = { ns: 'data', pod: 'kafka-0', app: 'kafka', ip: '10.0.5.3', kind: 'StatefulSet' };
const dns: Ep = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  app: 'kube-dns',
  ip: '10.0.0.10',
  kind: 'Deployment',
};

function endpoint(e: Ep): Record<string, unknown> {
  const name =
    e.kind === 'StatefulSet' ? e.pod.replace(/-\d+$/, '') : e.pod.split('-').slice(0, -2).join('-');
  return {
    ID: 100,
    identity: 40000,
    namespace: e.ns,
    pod_name: e.pod,
    labels: [`k8s:app=${e.app}`, `k8s:io.kubernetes.pod.namespace=${e.ns}`],
    workloads: [{ name, kind: e.kind }],
  };
}

interface Spec {
  from: Ep;
  to: Ep;
  sport?: number;
  dport?: number;
  proto?: 'TCP' | 'UDP' | 'ICMPv4';
  flags?: Record<string, boolean> | null;
  icmpType?: number;
  reply?: boolean;
  verdict?: string;
  l7?: Record<string, unknown>;
  at: number;
}

let seq = 0;
/** One flow as proto-loader hands it to the relay source (and as the fake relay sends it). */
function relayFlow(s: Spec): RelayResponse {
  const ms = T0 + s.at * 1000 + (seq++ % 1000);
  const time = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
  const proto = s.proto ?? 'TCP';
  const l4 =
    proto === 'ICMPv4'
      ? { ICMPv4: { type: s.icmpType ?? 8 }, protocol: 'ICMPv4' }
      : proto === 'UDP'
        ? { UDP: { source_port: s.sport, destination_port: s.dport }, protocol: 'UDP' }
        : {
            TCP: {
              source_port: s.sport,
              destination_port: s.dport,
              ...(s.flags === null ? {} : { flags: s.flags ?? { ACK: true } }),
            },
            protocol: 'TCP',
          };
  const verdict = s.verdict ?? 'FORWARDED';
  return {
    node_name: 'kind/worker',
    time,
    flow: {
      time,
      verdict,
      ...(verdict === 'DROPPED' ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      IP: { source: s.from.ip, destination: s.to.ip, ipVersion: 'IPv4' },
      l4,
      source: endpoint(s.from),
      destination: endpoint(s.to),
      Type: s.l7 !== undefined ? 'L7' : 'L3_L4',
      node_name: 'kind/worker',
      ...(s.l7 !== undefined ? { l7: s.l7 } : {}),
      event_type: { type: s.l7 !== undefined ? 129 : 4 },
      traffic_direction: 'EGRESS',
      ...(s.reply === undefined ? {} : { is_reply: { value: s.reply } }),
    },
  };
}

/** The same flow as `hubble observe -o json` prints it (protojson: RFC 3339 time, plain bool). */
function jsonLine(item: RelayResponse): string {
  const flow = { ...(item.flow ?? {}) };
  const t = flow['time'] as { seconds: number; nanos: number };
  const time = new Date(t.seconds * 1000 + t.nanos / 1e6).toISOString();
  flow['time'] = time;
  const wrapper = flow['is_reply'] as { value?: boolean } | undefined;
  if (wrapper !== undefined) flow['is_reply'] = wrapper.value === true;
  const l4 = { ...(flow['l4'] as Record<string, unknown>) };
  delete l4['protocol'];
  flow['l4'] = l4;
  return JSON.stringify({ flow, node_name: item.node_name, time });
}

const flows: RelayResponse[] = [
  // A connection seen from its start, reply flag set: SYN, SYN-ACK, ACK.
  relayFlow({ from: api, to: pg, sport: 40001, dport: 5432, flags: { SYN: true }, reply: false, at: 1 }),
  relayFlow({
    from: pg,
    to: api,
    sport: 5432,
    dport: 40001,
    flags: { SYN: true, ACK: true },
    reply: true,
    at: 1,
  }),
  relayFlow({ from: api, to: pg, sport: 40001, dport: 5432, flags: { ACK: true }, reply: false, at: 1 }),
  // The same at an observation point that leaves is_reply unset.
  relayFlow({ from: api, to: pg, sport: 40002, dport: 5432, flags: { SYN: true }, at: 2 }),
  relayFlow({ from: pg, to: api, sport: 5432, dport: 40002, flags: { SYN: true, ACK: true }, at: 2 }),
  // A Kafka stream established before observation, is_reply unset both ways.
  relayFlow({ from: consumer, to: kafka, sport: 41000, dport: 9092, flags: { ACK: true, PSH: true }, at: 3 }),
  relayFlow({ from: kafka, to: consumer, sport: 9092, dport: 41000, flags: { ACK: true }, at: 3 }),
  // A database pool established before observation, reply flag set.
  relayFlow({
    from: api,
    to: pg,
    sport: 45678,
    dport: 5432,
    flags: { ACK: true, PSH: true },
    reply: false,
    at: 4,
  }),
  relayFlow({ from: pg, to: api, sport: 5432, dport: 45678, flags: { ACK: true }, reply: true, at: 4 }),
  // DNS with is_reply unset, and with it set.
  relayFlow({ from: api, to: dns, sport: 40003, dport: 53, proto: 'UDP', at: 5 }),
  relayFlow({ from: dns, to: api, sport: 53, dport: 40003, proto: 'UDP', at: 5 }),
  relayFlow({ from: consumer, to: dns, sport: 40004, dport: 53, proto: 'UDP', reply: false, at: 5 }),
  relayFlow({ from: dns, to: consumer, sport: 53, dport: 40004, proto: 'UDP', reply: true, at: 5 }),
  // Drops: a SYN with is_reply unset (Hubble counts it as false) and a dropped reply.
  relayFlow({
    from: api,
    to: pg,
    sport: 40005,
    dport: 6379,
    flags: { SYN: true },
    verdict: 'DROPPED',
    at: 6,
  }),
  relayFlow({
    from: pg,
    to: api,
    sport: 5432,
    dport: 40006,
    flags: { ACK: true },
    reply: true,
    verdict: 'DROPPED',
    at: 6,
  }),
  // ICMP echo with is_reply unset, a reset, and field-masked TCP without flags.
  relayFlow({ from: api, to: pg, proto: 'ICMPv4', icmpType: 8, at: 7 }),
  relayFlow({ from: pg, to: api, proto: 'ICMPv4', icmpType: 0, at: 7 }),
  relayFlow({ from: api, to: kafka, sport: 40007, dport: 9093, flags: { RST: true }, at: 8 }),
  relayFlow({ from: consumer, to: pg, sport: 43000, dport: 5433, flags: null, at: 9 }),
  // L7 records (an L7-visibility policy): the request is evidence, the response is a reply.
  relayFlow({
    from: api,
    to: kafka,
    sport: 44000,
    dport: 9092,
    flags: null,
    reply: false,
    l7: { type: 'REQUEST', kafka: { api_key: 'produce', topic: 'orders' } },
    at: 10,
  }),
  relayFlow({
    from: kafka,
    to: api,
    sport: 9092,
    dport: 44000,
    flags: null,
    reply: true,
    l7: { type: 'RESPONSE', kafka: { api_key: 'produce', topic: 'orders' } },
    at: 10,
  }),
  // No destination port (proto3 omits a zero one): a mid-stream packet and a SYN. Neither path
  // makes a port-0 edge of them (the summary below has none).
  relayFlow({ from: consumer, to: pg, sport: 43001, flags: { ACK: true, PSH: true }, reply: false, at: 11 }),
  relayFlow({ from: consumer, to: pg, sport: 43002, flags: { SYN: true }, at: 11 }),
  // A gRPC stream established before observation toward a server listening on a high port, the
  // reply flag set: the request direction is reported (`establishedObserved`), not inferred.
  relayFlow({
    from: consumer,
    to: api,
    sport: 45000,
    dport: 40000,
    flags: { ACK: true, PSH: true },
    reply: false,
    at: 12,
  }),
  relayFlow({
    from: api,
    to: consumer,
    sport: 40000,
    dport: 45000,
    flags: { ACK: true },
    reply: true,
    at: 12,
  }),
];

type Comparable = Omit<EdgeRecord, 'id'>;
function comparable(edges: Iterable<EdgeRecord>): Comparable[] {
  return [...edges]
    .map(({ id: _id, ...rest }) => rest)
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

function tempStore(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `netpol-parity-${name}-`));
  const store = openStore(path.join(dir, 'flows.db'));
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

async function viaRelay(filters?: RelayFilters): Promise<{ edges: Comparable[]; relay: FakeRelay }> {
  const relay = await new FakeRelay({ history: flows }).start();
  cleanups.push(() => relay.stop());
  const src = new HubbleRelaySource({
    name: 'relay',
    address: relay.address,
    clock: new FakeClock(),
    random: () => 0.5,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...(filters !== undefined ? { filters } : {}),
  });
  cleanups.push(() => src.stop());
  const sink = new CollectingSink();
  await src.start(sink);
  await waitFor(
    () => relay.requests.length === 1 && sink.results.length === flows.length - relay.filteredOut,
    10_000,
    'relay history',
  );
  expect(sink.results.every((r) => r.ok)).toBe(true);
  const store = tempStore('relay');
  store.writeBatch({
    deltas: aggregateFlows(sink.flows).values(),
    accepted: sink.flows.length,
    rejectedByReason: {},
  });
  return { edges: comparable(store.iterateEdges()), relay };
}

describe('relay ingest and file ingest store the same edges', () => {
  it('with the server-side filters on, applied as Hubble applies them', async () => {
    const store = tempStore('file');
    ingestLines(store, 'hubble', flows.map(jsonLine));
    const fromFile = comparable(store.iterateEdges());
    const { edges: fromRelay, relay } = await viaRelay();
    // The filters did work: the definite replies never left the relay.
    expect(relay.filteredOut).toBe(
      flows.filter((f) => (f.flow?.['is_reply'] as { value?: boolean } | undefined)?.value === true).length,
    );
    expect(fromRelay).toEqual(fromFile);
    const summary = fromFile.map(
      (e) =>
        `${e.source.workload ?? e.source.ip}>${e.destination.workload ?? e.destination.ip}:${e.protocol}/${e.port ?? '-'} ${e.verdict} ${e.count}+${e.established ?? 0}/${e.establishedObserved ?? 0}`,
    );
    expect(summary.sort()).toEqual([
      // count+established/established with its direction reported (is_reply false)
      'api>coredns:UDP/53 forwarded 1+1/0',
      'api>kafka:TCP/9092 forwarded 0+1/1',
      'api>postgres:ICMP/- forwarded 1+0/0',
      'api>postgres:TCP/5432 forwarded 2+3/2',
      'api>postgres:TCP/6379 dropped 1+0/0',
      'consumer>api:TCP/40000 forwarded 0+1/1',
      'consumer>coredns:UDP/53 forwarded 1+0/0',
      'consumer>kafka:TCP/9092 forwarded 0+2/0',
      'consumer>postgres:TCP/5433 forwarded 0+1/0',
    ]);
  });

  it('the filters sent before (reply: [false] in the whitelist) lose the flows whose is_reply is unset', async () => {
    const store = tempStore('file-old');
    ingestLines(store, 'hubble', flows.map(jsonLine));
    const old: RelayFilters = {
      whitelist: [
        { protocol: ['tcp'], tcp_flags: [{ SYN: true }], reply: [false] },
        { protocol: ['udp', 'sctp', 'icmp'], reply: [false] },
        { verdict: ['DROPPED'] },
      ],
      blacklist: [{ verdict: ['FORWARDED'], tcp_flags: [{ SYN: true, ACK: true }] }],
    };
    const { edges } = await viaRelay(old);
    const lost = comparable(store.iterateEdges()).filter(
      (e) => !edges.some((r) => JSON.stringify(r) === JSON.stringify(e)),
    );
    expect(lost.length).toBeGreaterThan(0);
  });

  it('answers an unknown protocol name with INVALID_ARGUMENT, as Hubble does', async () => {
    const relay = await new FakeRelay({ history: flows }).start();
    cleanups.push(() => relay.stop());
    const clock = new FakeClock();
    const src = new HubbleRelaySource({
      name: 'relay',
      address: relay.address,
      clock,
      random: () => 0.5,
      backoff: { initialMs: 100, maxMs: 1000 },
      filters: { whitelist: [{ protocol: ['quic'] }], blacklist: [] },
    });
    cleanups.push(() => src.stop());
    await src.start(new CollectingSink());
    await waitFor(() => src.status().lastError !== undefined, 10_000, 'error reported');
    expect(String(src.status().lastError)).toContain('unknown protocol');
  });
});
