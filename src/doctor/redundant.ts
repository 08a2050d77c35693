// Finding 6c, redundant: a policy whose removal changes no verdict — every (peer, port) it admits
// is admitted by other policies selecting the same pods in the same directions, which also keep
// them isolated. Checked with the engine over the policy's pods × every snapshot pod and the
// probe addresses, on the probe ports (probes.ts); skipped past a bound on evaluations.
import { compilePolicies, type PolicyEngine, type QueryEndpoint } from '../policy/engine.js';
import { policyDirections } from '../policy/compile.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { inScope, limited, podKey, selectedPods, type DoctorContext } from './context.js';
import { probeIps, probePorts } from './probes.js';
import { policyId, type Finding } from './types.js';

const MAX_EVALUATIONS = 400_000;

function sameVerdicts(
  before: PolicyEngine,
  after: PolicyEngine,
  subjects: readonly QueryEndpoint[],
  peers: readonly QueryEndpoint[],
  directions: { ingress: boolean; egress: boolean },
  ports: ReturnType<typeof probePorts>,
): boolean {
  for (const subject of subjects) {
    for (const peer of peers) {
      for (const { port, protocol } of ports) {
        const queries = [
          ...(directions.ingress ? [{ from: peer, to: subject }] : []),
          ...(directions.egress ? [{ from: subject, to: peer }] : []),
        ];
        for (const q of queries) {
          if (before.isAllowed({ ...q, port, protocol }) !== after.isAllowed({ ...q, port, protocol }))
            return false;
        }
      }
    }
  }
  return true;
}

export function findRedundant(context: DoctorContext): Finding[] {
  const { snapshot } = context;
  const findings: Finding[] = [];
  const peers: QueryEndpoint[] = [
    ...snapshot.pods
      .filter((pod) => !pod.hostNetwork)
      .map((pod): QueryEndpoint => ({ kind: 'pod', namespace: pod.namespace, name: pod.name })),
    ...probeIps(snapshot.policies, context.edges).map((ip): QueryEndpoint => ({ kind: 'ip', ip })),
  ];
  // Greedy: once a policy is found redundant it is left out, so of two identical policies only one is reported.
  let current: readonly NetworkPolicy[] = snapshot.policies;
  let engine = context.engine;
  for (const policy of snapshot.policies) {
    if (!inScope(context, policy.metadata.namespace)) continue;
    const pods = selectedPods(snapshot, policy);
    if (pods.length === 0) continue;
    const ports = probePorts(snapshot, [policy], []);
    if (pods.length * peers.length * ports.length * 2 > MAX_EVALUATIONS) continue;
    const others = current.filter((p) => p !== policy);
    const without: ClusterSnapshot = { ...snapshot, policies: others };
    const engineWithout = compilePolicies(without);
    const directions = policyDirections(policy);
    const subjects = pods.map((pod): QueryEndpoint => ({
      kind: 'pod',
      namespace: pod.namespace,
      name: pod.name,
    }));
    if (!sameVerdicts(engine, engineWithout, subjects, peers, directions, ports)) continue;
    current = others;
    engine = engineWithout;
    const podNames = new Set(pods.map(podKey));
    const covering = others.filter(
      (p) =>
        p.metadata.namespace === policy.metadata.namespace &&
        ((directions.ingress && policyDirections(p).ingress) ||
          (directions.egress && policyDirections(p).egress)) &&
        selectedPods(snapshot, p).some((pod) => podNames.has(podKey(pod))),
    );
    findings.push({
      kind: 'redundant',
      severity: 'info',
      namespace: policy.metadata.namespace,
      objects: [policyId(policy), ...covering.map(policyId)],
      summary: `${policyId(policy)} is redundant: ${covering.map(policyId).join(', ') || 'the other policies'} already admit everything it admits for the same pods`,
      evidence: [
        `removing it changes no verdict for its ${pods.length} pod(s) (${limited(pods.map(podKey), 5).join(', ')}) against ${peers.length} peer(s) on ${ports.length} port(s)`,
        `the same pods stay isolated by ${covering.map(policyId).join(', ') || 'other policies'}`,
      ],
      fix: `kubectl delete networkpolicy -n ${policy.metadata.namespace} ${policy.metadata.name}`,
    });
  }
  return findings;
}
