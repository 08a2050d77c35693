// The staged-set store on a real SQLite file: a would-drop path recorded over several batches
// adds its connections, merges its sample pods (distinct, first seen first, at most 5) and is
// reported as new only the first time; a set ended meanwhile records nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SetBatchResult } from '../../src/staged/shadow-evaluator.js';
import { StagedStore } from '../../src/store/staged-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function batch(setId: number, pods: string[], connections: number, timeMs: number): SetBatchResult {
  return {
    setId,
    paths: new Map([['p', connections]]),
    connections,
    unevaluated: 0,
    wouldDrops: [
      {
        setId,
        pathKey: 'p',
        source: { kind: 'pod', namespace: 'a', workload: 'w', workloadKind: 'Deployment' },
        destination: { kind: 'world', ip: '192.0.2.1' },
        protocol: 'TCP',
        port: 443,
        connections,
        firstSeenMs: timeMs,
        lastSeenMs: timeMs,
        sourcePods: pods,
        destinationPods: [],
        decider: { direction: 'egress', policies: ['a/deny'], rule: null, reason: 'r' },
      },
    ],
  };
}

describe('StagedStore.recordBatch', () => {
  it('sums, merges sample pods and reports a path as new once', () => {
    const store = new StagedStore(path.join(dir, 's.db'));
    try {
      const set = store.stage({
        namespace: 'a',
        flavor: 'k8s',
        origin: 'given',
        policies: [],
        by: 't',
        nowMs: 1,
      });
      expect(store.recordBatch([batch(set.id, ['p1', 'p2'], 2, 100)], 10)).toHaveLength(1);
      expect(
        store.recordBatch([batch(set.id, ['p2', 'p3', 'p4', 'p5', 'p6', 'p7'], 3, 50)], 20),
      ).toHaveLength(0);
      const [drop] = store.wouldDrops(set.id, 10).items;
      expect(drop).toMatchObject({
        connections: 5,
        firstSeenMs: 50,
        lastSeenMs: 100,
        sourcePods: ['p1', 'p2', 'p3', 'p4', 'p5'],
      });
      expect(store.traffic(set.id)).toMatchObject({
        paths: 1,
        connections: 5,
        wouldDropPaths: 1,
        wouldDropConnections: 5,
        lastWouldDropAtMs: 20,
      });
      store.end(set.id, 'retired', 't', 30);
      expect(store.recordBatch([batch(set.id, ['p9'], 1, 200)], 40)).toHaveLength(0);
      expect(store.traffic(set.id)).toMatchObject({ connections: 5, wouldDropConnections: 5 });
    } finally {
      store.close();
    }
  });
});
