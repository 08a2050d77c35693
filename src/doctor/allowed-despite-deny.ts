// Finding 4, allowed-despite-deny: traffic observed FORWARDED that the snapshot's policies deny,
// with the likely causes in order — the plugin does not enforce NetworkPolicy (no policy drop
// ever seen while isolation exists), a policy written in another namespace than the pods, a
// CNI-specific policy (Cilium, Calico) admitting it, host-network endpoints, or the observation
// predating the policy. A policy that selects nothing in its own namespace but matches pods of
// another, where the moved copy would deny observed traffic, is reported too: its fix is the copy.
import { describePath } from '../drops/classify.js';
import { isPolicyDropEdge } from '../drops/detect.js';
import { podsOfPeer } from '../drops/explain.js';
import { HOST_FIREWALL_ASSUMPTION } from '../policy/cilium/host-endpoint.js';
import { compilePolicies, type Decision } from '../policy/engine.js';
import type { EdgePeer } from '../flows/edge.js';
import type { NetworkPolicy, PodInfo } from '../policy/model.js';
import { compileSelector, isEmptySelector } from '../policy/selectors.js';
import {
  clean,
  evaluateEdge,
  inScope,
  isEdgeAllowed,
  limited,
  podKey,
  selectedPods,
  touchesScope,
  unique,
  type DoctorContext,
} from './context.js';
import { policyId, type DoctorEdge, type Finding } from './types.js';

