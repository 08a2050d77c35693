import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeHubbleFlow, parseHubbleLine } from './hubble.js';
import type { Flow, ParseResult } from './flow.js';
import { skipWhenMissing } from '../../test/ci-tools.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedDir = path.resolve(repoRoot, '../shared/fixtures');
const ownLines = readFileSync(path.join(repoRoot, 'test/fixtures/flows/hubble-observe.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

function flowOf(result: ParseResult): Flow {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.flow;
}

function line(n: number): string {
  const value = ownLines[n];
  if (value === undefined) throw new Error(`fixture line ${n} missing`);
  return value;
}

describe('parseHubbleLine on our fixtures', () => {
  it('maps a DROPPED POLICY_DENIED flow with full endpoints and egress_denied_by', () => {
    const flow = flowOf(parseHubbleLine(line(0)));
    expect(flow.verdict).toBe('dropped');
    expect(flow.dropReason).toBe('POLICY_DENIED');
    expect(flow.isPolicyDrop).toBe(true);
    expect(flow.isConnectionStart).toBe(true);
    expect(flow.isReply).toBe(false);
    expect(flow.direction).toBe('egress');
    expect(flow.protocol).toBe('TCP');
    expect(flow.destinationPort).toBe(5432);
    expect(flow.node).toBe('prod/node-a');
    expect(flow.timeMs).toBe(Date.parse('2025-03-04T10:15:30.123Z'));
    expect(flow.policies.egressDeniedBy).toEqual(['shop/deny-db']);
    expect(flow.source).toEqual({
      kind: 'pod',
      ip: '10.0.1.23',
      namespace: 'shop',
      pod: 'api-5f6b7c8d9b-qq4zt',
      workload: { kind: 'Deployment', name: 'api' },
      labels: { app: 'api', tier: 'backend' },
      names: [],
    });
    expect(flow.destination.workload).toEqual({ kind: 'StatefulSet', name: 'postgres' });
  });

  it('marks a SYN-ACK reply and a UDP reply as not starting connections', () => {
    const synAck = flowOf(parseHubbleLine(line(2)));
    expect(synAck.isReply).toBe(true);
    expect(synAck.isConnectionStart).toBe(false);
    const udpQuery = flowOf(parseHubbleLine(line(3)));
    expect(udpQuery.isConnectionStart).toBe(true);
    const udpReply = flowOf(parseHubbleLine(line(4)));
    expect(udpReply.isReply).toBe(true);
    expect(udpReply.isConnectionStart).toBe(false);
  });

  it('maps allowed-by policies, world with names, kube-apiserver and a bare Flow', () => {
    expect(flowOf(parseHubbleLine(line(1))).policies.ingressAllowedBy).toEqual(['shop/allow-web']);
    const world = flowOf(parseHubbleLine(line(5)));
    expect(world.destination).toEqual({
      kind: 'world',
      ip: '140.82.112.6',
      labels: {},
      names: ['api.github.com'],
    });
    const bare = flowOf(parseHubbleLine(line(6)));
    expect(bare.destination.kind).toBe('kube-apiserver');
    expect(bare.isReply).toBeUndefined();
    expect(bare.isConnectionStart).toBe(true);
  });

  it('rejects node_status and lost_events as unsupported_event', () => {
    expect(parseHubbleLine(line(7))).toMatchObject({ ok: false, reason: 'unsupported_event' });
    expect(
      parseHubbleLine(
        '{"lost_events":{"source":"PERF_EVENT_RING_BUFFER","num_events_lost":"3"},"time":"2025-03-04T10:15:35Z"}',
      ),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported_event',
    });
  });
});

describe('parseHubbleLine rejections', () => {
  const good = JSON.parse(line(1)) as { flow: Record<string, unknown> };
  const withFlow = (patch: Record<string, unknown>): string =>
    JSON.stringify({ ...good, flow: { ...good.flow, ...patch } });
  it.each([
    ['malformed JSON', '{"flow":{"verdict":', 'invalid_json'],
    ['not an object', '[1,2]', 'invalid_field'],
    ['unknown verdict', withFlow({ verdict: 'MAYBE' }), 'unknown_enum'],
    ['VERDICT_UNKNOWN', withFlow({ verdict: 'VERDICT_UNKNOWN' }), 'unknown_enum'],
    ['missing verdict', withFlow({ verdict: undefined }), 'missing_field'],
    ['missing l4', withFlow({ l4: undefined }), 'missing_field'],
    ['missing time', JSON.stringify({ flow: { ...good.flow, time: undefined } }), 'missing_field'],
    ['bad time', withFlow({ time: 'yesterday-ish-at-noon' }), 'invalid_field'],
    [
      'port out of range',
      withFlow({ l4: { TCP: { source_port: 1, destination_port: 70000 } } }),
      'invalid_field',
    ],
    ['port as string', withFlow({ l4: { UDP: { destination_port: '53' } } }), 'invalid_field'],
    ['bad IP', withFlow({ IP: { source: '10.0.0.256', destination: '10.0.0.1' } }), 'invalid_field'],
    ['labels not an array', withFlow({ source: { namespace: 'a', labels: 'k8s:app=x' } }), 'invalid_field'],
    ['namespace too long', withFlow({ source: { namespace: 'n'.repeat(300) } }), 'invalid_field'],
    ['verdict wrong type', withFlow({ verdict: { x: 1 } }), 'invalid_field'],
    ['is_reply wrong type', withFlow({ is_reply: 'yes' }), 'invalid_field'],
    ['no flow at all', '{"node_name":"x","time":"2025-03-04T10:15:35Z"}', 'missing_field'],
  ])('%s → %s', (_name, text, reason) => {
    expect(parseHubbleLine(text)).toMatchObject({ ok: false, reason });
  });

  it('drops oversized and excess labels and counts them', () => {
    const labels = [
      ...Array.from({ length: 100 }, (_, i) => `k8s:l${i}=v`),
      `k8s:big=${'x'.repeat(64)}`,
      'k8s:__proto__=polluted',
    ];
    const flow = flowOf(parseHubbleLine(withFlow({ source: { namespace: 'shop', pod_name: 'p', labels } })));
    expect(Object.keys(flow.source.labels)).toHaveLength(64);
    expect(flow.droppedValues).toBe(38);
    expect(Object.getPrototypeOf(flow.source.labels)).toBe(Object.prototype);
  });

  it('bounds DNS names', () => {
    const names = [...Array.from({ length: 30 }, (_, i) => `n${i}.example.com`), 'x'.repeat(300)];
    const flow = flowOf(parseHubbleLine(withFlow({ destination_names: names })));
    expect(flow.destination.names).toHaveLength(20);
    expect(flow.droppedValues).toBe(11);
  });
});

describe('normalizeHubbleFlow on proto-loader objects', () => {
  it('accepts {seconds, nanos} time, is_reply wrapper, oneof discriminators and the envelope', () => {
    const flow = flowOf(
      normalizeHubbleFlow(
        {
          time: { seconds: 1741083330, nanos: 500000000 },
          verdict: 'FORWARDED',
          IP: { source: '10.0.1.10', destination: '10.0.1.23', ipVersion: 'IPv4' },
          l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } }, protocol: 'TCP' },
          source: {
            identity: 31001,
            namespace: 'shop',
            labels: ['k8s:app=web'],
            pod_name: 'web-7d4b9c8f6d-x2k9p',
            workloads: [{ name: 'web', kind: 'Deployment' }],
          },
          destination: { identity: 31002, namespace: 'shop', labels: ['k8s:app=api'], pod_name: 'api-0' },
          Type: 'L3_L4',
          is_reply: { value: false },
          traffic_direction: 'EGRESS',
        },
        { nodeName: 'prod/node-a' },
      ),
    );
    expect(flow.timeMs).toBe(1741083330500);
    expect(flow.node).toBe('prod/node-a');
    expect(flow.isReply).toBe(false);
    expect(flow.isConnectionStart).toBe(true);
    expect(flow.source.workload).toEqual({ kind: 'Deployment', name: 'web' });
    expect(flow.destination.workload).toEqual({ kind: 'StatefulSet', name: 'api' });
  });

  it('unwraps a whole GetFlowsResponse with its response_types discriminator', () => {
    const response = {
      flow: (JSON.parse(line(0)) as { flow: unknown }).flow,
      node_name: 'n1',
      time: { seconds: 1, nanos: 0 },
      response_types: 'flow',
    };
    expect(flowOf(normalizeHubbleFlow(response)).node).toBe('n1');
    expect(
      normalizeHubbleFlow({ node_status: { state_change: 'NODE_GONE' }, response_types: 'node_status' }),
    ).toMatchObject({ reason: 'unsupported_event' });
  });
});

