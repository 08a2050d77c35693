// The cluster guardrails as the API serves them: recommendGuardrails over the observed edges,
// proven by replay with the existing policies and the namespace proposal (as `recommend
// --cluster-policies`). When the proof finds a flow they would drop or an object the API server
// would refuse, `ok` is false and no object is offered, only why. Pure.
import type { ClusterGuardrailsJson } from '../api/cluster-guardrails.js';
import { peerText } from '../flows/peer-text.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { recommendGuardrails, type GuardrailFlavor } from '../recommend/cluster-guardrails.js';
import { proveGuardrails } from '../recommend/cluster-guardrails-proof.js';
import type { ObservedEdge } from '../recommend/proposal.js';
import { proposedPolicies } from '../recommend/proof.js';
import { toYamlStream } from '../recommend/yaml-export.js';
import type { ProvenRecommendation } from './recommendation-views.js';

const MAX_LISTED = 50;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

function summaryOf(object: Obj): ClusterGuardrailsJson['summary'][number] {
  const spec = rec(object['spec']);
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '?';
  const priority = typeof spec['priority'] === 'number' ? spec['priority'] : null;
  const tier =
    spec['tier'] === 'Baseline' || kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : ('Admin' as const);
  const count = (field: string) => (Array.isArray(spec[field]) ? (spec[field] as unknown[]).length : 0);
  const name = rec(object['metadata'])['name'];
  return {
    kind,
    name: typeof name === 'string' ? name : '?',
    tier,
    priority,
    ingressRules: count('ingress'),
    egressRules: count('egress'),
  };
}

export function clusterGuardrailsView(
  flavor: GuardrailFlavor,
  edges: () => Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  proven: ProvenRecommendation,
  namespace: string | undefined,
): ClusterGuardrailsJson {
  const { recommendation } = proven;
  const guardrails = recommendGuardrails(edges(), snapshot, flavor, namespace);
  const declared = new Set(recommendation.uncovered.map((u) => u.edgeId));
  const proof = proveGuardrails(guardrails, edges, snapshot, proposedPolicies(recommendation), declared);
  const ok = proof.violations.length === 0 && proof.problems.length === 0;
  const objects = ok ? guardrails.objects : [];
  return {
    namespace: namespace ?? null,
    flavor,
    ok,
    objects: objects.map((o) => ({ ...o, kind: String(o['kind']) })),
    summary: objects.map(summaryOf),
    yaml: ok ? toYamlStream(objects.map((object) => ({ object }))) : '',
    paths: guardrails.paths,
    warnings: [...guardrails.warnings],
    proof: {
      replayed: proof.replayed,
      allowed: proof.allowed,
      violations: proof.violations
        .slice(0, MAX_LISTED)
        .map(
          (v) =>
            `${peerText(v.edge.source)} -> ${peerText(v.edge.destination)} ${v.edge.protocol}/${v.edge.port ?? '-'}`,
        ),
      problems: proof.problems.slice(0, MAX_LISTED),
    },
  };
}
