// The proof shown with the cluster guardrails: their objects are read back through the same
// parser as a snapshot (an object the API server would refuse is a bug), then every observed
// forwarded edge is replayed against the existing policies plus the guardrails, and again with the
// namespace proposals too. An edge they drop that the same policies without the guardrails admit
// (and that the recommender did not declare it cannot express) is a violation: the caller fails
// loudly instead of printing the guardrails.
import { mergeCni } from '../policy/collect-cni-objects.js';
import { compilePolicies } from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';
import type { Guardrails } from './cluster-guardrails.js';
import type { ObservedEdge } from './proposal.js';
import { EndpointResolver, replayEdges, syntheticSnapshot, type ReplayedEdge } from './replay.js';

export interface GuardrailProof {
  readonly replayed: number;
  readonly allowed: number;
  readonly violations: readonly ReplayedEdge[];
  /** Validation problems of the emitted objects (a bug: never expected). */
  readonly problems: readonly string[];
}

export function proveGuardrails(
  guardrails: Guardrails,
  edges: () => Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  proposed: readonly NetworkPolicy[],
  declared: ReadonlySet<number>,
): GuardrailProof {
  const parsed = parseClusterObjects(guardrails.objects);
  const problems = parsed.problems.map(formatProblem);
  const base = snapshot ?? syntheticSnapshot(edges());
  const resolver = new EndpointResolver(base);
  const cni = mergeCni(base.cni, parsed.snapshot.cni);
  const withGuardrails: ClusterSnapshot = cni === undefined ? base : { ...base, cni };
  const withProposals = (snap: ClusterSnapshot): ClusterSnapshot => ({
    ...snap,
    policies: [...base.policies, ...proposed],
  });
  const dropped = (snap: ClusterSnapshot) =>
    replayEdges(edges(), compilePolicies(snap), resolver, { ruleHits: false });
  // A violation is an edge the guardrails drop that the same policies without them admit.
  const before = new Set(
    [...dropped(base).dropped, ...dropped(withProposals(base)).dropped].map((d) => d.edge.id),
  );
  const alone = dropped(withGuardrails);
  const both = dropped(withProposals(withGuardrails));
  const seen = new Set<number>();
  const violations = [...alone.dropped, ...both.dropped].filter((d) => {
    if (before.has(d.edge.id) || declared.has(d.edge.id) || seen.has(d.edge.id)) return false;
    seen.add(d.edge.id);
    return true;
  });
  return { replayed: both.replayed, allowed: both.allowed, violations, problems };
}
