import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCalicoFlowLogLine } from './calico-flowlog.js';
import { calicoIptablesParser, parseCalicoIptablesLine } from './calico-iptables.js';
import { aggregateFlows } from './edge.js';
import type { Flow, ParseResult } from './flow.js';
import { skipWhenMissing } from '../../test/ci-tools.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedDir = path.resolve(repoRoot, '../shared/fixtures');
const read = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const flowLines = read(path.join(repoRoot, 'test/fixtures/flows/calico-flowlogs.jsonl'));
const iptLines = read(path.join(repoRoot, 'test/fixtures/flows/calico-iptables.log'));

function flowOf(result: ParseResult): Flow {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.flow;
}

describe('calico flow logs', () => {
  const [src, dst, toInternet, srcDeny] = flowLines.map((l) => flowOf(parseCalicoFlowLogLine(l)));

  it('counts a pod-to-pod connection once: the dst report, not the src report', () => {
    expect(src?.isConnectionStart).toBe(false);
    expect(dst?.isConnectionStart).toBe(true);
    const edges = aggregateFlows([src, dst].filter((f): f is Flow => f !== undefined));
    expect(edges.size).toBe(1);
    expect([...edges.values()][0]?.count).toBe(3);
  });

  it('counts src reports when nobody else reports (internet destination, egress deny)', () => {
    expect(toInternet).toMatchObject({ isConnectionStart: true, connectionCount: 2, destinationPort: 443 });
    expect(toInternet?.destination).toEqual({
      kind: 'world',
      ip: '140.82.112.6',
      labels: {},
      names: ['api.github.com'],
    });
    expect(srcDeny).toMatchObject({
      verdict: 'dropped',
      isPolicyDrop: true,
      dropReason: 'POLICY_DENIED',
      isConnectionStart: true,
    });
    expect(srcDeny?.policies.egressDeniedBy).toEqual(['security.default-deny']);
  });

  it('maps labels, workloads and policies', () => {
    expect(dst?.source).toMatchObject({
      kind: 'pod',
      namespace: 'shop',
      pod: 'web-7d4b9c8f6d-x2k9p',
      workload: { kind: 'Deployment', name: 'web' },
    });
    expect(dst?.destination.labels).toEqual({ app: 'api', 'pod-template-hash': '5f6b7c8d9b' });
    expect(dst?.policies.ingressAllowedBy).toEqual(['shop/allow-web']);
    expect(src?.policies.egressAllowedBy).toEqual(['shop/default.web-egress']);
    expect(dst?.timeMs).toBe(1741083300000);
  });

  it('num_flows_started 0: a connection established before observation, on the counting report', () => {
    const record = JSON.parse(flowLines[1] ?? '') as Record<string, unknown>;
    const parse = (patch: Record<string, unknown>): Flow =>
      flowOf(parseCalicoFlowLogLine(JSON.stringify({ ...record, num_flows_started: 0, ...patch })));
    const established = parse({});
    expect(established).toMatchObject({ isConnectionStart: false, established: 'forward' });
    expect(established.noEdge).toBeUndefined();
    // Evidence on the edge as written (source = initiator), never a connection count.
    const [edge] = aggregateFlows([established]).values();
    expect(edge).toMatchObject({ port: 8080, count: 0, established: 1 });
    expect(edge?.source).toMatchObject({ namespace: 'shop', workload: 'web' });
    // The other end's report stays uncounted; a deny still stands for one blocked attempt.
    expect(parse({ reporter: 'src' })).toMatchObject({
      isConnectionStart: false,
      noEdge: 'other-end-report',
    });
    expect(parse({ action: 'deny' })).toMatchObject({ isConnectionStart: true, connectionCount: 1 });
    // Without its port it makes no edge, and says why; ICMP has no port and is still evidence.
    expect(parse({ dest_port: null })).toMatchObject({ isConnectionStart: false, noEdge: 'missing-port' });
    // A started TCP connection without its port: no portless edge either (no rule could name it);
    // a denied one is still a blocked attempt.
    expect(parse({ dest_port: null, num_flows_started: 3 })).toMatchObject({
      isConnectionStart: false,
      noEdge: 'missing-port',
    });
    expect(parse({ dest_port: null, action: 'deny' })).toMatchObject({
      isConnectionStart: true,
      connectionCount: 1,
    });
    const icmp = parse({ proto: 'icmp', dest_port: null });
    expect(icmp).toMatchObject({ established: 'forward' });
    expect([...aggregateFlows([icmp]).values()][0]).toMatchObject({ protocol: 'ICMP', port: null });
  });

  const base = JSON.parse(flowLines[1] ?? '') as Record<string, unknown>;
  const patched = (patch: Record<string, unknown>): string => JSON.stringify({ ...base, ...patch });
  it.each([
    ['malformed JSON', '{"start_time":1,', 'invalid_json'],
    ['unknown action', patched({ action: 'pass' }), 'unknown_enum'],
    ['unknown proto', patched({ proto: 'gre' }), 'unknown_enum'],
    ['unknown endpoint type', patched({ source_type: 'vm' }), 'unknown_enum'],
    ['missing start_time', patched({ start_time: undefined }), 'missing_field'],
    ['missing reporter', patched({ reporter: undefined }), 'missing_field'],
    ['port out of range', patched({ dest_port: 65536 }), 'invalid_field'],
    ['bad ip', patched({ dest_ip: 'not-an-ip' }), 'invalid_field'],
    ['labels wrong type', patched({ dest_labels: 42 }), 'invalid_field'],
    ['start_time as string', patched({ start_time: '1741083300' }), 'invalid_field'],
  ])('%s → %s', (_name, text, reason) => {
    expect(parseCalicoFlowLogLine(text)).toMatchObject({ ok: false, reason });
  });

  describe.skipIf(skipWhenMissing(existsSync(sharedDir), `the shared fixtures (${sharedDir})`))(
    'shared fixture',
    () => {
      it('parses the real deny line and the docs allow line; rejects the two undated docs lines', () => {
        const results = read(path.join(sharedDir, 'calico-enterprise-flowlogs.jsonl')).map(
          parseCalicoFlowLogLine,
        );
        expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
          'ok',
          'missing_field',
          'missing_field',
          'ok',
        ]);
        const deny = flowOf(results[0] as ParseResult);
        expect(deny).toMatchObject({
          verdict: 'dropped',
          isConnectionStart: true,
          destinationPort: 5050,
          direction: 'ingress',
        });
        expect(deny.policies.ingressDeniedBy).toEqual(['hipstershop/app-hipstershop.checkoutservice']);
        expect(deny.destination.workload).toEqual({ kind: 'Deployment', name: 'checkoutservice' });
      });

      it('the docs allow line with its connection started earlier is evidence of its path', () => {
        const line = read(path.join(sharedDir, 'calico-enterprise-flowlogs.jsonl'))[3] ?? '';
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(record).toMatchObject({ reporter: 'dst', action: 'allow', num_flows_started: 1 });
        const started = flowOf(parseCalicoFlowLogLine(line));
        const earlier = flowOf(parseCalicoFlowLogLine(JSON.stringify({ ...record, num_flows_started: 0 })));
        expect(earlier).toMatchObject({ isConnectionStart: false, established: 'forward' });
        const [startEdge] = aggregateFlows([started]).values();
        const [earlierEdge] = aggregateFlows([earlier]).values();
        // The same edge (source, destination, port), one counted as a start, one as evidence.
        expect(earlierEdge?.key).toBe(startEdge?.key);
        expect([startEdge?.count, startEdge?.established]).toEqual([1, 0]);
        expect([earlierEdge?.count, earlierEdge?.established]).toEqual([0, 1]);
      });
    },
  );
});

