// The store's projection read (iterateEdgeSummaries, src/store/views.ts) on a real SQLite file:
// the same edges, in the same order and with the same fields as iterateEdges, under every filter
// (and across its internal pages), so the namespace traffic and the service map built from it
// equal those built from the full records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeKey, type EdgeDelta, type EdgePeer } from '../../src/flows/edge.js';
import { trafficByNamespace } from '../../src/views/coverage.js';
import { buildGraph } from '../../src/views/graph.js';
import { openStore } from '../../src/store/store.js';
import type { EdgeQuery, EdgeRecord, EdgeSummary, FlowStore } from '../../src/store/types.js';

const EDGES = 4500; // deltas; some share a key, leaving more edges than one internal page (2000) of the projection
const NOW = Date.UTC(2026, 10, 20, 12);

let dir: string;
let store: FlowStore;

function peerOf(i: number, side: number): EdgePeer {
  const pick = (i * 7 + side * 3) % 10;
  if (pick === 0) return { kind: 'world', ip: `203.0.113.${i % 250}` };
  if (pick === 1) return { kind: 'host', ip: '10.1.0.1' };
  if (pick === 2) return { kind: 'pod', workload: 'no-namespace' };
  return {
    kind: 'pod',
    namespace: `ns-${(i + side) % 7}`,
    workload: `app-${(i * 3 + side) % 5}`,
    ...(pick === 3 ? {} : { workloadKind: 'Deployment' }),
  };
}

function delta(i: number): EdgeDelta {
  const source = peerOf(i, 0);
  const destination = peerOf(i, 1);
  const port = i % 11 === 0 ? null : 1000 + (i % 300);
  const protocol = i % 13 === 0 ? 'UDP' : 'TCP';
  const verdict = i % 9 === 0 ? 'dropped' : 'forwarded';
  return {
    key: edgeKey(source, destination, protocol, port, verdict),
    source,
    destination,
    protocol,
    port,
    verdict,
    count: 1 + (i % 17),
    firstSeenMs: NOW - 7_200_000 + i,
    lastSeenMs: NOW - (i % 3600) * 1000,
    sourceLabels: { app: 'x' },
    destinationLabels: {},
    sourcePods: new Set(['p-1']),
    destinationPods: new Set(),
    sourceNames: new Set(source.kind === 'pod' ? [] : ['a.example.com', `n${i % 4}.example.com`]),
    destinationNames: new Set(destination.kind === 'pod' ? [] : ['b.example.com']),
    dropReasons: new Map(verdict === 'dropped' ? [['POLICY_DENIED', 1]] : []),
    deniedBy: new Set(),
    allowedBy: new Set(),
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-summaries-'));
  store = openStore(path.join(dir, 'flows.db'));
  const deltas = Array.from({ length: EDGES }, (_, i) => delta(i));
  store.writeBatch({ deltas: deltas.slice(0, 3000), accepted: 3000, rejectedByReason: {} });
  // A second batch merges into existing edges (counts, times, names) and adds the rest.
  store.writeBatch({
    deltas: [
      ...deltas.slice(2500).map((d) => ({ ...d, count: 5, lastSeenMs: NOW })),
      ...deltas.slice(0, 100),
    ],
    accepted: 2100,
    rejectedByReason: {},
  });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function summary(edge: EdgeRecord): EdgeSummary {
  const {
    id,
    source,
    destination,
    protocol,
    port,
    verdict,
    count,
    firstSeenMs,
    lastSeenMs,
    sourceNames,
    destinationNames,
  } = edge;
  return {
    id,
    source,
    destination,
    protocol,
    port,
    verdict,
    count,
    firstSeenMs,
    lastSeenMs,
    sourceNames,
    destinationNames,
  };
}

const FILTERS: Omit<EdgeQuery, 'limit' | 'cursor'>[] = [
  {},
  { namespace: 'ns-3' },
  { namespace: 'absent' },
  { verdict: 'dropped' },
  { sinceMs: NOW - 600_000 },
  { namespace: 'ns-1', verdict: 'forwarded', sinceMs: NOW - 1_800_000 },
];

describe('iterateEdgeSummaries', () => {
  it.each(FILTERS)('filter %o: the same edges, order and fields as iterateEdges', (filter) => {
    const full = [...store.iterateEdges(filter)].map(summary);
    const projected = [...store.iterateEdgeSummaries(filter)];
    expect(projected).toEqual(full);
    if (Object.keys(filter).length === 0) expect(projected.length).toBeGreaterThan(3000);
  });

  it('namespace traffic and the service map equal those of the full records', () => {
    const byName = (m: Map<string, unknown>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(byName(trafficByNamespace(store.iterateEdgeSummaries()))).toEqual(
      byName(trafficByNamespace(store.iterateEdges())),
    );
    for (const [filter, maxEdges] of [
      [{}, 500],
      [{}, 5],
      [{ namespace: 'ns-2' }, 500],
    ] as const) {
      expect(buildGraph(store.iterateEdgeSummaries(filter), maxEdges)).toEqual(
        buildGraph(store.iterateEdges(filter), maxEdges),
      );
    }
  });
});
