// The recommender as a baseline: a path is expected when the proposed policies (the recommender's
// model of legitimate traffic), evaluated over the snapshot in place of its policies, admit it by
// an explicit rule. Kept to the engine so src/drops needs nothing from the recommender's internals.
import { compilePolicies } from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { evaluatePath } from './explain.js';
import type { BlockedPath } from './types.js';

export function baselineFromPolicies(
  snapshot: ClusterSnapshot,
  proposed: readonly NetworkPolicy[],
): (path: BlockedPath) => string | undefined {
  if (proposed.length === 0) return () => undefined;
  const engine = compilePolicies({ ...snapshot, policies: proposed });
  return (path) => {
    const decision = evaluatePath(engine, path);
    if (typeof decision === 'string' || decision.verdict !== 'allow') return undefined;
    const rules = [...decision.egress.allowedBy, ...decision.ingress.allowedBy];
    if (rules.length === 0) return undefined;
    const named = rules
      .slice(0, 3)
      .map((r) => `${r.policy} rule ${r.rule}`)
      .join(', ');
    return `the recommender's proposed policies admit this path (${named}): it matches the learned legitimate traffic`;
  };
}