describe('calico iptables Log lines', () => {
  const parse = calicoIptablesParser({ year: 2025 });
  it('parses a SYN as a forwarded connection start from a workload', () => {
    const flow = flowOf(parse(iptLines[0] ?? ''));
    expect(flow).toMatchObject({
      protocol: 'TCP',
      sourcePort: 45678,
      destinationPort: 443,
      verdict: 'forwarded',
      isConnectionStart: true,
      direction: 'egress',
      node: 'node-a',
    });
    expect(flow.source).toEqual({ kind: 'cluster', ip: '10.0.1.23', labels: {}, names: [] });
    expect(flow.destination.kind).toBe('unknown');
    expect(flow.timeMs).toBe(Date.parse('2025-03-04T10:15:30.123Z'));
  });

  it('a SYN-ACK is not a connection start; calico-drop with classic syslog is a policy drop', () => {
    expect(flowOf(parse(iptLines[1] ?? '')).isConnectionStart).toBe(false);
    const drop = flowOf(parse(iptLines[2] ?? ''));
    expect(drop).toMatchObject({
      verdict: 'dropped',
      isPolicyDrop: true,
      destinationPort: 5432,
      node: 'node-b',
      timeMs: Date.UTC(2025, 2, 4, 10, 15, 31),
    });
    expect(parseCalicoIptablesLine(iptLines[2] ?? '')).toMatchObject({ ok: false, reason: 'missing_field' });
  });

  it('parses IPv6 ICMP echo requests', () => {
    expect(flowOf(parse(iptLines[3] ?? ''))).toMatchObject({
      protocol: 'ICMPv6',
      isConnectionStart: true,
      destination: { ip: '2001:4860:4860::8888' },
    });
  });

  it.each([
    ['no LOG fields', 'Mar  4 10:15:31 node-b kernel: something else', 'unparseable_line'],
    ['bad SRC', (iptLines[0] ?? '').replace('SRC=10.0.1.23', 'SRC=10.0.1.299'), 'invalid_field'],
    ['missing DST', (iptLines[0] ?? '').replace(' DST=140.82.112.6', ''), 'missing_field'],
    ['unknown PROTO', (iptLines[0] ?? '').replace('PROTO=TCP', 'PROTO=GRE'), 'unknown_enum'],
    ['port out of range', (iptLines[0] ?? '').replace('DPT=443', 'DPT=99999'), 'invalid_field'],
  ])('%s → %s', (_name, text, reason) => {
    expect(parse(text)).toMatchObject({ ok: false, reason });
  });

  describe.skipIf(skipWhenMissing(existsSync(sharedDir), `the shared fixtures (${sharedDir})`))(
    'shared fixtures',
    () => {
      it('parses the OSS and the Enterprise lines', () => {
        const oss = read(path.join(sharedDir, 'calico-oss-iptables-log-action.log')).map((l) =>
          flowOf(parse(l)),
        );
        expect(oss.map((f) => f.protocol)).toEqual(['TCP', 'ICMP', 'UDP']);
        expect(oss.every((f) => f.isConnectionStart && f.verdict === 'forwarded')).toBe(true);
        const drop = read(path.join(sharedDir, 'calico-enterprise-drop-action-override.log')).map((l) =>
          flowOf(parse(l)),
        );
        expect(drop[0]).toMatchObject({
          verdict: 'dropped',
          source: { ip: '192.168.128.30' },
          destinationPort: 80,
        });
      });
    },
  );
});