describe.skipIf(skipWhenMissing(existsSync(sharedDir), `the shared fixtures (${sharedDir})`))(
  'parseHubbleLine on the shared real captures',
  () => {
    const files = existsSync(sharedDir)
      ? readdirSync(sharedDir).filter((f) => f.startsWith('hubble-') && f.endsWith('.jsonl'))
      : [];
    it.each(files)('%s parses every line', (file) => {
      const lines = readFileSync(path.join(sharedDir, file), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0);
      for (const text of lines) expect(parseHubbleLine(text).ok).toBe(true);
    });

    it('reads world/host endpoints and the deprecated reply flag', () => {
      const lines = readFileSync(path.join(sharedDir, 'hubble-otel-basic-10-flows.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0);
      const first = flowOf(parseHubbleLine(lines[0] ?? ''));
      expect(first.isReply).toBe(true);
      expect(first.destination.kind).toBe('host');
      expect(first.source.labels).toEqual({
        app: 'reviews',
        'security.istio.io/tlsMode': 'istio',
        version: 'v1',
      });
    });

    it('L7 DNS records are accepted but never start connections', () => {
      const lines = readFileSync(path.join(sharedDir, 'hubble-otel-dns-5-flows.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0);
      for (const text of lines) expect(flowOf(parseHubbleLine(text)).isConnectionStart).toBe(false);
    });

    it('masked exporter drops: POLICY_DENIED SYN counts as an attempt', () => {
      const lines = readFileSync(path.join(sharedDir, 'hubble-cilium-docs-exporter-dropped.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0);
      const denied = flowOf(parseHubbleLine(lines[1] ?? ''));
      expect(denied).toMatchObject({
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        isPolicyDrop: true,
        isConnectionStart: true,
      });
      expect(denied.destination.workload).toEqual({ kind: 'Deployment', name: 'deathstar' });
      expect(flowOf(parseHubbleLine(lines[0] ?? '')).isPolicyDrop).toBe(false);
    });
  },
);

describe('Hubble times: the same-minute shortcut agrees with Date.parse', () => {
  const event = (time: string) => ({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: '10.0.0.1', destination: '10.0.0.2' },
      l4: { UDP: { destination_port: 53 } },
      source: { identity: 1234, namespace: 'shop', pod_name: 'web-5d8f9c7b6-x2x9q', labels: ['k8s:app=web'] },
      destination: { identity: 5678, namespace: 'shop', pod_name: 'db-0', labels: ['k8s:app=db'] },
    },
  });
  const timeOf = (time: string): number | string => {
    const result = normalizeHubbleFlow(event(time));
    return result.ok ? result.flow.timeMs : result.reason;
  };
  /** What timeMsOf did before the same-minute shortcut: Date.parse within the length bounds. */
  const plain = (time: string): number | string => {
    const ms = time.length < 20 || time.length > 40 ? Number.NaN : Date.parse(time);
    return Number.isFinite(ms) && ms > 0 && ms < 253402300800000 ? Math.floor(ms) : 'invalid_field';
  };

  it('reads RFC 3339 times as Date.parse does, including near-misses of the canonical shape', () => {
    const alphabet = fc.constantFrom(...Array.from('0123456789:.TZz-+ '));
    fc.assert(
      fc.property(
        fc.date({ min: new Date(1000), max: new Date(253402300799000), noInvalidDate: true }),
        fc.integer({ min: 0, max: 9 }),
        fc.string({ unit: alphabet, maxLength: 3 }),
        fc.nat(31),
        (date, digits, junk, at) => {
          const canonical = date
            .toISOString()
            .replace(/\.\d+Z$/, digits === 0 ? 'Z' : `.${'987654321'.slice(0, digits)}Z`);
          for (const time of [
            canonical,
            canonical.slice(0, at) + junk + canonical.slice(at),
            canonical.slice(0, at) + canonical.slice(at + 1),
          ]) {
            expect(timeOf(time)).toBe(plain(time));
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Within one minute and across a minute boundary after it.
    expect(timeOf('2026-01-15T09:00:59.999999999Z')).toBe(Date.parse('2026-01-15T09:00:59.999Z'));
    expect(timeOf('2026-01-15T09:01:00.5Z')).toBe(Date.parse('2026-01-15T09:01:00.500Z'));
    expect(timeOf('2026-01-15T09:01:60Z')).toBe(plain('2026-01-15T09:01:60Z'));
  });
});
