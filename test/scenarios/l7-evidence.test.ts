// Issue 15, item 7: Hubble L7 records (HTTP, DNS, Kafka) are evidence of their connection. A
// capture holding only L7 records (an L7-visibility policy, `hubble observe --type l7`) still
// produces its edges, is allowed, and the replay proof covers them.
import { describe, expect, it } from 'vitest';
import { hubbleEndpoint, ipOf, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
const web: PodEnd = {
  ns: 'shop',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.2.11',
  labels: { app: 'web' },
  workload: { name: 'web', kind: 'Deployment' },
};
const api: PodEnd = {
  ns: 'shop',
  pod: 'api-5f6b7c8d9b-qq4zt',
  ip: '10.0.2.12',
  labels: { app: 'api' },
  workload: { name: 'api', kind: 'Deployment' },
};
const kafka: PodEnd = {
  ns: 'data',
  pod: 'kafka-0',
  ip: '10.0.5.3',
  labels: { app: 'kafka' },
  workload: { name: 'kafka', kind: 'StatefulSet' },
};

/** An L7 record as `hubble observe -o json` prints it: request (is_reply false) or response. */
function l7(
  from: End,
  to: End,
  sport: number,
  dport: number,
  reply: boolean,
  record: Record<string, unknown>,
  protocol: 'TCP' | 'UDP',
  at: number,
): string {
  const time = new Date(T0 + at).toISOString();
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: ipOf(from), destination: ipOf(to), ipVersion: 'IPv4' },
      l4: { [protocol]: { source_port: sport, destination_port: dport } },
      source: hubbleEndpoint(from),
      destination: hubbleEndpoint(to),
      Type: 'L7',
      node_name: 'kind/worker',
      l7: { type: reply ? 'RESPONSE' : 'REQUEST', latency_ns: reply ? '1200000' : '0', ...record },
      event_type: { type: 129 },
      traffic_direction: reply ? 'INGRESS' : 'EGRESS',
      is_reply: reply,
    },
    node_name: 'kind/worker',
    time,
  });
}

describe('item 7: L7 records are evidence', () => {
  const lines = [
    ...[0, 1, 2].flatMap((i) => [
      l7(
        web,
        api,
        41000 + i,
        8080,
        false,
        { http: { method: 'GET', url: 'http://api:8080/items', protocol: 'HTTP/1.1' } },
        'TCP',
        i * 1000,
      ),
      l7(
        api,
        web,
        8080,
        41000 + i,
        true,
        { http: { code: 200, method: 'GET', url: 'http://api:8080/items', protocol: 'HTTP/1.1' } },
        'TCP',
        i * 1000 + 5,
      ),
    ]),
    l7(api, kafka, 43000, 9092, false, { kafka: { api_key: 'produce', topic: 'orders' } }, 'TCP', 10),
    ...[web, api, kafka].flatMap((pod, i) => [
      l7(
        pod,
        kubeDns,
        50000 + i,
        53,
        false,
        { dns: { query: 'api.shop.svc.cluster.local.', qtypes: ['A'] } },
        'UDP',
        20,
      ),
      l7(
        kubeDns,
        pod,
        53,
        50000 + i,
        true,
        { dns: { query: 'api.shop.svc.cluster.local.', ips: ['10.0.2.12'], rcode: 0 } },
        'UDP',
        21,
      ),
    ]),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('stores an edge per request direction, as evidence of an established connection', () => {
    expect(
      run.edges.find((e) => e.source.workload === 'web' && e.destination.workload === 'api'),
    ).toMatchObject({ port: 8080, protocol: 'TCP', count: 0, established: 3 });
    expect(
      run.edges.find((e) => e.source.workload === 'api' && e.destination.workload === 'kafka'),
    ).toMatchObject({ port: 9092, count: 0, established: 1 });
    expect(
      run.edges.find((e) => e.source.workload === 'web' && e.destination.workload === 'coredns'),
    ).toMatchObject({ port: 53, protocol: 'UDP', established: 1 });
    // Responses never make an edge toward the client port.
    expect(run.edges.filter((e) => (e.port ?? 0) >= 41000)).toEqual([]);
  });

  it('allows them, proven by the replay', () => {
    expectSoundProposal(run, ['data', 'shop'], kubeDns, [web, api, kafka]);
    expect(run.allowed(web, api, 8080)).toBe(true);
    expect(run.allowed(api, kafka, 9092)).toBe(true);
    expect(run.allowed(api, web, 8080)).toBe(false);
    expect(run.proof.replayed).toBe(run.edges.length);
  });
});
