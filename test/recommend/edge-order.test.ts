// The recommender and its proof must not depend on the order the store returns edges in. A flow
// record without labels (a capture that lost them) says nothing about a workload's labels; the
// proof's stand-in pods must take the labels the recommender's selectors were chosen from, or a
// correct proposal is reported as dropping observed traffic in one order and not in the other.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proveRecommendation } from '../../src/recommend/proof.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../../src/recommend/recommend.js';
import type { ObservedEdge } from '../../src/recommend/proposal.js';
import { edge } from './edge-builder.js';

const ns = 'shop';
const unlabelledA = { ns, workload: 'a', labels: {} };
const a = { ns, workload: 'a', labels: { app: 'a' } };
const b = { ns, workload: 'b', labels: { app: 'b' } };
const c = { ns, workload: 'c', labels: { app: 'c' } };

function outcome(edges: readonly ObservedEdge[]) {
  const recommendation = recommendPolicies(edges, undefined, DEFAULT_RECOMMEND_OPTIONS);
  const proof = proveRecommendation(recommendation, () => edges, undefined, {
    maxExposureEvaluations: 1_000_000,
  });
  return {
    policies: JSON.stringify(recommendation.namespaces.map((n) => n.policies)),
    violations: proof.violations.map((v) => v.edge.id).sort((x, y) => x - y),
    exposure: JSON.stringify([proof.exposureBefore, proof.exposureAfter]),
  };
}

describe('edge order', () => {
  it('a workload first seen without labels: the proof uses the labels seen later', () => {
    const first = edge(unlabelledA, b, 8080, { id: 1 });
    const second = edge(c, a, 8080, { id: 2 });
    const forward = outcome([first, second]);
    const backward = outcome([second, first]);
    expect(forward.violations).toEqual([]);
    expect(backward.violations).toEqual([]);
    expect(forward.policies).toBe(backward.policies);
    expect(forward.exposure).toBe(backward.exposure);
  });

  it('any order of the same edges gives the same proposal and proof', () => {
    const edges = [
      edge(unlabelledA, b, 8080, { id: 1 }),
      edge(c, a, 8080, { id: 2 }),
      edge(a, c, 9090, { id: 3 }),
      edge({ ns, workload: 'b', labels: {} }, c, 9090, { id: 4 }),
      edge(c, { ns, workload: 'b', labels: {} }, 8443, { id: 5 }),
    ];
    const reference = outcome(edges);
    expect(reference.violations).toEqual([]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(edges, { minLength: edges.length, maxLength: edges.length }),
        (shuffled) => {
          expect(outcome(shuffled)).toEqual(reference);
        },
      ),
      { seed: 20261203, numRuns: 60 },
    );
  });
});
