// Issue 16 point 4 on the golden recommender input (with and without a cluster snapshot) and the
// bundled demo flows: every flavour's output replays clean, and each emitted allow policy removed
// in turn shows up as would-be drops. The scenarios of ../shared/docs/scenarios.md run the same
// check from test/scenarios/harness.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../../src/recommend/recommend.js';
import { goldenEdges, goldenReasons, goldenSnapshot } from '../recommend/golden-input.js';
import { ingestLines, openTestStore } from '../scenarios/ingest-lines.js';
import { expectFlavourRoundTrip } from './flavor-round-trip.js';

describe('flavour round trip', () => {
  it('golden input without a snapshot', () => {
    const edges = goldenEdges();
    const recommendation = recommendPolicies(edges, undefined, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      reasons: goldenReasons,
    });
    const removed = expectFlavourRoundTrip(recommendation, edges, undefined);
    expect(Object.values(removed).every((n) => n >= 5)).toBe(true);
  });
  it('golden input with a snapshot', () => {
    const edges = goldenEdges();
    const snapshot = goldenSnapshot();
    const recommendation = recommendPolicies(edges, snapshot, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      reasons: goldenReasons,
    });
    const removed = expectFlavourRoundTrip(recommendation, edges, snapshot);
    expect(Object.values(removed).every((n) => n >= 5)).toBe(true);
  });
  it('the bundled demo flows', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-roundtrip-'));
    try {
      const store = openTestStore(path.join(dir, 'flows.db'));
      const lines = readFileSync(path.resolve(import.meta.dirname, '../../demo/flows.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      ingestLines(store, 'hubble', lines);
      const edges = [...store.iterateEdges()];
      store.close();
      const recommendation = recommendPolicies(edges, undefined, DEFAULT_RECOMMEND_OPTIONS);
      expect(recommendation.namespaces.length).toBeGreaterThan(0);
      const removed = expectFlavourRoundTrip(recommendation, edges, undefined);
      expect(Object.values(removed).every((n) => n >= 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
