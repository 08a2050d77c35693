// The store's cache of committed edges (src/store/edge-cache.ts) must never change what is stored:
// a store with the cache and one without, fed the same batches, hold identical rows; a rolled-back
// batch and another connection's commits invalidate it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import fc from 'fast-check';
import { EDGE_NAMES_MAX, EDGE_SAMPLE_PODS_MAX, type EdgeDelta } from '../../src/flows/edge.js';
import type { Flow } from '../../src/flows/flow.js';
import { CachedEdge, EdgeCache } from '../../src/store/edge-cache.js';
import { openStore } from '../../src/store/store.js';
import type { EdgeRecord, FlowStore } from '../../src/store/types.js';
import { deltas, flow, pod, tempDir, world } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
const opened: FlowStore[] = [];

function open(name: string, edgeCacheSize?: number): FlowStore {
  const store = openStore(path.join(dir, name), edgeCacheSize !== undefined ? { edgeCacheSize } : {});
  opened.push(store);
  return store;
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('netpol-edge-cache-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  cleanup();
});

function rows(store: FlowStore): EdgeRecord[] {
  return [...store.iterateEdges()];
}

const api = pod('shop', 'api');

// Frozen label objects, as the Hubble parser hands them out (memoized JSON), and plain ones.
const labelSets = [
  Object.freeze({ app: 'web' }),
  Object.freeze({ app: 'web', tier: 'front' }),
  { app: 'web', v: '2' },
];

const flowArb: fc.Arbitrary<Flow> = fc
  .record({
    target: fc.constantFrom('api', 'world'),
    podIndex: fc.integer({ min: 0, max: 2 * EDGE_SAMPLE_PODS_MAX }),
    labels: fc.constantFrom(...labelSets),
    names: fc.array(fc.constantFrom('a.example.com', 'b.example.com', 'x'.repeat(600)), { maxLength: 3 }),
    dropped: fc.boolean(),
    reason: fc.constantFrom('POLICY_DENIED', 'CT_MAP_INSERTION_FAILED', '133'),
    policy: fc.integer({ min: 0, max: EDGE_NAMES_MAX + 5 }),
    timeMs: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
  })
  .map(({ target, podIndex, labels, names, dropped, reason, policy, timeMs }) => {
    const source = pod('shop', 'web', `web-${podIndex}`, labels);
    const destination = target === 'api' ? api : world('203.0.113.7', names);
    return flow(source, destination, {
      timeMs,
      ...(dropped ? { verdict: 'dropped' as const, dropReason: reason } : {}),
      policies: {
        ingressAllowedBy: [],
        egressAllowedBy: dropped ? [] : [`shop/allow-${policy}`],
        ingressDeniedBy: dropped ? [`shop/deny-${policy}`] : [],
        egressDeniedBy: [],
      },
    });
  });

describe('edge cache', () => {
  it('stores exactly what a store without the cache stores, batch after batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(flowArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        (batches) => {
          const cached = openStore(path.join(dir, 'cached.db'));
          const plain = openStore(path.join(dir, 'plain.db'), { edgeCacheSize: 0 });
          try {
            for (const batch of batches) {
              cached.writeBatch({ deltas: deltas(...batch), accepted: batch.length, rejectedByReason: {} });
              plain.writeBatch({ deltas: deltas(...batch), accepted: batch.length, rejectedByReason: {} });
            }
            expect(rows(cached)).toEqual(rows(plain));
          } finally {
            cached.close();
            plain.close();
            cleanup();
            ({ dir, cleanup } = tempDir('netpol-edge-cache-'));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forgets what a rolled-back batch merged into it', () => {
    const store = open('flows.db');
    store.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-1'), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    function* failing(): Generator<EdgeDelta> {
      yield* deltas(flow(pod('shop', 'web', 'web-2'), api));
      throw new Error('disk on fire');
    }
    expect(() => store.writeBatch({ deltas: failing(), accepted: 1, rejectedByReason: {} })).toThrow(
      'disk on fire',
    );
    // The same new pod again: with a stale cache it would look known and be dropped.
    store.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-2'), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    const [edge] = rows(store);
    expect(edge?.count).toBe(2);
    expect(edge?.sourcePods).toEqual(['web-1', 'web-2']);
  });

  it('is dropped when another connection commits to the same database', () => {
    const first = open('flows.db');
    const second = open('flows.db');
    first.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-1'), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    second.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-2'), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    first.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-3'), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    const [edge] = rows(first);
    expect(edge?.count).toBe(3);
    expect(edge?.sourcePods).toEqual(['web-1', 'web-2', 'web-3']);
  });

  it('stays within its bound and still merges evicted edges correctly', () => {
    const store = openStore(path.join(dir, 'small.db'), { edgeCacheSize: 2 });
    opened.push(store);
    const plain = open('plain.db', 0);
    const workloads = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 3; round++) {
      const batch = workloads.map((w) => flow(pod('shop', w, `${w}-${round}`), api));
      store.writeBatch({ deltas: deltas(...batch), accepted: batch.length, rejectedByReason: {} });
      plain.writeBatch({ deltas: deltas(...batch), accepted: batch.length, rejectedByReason: {} });
    }
    expect(rows(store)).toEqual(rows(plain));
    expect(rows(store).map((e) => e.sourcePods)).toEqual(
      workloads.map((w) => [`${w}-0`, `${w}-1`, `${w}-2`]),
    );
  });
});

describe('EdgeCache', () => {
  const detail = {
    src_labels: '{}',
    dst_labels: '{}',
    src_pods: '[]',
    dst_pods: '[]',
    src_names: '[]',
    dst_names: '[]',
    drop_reasons: '{}',
    denied_by: '[]',
    allowed_by: '[]',
  };

  it('never holds more than its bound and keeps an entry that keeps being hit', () => {
    const cache = new EdgeCache(3);
    cache.set('hot', new CachedEdge(0, 0, detail));
    for (let i = 1; i <= 20; i++) {
      expect(cache.get('hot')?.id).toBe(0);
      cache.set(`cold-${i}`, new CachedEdge(i, 0, detail));
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.get('cold-1')).toBeUndefined();
    expect(cache.get('cold-20')?.id).toBe(20);
  });

  it('gives a hit entry a second chance and evicts the oldest unused one', () => {
    const cache = new EdgeCache(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, new CachedEdge(i, 0, detail));
    cache.get('a');
    cache.set('d', new CachedEdge(3, 0, detail));
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.get(key) !== undefined)).toEqual(['a', 'c', 'd']);
    const fresh = new EdgeCache(2);
    for (let i = 0; i < 1000; i++) {
      fresh.set(`k${i}`, new CachedEdge(i, 0, detail));
      expect(fresh.size).toBeLessThanOrEqual(2);
      expect(fresh.get(`k${i}`)?.id).toBe(i);
    }
  });
});
