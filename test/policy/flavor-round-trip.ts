// The flavour round trip of issue 16 point 4, as one reusable check: a recommendation's output in
// each flavour (cilium, calico, calico staged) is replayed as the objects it is emitted as, drops
// no observed flow and leaves nothing ignored; and removing any one emitted allow object makes
// some observed flow drop in the replay, so a lost or broken policy cannot pass unnoticed.
import { expect } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import type { ClusterSnapshot } from '../../src/policy/model.js';
import type { ExportOptions } from '../../src/recommend/export.js';
import { emittedObjects, snapshotWithObjects } from '../../src/recommend/flavor-snapshot.js';
import { proveRecommendation } from '../../src/recommend/proof.js';
import type { ObservedEdge, Recommendation } from '../../src/recommend/proposal.js';
import { EndpointResolver, replayEdges, syntheticSnapshot } from '../../src/recommend/replay.js';

export const CNI_FLAVOURS: readonly ExportOptions[] = [
  { flavor: 'cilium', staged: false },
  { flavor: 'calico', staged: false },
  { flavor: 'calico', staged: true },
];

function nameOf(object: Record<string, unknown>): string {
  const metadata = object['metadata'] as { namespace?: string; name?: string };
  return `${String(object['kind'])} ${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
}

/** Returns how many objects were removed and re-replayed, per flavour (so callers can see it ran). */
export function expectFlavourRoundTrip(
  recommendation: Recommendation,
  edges: readonly ObservedEdge[],
  snapshot: ClusterSnapshot | undefined,
): Record<string, number> {
  const base = snapshot ?? syntheticSnapshot(edges);
  const resolver = new EndpointResolver(base);
  const removed: Record<string, number> = {};
  for (const options of CNI_FLAVOURS) {
    const label = `${options.flavor}${options.staged ? ' (staged)' : ''}`;
    const proof = proveRecommendation(recommendation, () => edges, snapshot, {
      maxExposureEvaluations: 0,
      export: options,
    });
    expect(proof.flavor).toBe(options.flavor);
    expect(
      proof.violations.map(
        (v) =>
          `${label}: edge ${v.edge.id}: ${v.decision.egress.allowed ? v.decision.ingress.reason : v.decision.egress.reason}`,
      ),
    ).toEqual([]);
    expect(proof.ignored, label).toEqual([]);
    const objects = emittedObjects(recommendation, options);
    let count = 0;
    objects.forEach((object, i) => {
      const metadata = object['metadata'] as { name?: string };
      if (metadata.name === 'default-deny') return;
      const engine = compilePolicies(
        snapshotWithObjects(
          base,
          objects.filter((_, j) => j !== i),
        ),
        { promoteStaged: true },
      );
      const replay = replayEdges(edges, engine, resolver, { ruleHits: false });
      expect(
        replay.dropped.length,
        `${label}: removing ${nameOf(object)} drops no observed flow`,
      ).toBeGreaterThan(0);
      count++;
    });
    removed[label] = count;
  }
  return removed;
}
