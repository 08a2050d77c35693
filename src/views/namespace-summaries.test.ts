import { describe, expect, it } from 'vitest';
import { edge, type PodSide } from '../../test/recommend/edge-builder.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot } from '../policy/model.js';
import { trafficByNamespace } from './coverage.js';
import { namespacesPage } from './namespace-summaries.js';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;
const side = (ns: string): PodSide => ({ ns, workload: 'w', labels: { app: 'w' } });

const traffic = trafficByNamespace([
  edge(side('a'), side('b'), 80, { count: 2, last: NOW - 10 }),
  edge(side('b'), side('c'), 80, { verdict: 'dropped', count: 5, last: NOW - 2 * HOUR }),
  edge(side('b'), side('c'), 81, { verdict: 'dropped', count: 7, last: NOW - 60_000 }),
]);

describe('namespacesPage', () => {
  it('pages by name; drops of the last hour only; totals count each edge once', () => {
    const first = namespacesPage(traffic, undefined, { after: undefined, limit: 2, nowMs: NOW });
    expect(first.items.map((i) => i.name)).toEqual(['a', 'b']);
    expect(first.lastName).toBe('b');
    expect(first.items[1]).toEqual({
      name: 'b',
      coverage: null,
      edges: 3,
      connections: 14,
      dropsLastHour: { paths: 1, connections: 7 },
      lastSeen: new Date(NOW - 10).toISOString(),
    });
    expect(first.totals).toEqual({ edges: 3, connections: 14, dropsLastHour: { paths: 1, connections: 7 } });
    const second = namespacesPage(traffic, undefined, { after: 'b', limit: 2, nowMs: NOW });
    expect(second.items.map((i) => i.name)).toEqual(['c']);
    expect(second.lastName).toBeNull();
  });

  it('adds the snapshot namespaces with no traffic, with their coverage', () => {
    const snapshot: ClusterSnapshot = { ...EMPTY_SNAPSHOT, namespaces: [{ name: 'quiet', labels: {} }] };
    const page = namespacesPage(traffic, snapshot, { after: 'c', limit: 10, nowMs: NOW });
    expect(page.items).toEqual([
      {
        name: 'quiet',
        coverage: expect.objectContaining({ policies: 0, pods: 0, selectedShare: null }) as unknown,
        edges: 0,
        connections: 0,
        dropsLastHour: { paths: 0, connections: 0 },
        lastSeen: null,
      },
    ]);
  });
});