interface Denied {
  readonly edge: DoctorEdge;
  readonly decision: Decision;
  readonly side: 'egress' | 'ingress';
  readonly subject: EdgePeer;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function workloadKey(namespace: string, workload: string): string {
  return JSON.stringify([namespace, workload]);
}

/** Whether every pod of a workload (namespace, name) is hostNetwork, by workload key. */
function hostOnlyWorkloads(pods: readonly PodInfo[]): Map<string, boolean> {
  const hostOnly = new Map<string, boolean>();
  for (const pod of pods) {
    const key = workloadKey(pod.namespace, pod.workload.name);
    hostOnly.set(key, (hostOnly.get(key) ?? true) && pod.hostNetwork);
  }
  return hostOnly;
}

// By an index built once per run: a scan of every pod per path took seconds at 15,000 pods.
function isHostSide(hostOnly: ReadonlyMap<string, boolean>, peer: EdgePeer): boolean {
  if (peer.kind === 'host' || peer.kind === 'remote-node') return true;
  if (peer.kind !== 'pod' || peer.namespace === undefined || peer.workload === undefined) return false;
  return hostOnly.get(workloadKey(peer.namespace, peer.workload)) ?? false;
}

function causesFor(
  context: DoctorContext,
  items: readonly Denied[],
  enforcementSeen: boolean,
  hostWorkloads: ReadonlyMap<string, boolean>,
): string[] {
  const causes: string[] = [];
  const namespace = items[0]?.subject.namespace ?? '';
  const isolatedBy = unique(items.flatMap((d) => d.decision[d.side].isolatedBy));
  const hostOnly = items.every((d) => d.decision[d.side].notes?.includes(HOST_FIREWALL_ASSUMPTION) === true);
  if (!enforcementSeen && !hostOnly) {
    causes.push(
      `the network plugin does not appear to enforce NetworkPolicy: no policy drop was observed in ${context.edges.length} edge(s) while ${isolatedBy.join(', ')} isolate pods`,
    );
  }
  const labelsOf = (d: Denied) => (d.side === 'egress' ? d.edge.sourceLabels : d.edge.destinationLabels);
  const misplaced = context.snapshot.policies.filter(
    (p) =>
      p.metadata.namespace !== namespace &&
      !isEmptySelector(p.spec.podSelector) &&
      items.some((d) => compileSelector(p.spec.podSelector)(labelsOf(d))),
  );
  if (misplaced.length > 0) {
    causes.push(
      `policy in another namespace than the pods: ${limited(misplaced.map(policyId), 5).join(', ')} select(s) labels of these pods, but a NetworkPolicy only applies in its own namespace`,
    );
  }
  // Only objects the engine left out can explain it: the Cilium, Calico and cluster-scoped
  // policies it evaluates already took part in the decision above.
  const ignored = new Set(context.engine.ignored.map((o) => `${o.kind}|${o.namespace ?? ''}|${o.name}`));
  const cni = context.extras.cniPolicies.filter(
    (c) =>
      (c.namespace === undefined || c.namespace === namespace) &&
      ignored.has(`${c.kind}|${c.namespace ?? ''}|${c.name}`),
  );
  if (cni.length > 0) {
    causes.push(
      `a CNI-specific policy the engine could not evaluate may admit it: ${limited(
        cni.map((c) => `${c.kind} ${c.namespace !== undefined ? `${c.namespace}/` : ''}${c.name}`),
        5,
      ).join(', ')}`,
    );
  }
  // A Cilium host policy denied it: enforced only where the host firewall is on and not auditing.
  const hostPolicies = unique(
    items
      .filter((d) => d.decision[d.side].notes?.includes(HOST_FIREWALL_ASSUMPTION) === true)
      .flatMap((d) => d.decision[d.side].isolatedBy),
  );
  if (hostPolicies.length > 0) {
    causes.push(
      `the Cilium host firewall may be off or in audit mode: host policies (${limited(hostPolicies, 5).join(', ')}) deny these paths, and Cilium enforces them only with hostFirewall.enabled and the host endpoint's PolicyAuditMode disabled`,
    );
  }
  const host = items.filter(
    (d) => isHostSide(hostWorkloads, d.edge.source) || isHostSide(hostWorkloads, d.edge.destination),
  );
  if (host.length > 0) {
    causes.push(
      `host-network endpoints: ${host.length} path(s) involve a node or a hostNetwork pod, which most plugins admit from the local node whatever the policies say`,
    );
  }
  const stale: string[] = [];
  for (const d of items) {
    for (const id of d.decision[d.side].isolatedBy) {
      const created = context.extras.policyCreatedMs.get(id);
      if (created === undefined || d.edge.firstSeenMs >= created) continue;
      stale.push(
        d.edge.lastSeenMs < created
          ? `${clean(describePath(d.edge))} was last seen ${iso(d.edge.lastSeenMs)}, before ${id} was created (${iso(created)})`
          : `${clean(describePath(d.edge))} was first seen ${iso(d.edge.firstSeenMs)}, before ${id} was created (${iso(created)}): connections opened earlier survive in connection tracking`,
      );
      break;
    }
  }
  if (stale.length > 0) causes.push(`the observation predates the policy: ${limited(stale, 5).join('; ')}`);
  if (causes.length === 0)
    causes.push(
      'no known cause: compare the policies the plugin has loaded with the snapshot (a newer or older version?)',
    );
  return causes;
}

function fixText(causes: readonly string[]): string {
  const first = causes[0] ?? '';
  if (first.startsWith('the network plugin'))
    return "enable NetworkPolicy enforcement in the CNI (e.g. Calico or Cilium, or the plugin's policy mode), or install a plugin that enforces it";
  if (first.startsWith('policy in another'))
    return "move the policy into the pods' namespace (see the misplaced-policy finding for the object)";
  if (first.startsWith('a CNI-specific'))
    return 'review the CNI-specific policies listed: an allow there overrides nothing in NetworkPolicy but the plugin enforces both';
  if (first.startsWith('the Cilium host firewall'))
    return 'check `cilium-dbg status` (Host firewall) and `cilium-dbg endpoint config <host endpoint> | grep PolicyAuditMode` on the nodes; if the policies are meant to apply, enable the host firewall or leave audit mode';
  if (first.startsWith('host-network'))
    return "NetworkPolicy cannot restrict host-network traffic; use the CNI's host policies (Cilium host firewall, Calico HostEndpoint policies)";
  if (first.startsWith('the observation predates'))
    return 'nothing to change if the traffic stopped after the policy; otherwise restart the long-lived connections so the policy applies';
  return "check the plugin's loaded policies against the snapshot";
}

/**
 * The snapshot pods of the items' subjects, as `namespace/name`: each distinct subject workload
 * looked up once, through the context's index (a scan of every pod per path took seconds).
 */
function subjectPods(context: DoctorContext, items: readonly Denied[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { subject } of items) {
    const key = JSON.stringify([subject.kind, subject.namespace ?? null, subject.workload ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const pod of podsOfPeer(context.snapshot, subject, [], context.pods)) out.push(podKey(pod));
  }
  return out;
}

export function findAllowedDespiteDeny(context: DoctorContext): Finding[] {
  const enforcementSeen = context.edges.some((edge) => isPolicyDropEdge(edge));
  const byNamespace = new Map<string, Denied[]>();
  for (const edge of context.edges) {
    if (edge.verdict !== 'forwarded' || !touchesScope(context, edge)) continue;
    // Most forwarded paths are allowed: the verdict alone rules them out without a decision.
    if (isEdgeAllowed(context.engine, edge, context.pods) === true) continue;
    const decision = evaluateEdge(context.engine, edge, context.pods);
    if (typeof decision === 'string' || decision.verdict === 'allow') continue;
    const side = decision.egress.allowed ? 'ingress' : 'egress';
    const subject = side === 'egress' ? edge.source : edge.destination;
    if (!inScope(context, subject.namespace)) continue;
    const key = subject.namespace ?? '';
    let list = byNamespace.get(key);
    if (list === undefined) byNamespace.set(key, (list = []));
    list.push({ edge, decision, side, subject });
  }
  const findings: Finding[] = [];
  const hostWorkloads = hostOnlyWorkloads(context.snapshot.pods);
  for (const [namespace, items] of [...byNamespace.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const causes = causesFor(context, items, enforcementSeen, hostWorkloads);
    const connections = items.reduce((sum, d) => sum + d.edge.count, 0);
    const pods = unique(subjectPods(context, items));
    findings.push({
      kind: 'allowed-despite-deny',
      severity: 'high',
      namespace,
      objects: [...unique(items.flatMap((d) => d.decision[d.side].isolatedBy)), ...limited(pods)],
      summary: `${items.length} path(s) of ${namespace === '' ? 'node host endpoints' : namespace} (${connections} connection(s)) were forwarded although the policies deny them`,
      evidence: [
        ...causes.map((cause, i) => `likely cause ${i + 1}: ${cause}`),
        ...limited(items, 10).map(
          (d) =>
            `forwarded: ${clean(describePath(d.edge))} (${d.edge.count}x); ${clean(d.decision[d.side].reason)}`,
        ),
      ],
      fix: fixText(causes),
    });
  }
  findings.push(...findMisplacedPolicies(context));
  return findings;
}

/** A policy selecting nothing at home but pods elsewhere, whose copy there would deny observed traffic. */
function findMisplacedPolicies(context: DoctorContext): Finding[] {
  const { snapshot } = context;
  const findings: Finding[] = [];
  for (const policy of snapshot.policies) {
    if (isEmptySelector(policy.spec.podSelector) || selectedPods(snapshot, policy).length > 0) continue;
    const selects = compileSelector(policy.spec.podSelector);
    const targets = unique(
      snapshot.pods
        .filter(
          (pod) => !pod.hostNetwork && pod.namespace !== policy.metadata.namespace && selects(pod.labels),
        )
        .map((pod) => pod.namespace),
    );
    for (const namespace of targets) {
      if (!inScope(context, namespace) && !inScope(context, policy.metadata.namespace)) continue;
      const moved: NetworkPolicy = { ...policy, metadata: { ...policy.metadata, namespace } };
      if (snapshot.policies.some((p) => policyId(p) === policyId(moved))) continue;
      const engine = compilePolicies({ ...snapshot, policies: [...snapshot.policies, moved] });
      const wouldDeny = context.edges.filter((edge) => {
        if (edge.verdict !== 'forwarded') return false;
        const before = evaluateEdge(context.engine, edge, context.pods);
        const after = evaluateEdge(engine, edge, context.pods);
        return (
          typeof before !== 'string' &&
          typeof after !== 'string' &&
          before.verdict === 'allow' &&
          after.verdict === 'deny'
        );
      });
      if (wouldDeny.length === 0) continue;
      const pods = selectedPods(snapshot, moved).map(podKey);
      findings.push({
        kind: 'allowed-despite-deny',
        severity: 'high',
        namespace,
        objects: [policyId(policy), ...limited(pods)],
        summary: `${policyId(policy)} selects no pod of ${policy.metadata.namespace} but matches pods of ${namespace}: the traffic it should deny still flows`,
        evidence: [
          `likely cause: policy in another namespace than the pods — a NetworkPolicy only selects pods of its own namespace`,
          ...limited(wouldDeny, 10).map(
            (edge) =>
              `forwarded, denied once the policy is in ${namespace}: ${clean(describePath(edge))} (${edge.count}x)`,
          ),
        ],
        fix: [moved],
        fixNote: `apply the copy in ${namespace}, then delete ${policyId(policy)} (kubectl delete networkpolicy -n ${policy.metadata.namespace} ${policy.metadata.name}); pod selectors of its rules now refer to ${namespace}`,
      });
    }
  }
  return findings;
}
