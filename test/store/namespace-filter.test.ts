// The namespace filter (either side) is two index ranges merged by id (store.ts listStatement):
// paging through it, alone or with verdict/time filters and any page size, must give exactly the
// edges a plain filter over every edge gives, in id order, each once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openStore } from '../../src/store/store.js';
import type { EdgeQuery, EdgeRecord, FlowStore } from '../../src/store/types.js';
import { deltas, flow, pod, tempDir, world } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
let store: FlowStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('netpol-nsfilter-'));
  store = openStore(path.join(dir, 'flows.db'));
});
afterEach(() => {
  store.close();
  cleanup();
});

const NAMESPACES = ['a', 'b', 'c'];

function seed(): void {
  const flows = [];
  for (let i = 0; i < 120; i++) {
    const src = pod(NAMESPACES[i % 3] ?? 'a', `w${i % 4}`);
    const dst =
      i % 7 === 0
        ? world(`203.0.113.${i % 250}`)
        : pod(NAMESPACES[Math.floor(i / 3) % 3] ?? 'a', `w${(i + 1) % 4}`);
    flows.push(
      flow(i % 11 === 0 ? world(`198.51.100.${i % 250}`) : src, dst, {
        destinationPort: 1000 + i,
        timeMs: 1000 * (i % 30),
        ...(i % 5 === 0 ? { verdict: 'dropped' as const, dropReason: 'POLICY_DENIED' } : {}),
      }),
    );
  }
  store.writeBatch({ deltas: deltas(...flows), accepted: flows.length, rejectedByReason: {} });
}

function pageAll(query: Omit<EdgeQuery, 'cursor'>): number[] {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const page = store.listEdges({ ...query, ...(cursor !== null ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    ids.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('did not end');
}

function touches(edge: EdgeRecord, namespace: string): boolean {
  return edge.source.namespace === namespace || edge.destination.namespace === namespace;
}

describe('namespace filter', () => {
  it('pages exactly the edges touching the namespace, in id order, with any filter and page size', () => {
    seed();
    const all = [...store.iterateEdges()];
    expect(all.length).toBe(120);
    for (const namespace of [...NAMESPACES, 'absent']) {
      for (const verdict of [undefined, 'dropped', 'forwarded'] as const) {
        for (const sinceMs of [undefined, 15_000]) {
          const expected = all
            .filter(
              (e) =>
                touches(e, namespace) &&
                (verdict === undefined || e.verdict === verdict) &&
                (sinceMs === undefined || e.lastSeenMs >= sinceMs),
            )
            .map((e) => e.id);
          const filter = {
            namespace,
            ...(verdict !== undefined ? { verdict } : {}),
            ...(sinceMs !== undefined ? { sinceMs } : {}),
          };
          for (const limit of [1, 2, 7, 1000]) expect(pageAll({ ...filter, limit })).toEqual(expected);
          expect([...store.iterateEdges(filter)].map((e) => e.id)).toEqual(expected);
        }
      }
    }
  });
});
