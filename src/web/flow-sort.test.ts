import { describe, expect, it } from 'vitest';
import { dropReasons, searchFlows, sortFlows, type FlowJson } from './flow-sort.js';
import type { PeerView } from './format.js';

const source = (f: FlowJson): string => {
  const peer: PeerView = f.source;
  return peer.workload ?? '';
};

const flow = (name: string, port: number, count: number, extra: Partial<FlowJson> = {}): FlowJson => ({
  source: { namespace: 'shop', workload: name, kind: 'Deployment', labels: { app: name } },
  destination: { kind: 'world', ip: '203.0.113.10', names: ['payments.example.com'] },
  port,
  protocol: 'TCP',
  verdict: 'forwarded',
  count,
  firstSeen: '2026-01-05T08:00:00Z',
  lastSeen: `2026-01-05T09:0${port % 10}:00Z`,
  ...extra,
});

describe('flows page sorting and search', () => {
  const flows = [
    flow('web', 443, 5),
    flow('api', 8000, 50, {
      verdict: 'dropped',
      dropReasons: { CT_MAP_INSERTION_FAILED: 1, POLICY_DENIED: 3 },
    }),
    flow('worker', 5432, 7),
  ];

  it('sorts by text and number columns both ways, stably', () => {
    expect(sortFlows(flows, 'source', 'asc').map(source)).toEqual(['api', 'web', 'worker']);
    expect(sortFlows(flows, 'count', 'desc').map((f) => f['count'])).toEqual([50, 7, 5]);
    expect(sortFlows(flows, 'port', 'asc').map((f) => f['port'])).toEqual([443, 5432, 8000]);
    expect(sortFlows(flows, 'destination', 'asc')).toEqual(flows);
  });

  it('lists drop reasons most frequent first', () => {
    expect(dropReasons(flows[1] ?? {})).toEqual(['POLICY_DENIED', 'CT_MAP_INSERTION_FAILED']);
  });

  it('searches names, labels, DNS names and reasons; every word must match', () => {
    expect(searchFlows(flows, 'APP=worker').map(source)).toEqual(['worker']);
    expect(searchFlows(flows, 'payments api').map(source)).toEqual(['api']);
    expect(searchFlows(flows, 'policy_denied').map(source)).toEqual(['api']);
    expect(searchFlows(flows, '  ')).toHaveLength(3);
    expect(searchFlows(flows, 'nothing-like-this')).toEqual([]);
  });
});
