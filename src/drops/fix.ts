// The minimal fix for a blocked path: for each side the engine says denies, one new
// NetworkPolicy selecting exactly the workload on that side (the smallest stable selector,
// verified against the snapshot's pods) with one rule for exactly the peer and the single
// port/protocol. When a single policy isolates that side and selects exactly that workload, the
// equivalent JSON patch to that policy is offered too. Objects are plain Kubernetes shapes;
// serialising them is the adapter's job (a YAML library, never templates).
import type { EdgePeer } from '../flows/edge.js';
import type {
  ClusterSnapshot,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  PolicyProtocol,
} from '../policy/model.js';
import { matchesSelector } from '../policy/selectors.js';
import { chooseSelector } from '../recommend/label-choice.js';
import { fixPolicyName } from '../recommend/names.js';
import type { Explanation } from './explain.js';
import { isPolicyProtocol, podsOfPeer } from './explain.js';
import type { BlockedPath } from './types.js';

export const FIX_ANNOTATION = 'netpol-advisor.io/admits';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface JsonPatchOp {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

export interface PolicyPatch {
  /** `namespace/name` of the policy to patch (`kubectl patch networkpolicy --type=json`). */
  readonly policy: string;
  readonly ops: readonly JsonPatchOp[];
}

export interface PathFix {
  /** New policies that together admit exactly this path. Empty when no fix could be derived. */
  readonly policies: NetworkPolicy[];
  /** The alternative: rules added to the policy at fault, when that policy selects only this workload. */
  readonly patches: PolicyPatch[];
  readonly warnings: string[];
}

interface SideSelector {
  readonly selector: Readonly<Record<string, string>>;
  readonly exact: boolean | undefined;
  readonly warnings: readonly string[];
}

function selectorForPeer(
  snapshot: ClusterSnapshot,
  peer: EdgePeer,
  labels: Readonly<Record<string, string>>,
  pods: readonly string[],
): SideSelector {
  const own = podsOfPeer(snapshot, peer, pods);
  const ownNames = new Set(own.map((pod) => pod.name));
  const others = snapshot.pods
    .filter((pod) => pod.namespace === peer.namespace && !ownNames.has(pod.name))
    .map((pod) => pod.labels);
  const choice =
    own.length > 0
      ? chooseSelector({ labels, workloadPods: own.map((pod) => pod.labels), otherPods: others })
      : chooseSelector({ labels });
  return { selector: choice.matchLabels, exact: choice.exact, warnings: choice.warnings };
}

function cidrOf(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** The peer entry naming the other side exactly, as seen from a policy in `policyNamespace`. */
function peerEntry(
  snapshot: ClusterSnapshot,
  peer: EdgePeer,
  labels: Readonly<Record<string, string>>,
  pods: readonly string[],
  policyNamespace: string,
  warnings: string[],
): NetworkPolicyPeer | undefined {
  if (peer.kind === 'pod' && peer.namespace !== undefined) {
    const side = selectorForPeer(snapshot, peer, labels, pods);
    warnings.push(...side.warnings);
    const podSelector: LabelSelector = { matchLabels: side.selector };
    if (peer.namespace === policyNamespace) return { podSelector };
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } }, podSelector };
  }
  if (peer.ip !== undefined) return { ipBlock: { cidr: cidrOf(peer.ip) } };
  warnings.push(`the ${peer.kind} peer has no address: no rule can name it`);
  return undefined;
}

function describe(peer: EdgePeer): string {
  return peer.kind === 'pod' ? `${peer.namespace ?? ''}/${peer.workload ?? ''}` : (peer.ip ?? peer.kind);
}

/** Builds the minimal fix; needs an evaluated explanation that denies the path. */
export function fixForPath(snapshot: ClusterSnapshot, path: BlockedPath, explanation: Explanation): PathFix {
  const warnings: string[] = [];
  if (!explanation.evaluated) return { policies: [], patches: [], warnings: [explanation.summary] };
  if (explanation.verdict === 'allow')
    return {
      policies: [],
      patches: [],
      warnings: ['the snapshot already allows this path: nothing to add to its NetworkPolicies'],
    };
  if (path.port === null || !isPolicyProtocol(path.protocol))
    return { policies: [], patches: [], warnings: ['not a TCP/UDP/SCTP port'] };
  const protocol: PolicyProtocol = path.protocol;
  const ports = [{ protocol, port: path.port }];
  const admits = `${describe(path.source)} -> ${describe(path.destination)} ${protocol}/${path.port}`;
  const policies: NetworkPolicy[] = [];
  const patches: PolicyPatch[] = [];
  for (const side of explanation.denyingSides) {
    const subject = side === 'egress' ? path.source : path.destination;
    const other = side === 'egress' ? path.destination : path.source;
    const subjectLabels = side === 'egress' ? path.sourceLabels : path.destinationLabels;
    const subjectPods = side === 'egress' ? path.sourcePods : path.destinationPods;
    const admin = explanation[side].decidedBy?.cluster;
    if (admin !== undefined && admin.tier === 'Admin' && admin.action === 'Deny') {
      const priority = admin.priority !== undefined ? ` (priority ${admin.priority})` : '';
      warnings.push(
        `the ${side} side is denied by ${admin.kind} ${admin.name}${priority} ${admin.direction}[${admin.ruleIndex}], an Admin-tier Deny: no NetworkPolicy can override it; change that object, or add an Admin-tier Accept or Pass with a lower priority number`,
      );
      continue;
    }
    if (subject.kind !== 'pod' || subject.namespace === undefined) {
      warnings.push(`the ${side} side is not a pod; it cannot be selected by a NetworkPolicy`);
      continue;
    }
    const namespace = subject.namespace;
    const chosen = selectorForPeer(snapshot, subject, subjectLabels, subjectPods);
    warnings.push(...chosen.warnings);
    const peer =
      side === 'egress'
        ? peerEntry(snapshot, other, path.destinationLabels, path.destinationPods, namespace, warnings)
        : peerEntry(snapshot, other, path.sourceLabels, path.sourcePods, namespace, warnings);
    if (peer === undefined) continue;
    if (Object.keys(chosen.selector).length === 0) {
      warnings.push(`no stable label selects ${describe(subject)}: no policy proposed for its ${side}`);
      continue;
    }
    const rule: NetworkPolicyIngressRule | NetworkPolicyEgressRule =
      side === 'egress' ? { to: [peer], ports } : { from: [peer], ports };
    // `fix-…`: never the name of a policy `recommend` emits (names.ts), so one cannot replace the other.
    const name = fixPolicyName(
      side,
      subject.workload ?? 'pod',
      side === 'egress' ? 'to' : 'from',
      other.workload ?? other.ip ?? other.kind,
      String(path.port),
      protocol.toLowerCase(),
    );
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'netpol-advisor' },
        annotations: { [FIX_ANNOTATION]: admits },
      },
      spec:
        side === 'egress'
          ? { podSelector: { matchLabels: chosen.selector }, policyTypes: ['Egress'], egress: [rule] }
          : { podSelector: { matchLabels: chosen.selector }, policyTypes: ['Ingress'], ingress: [rule] },
    });
    const patch = patchFor(snapshot, explanation[side].isolatedBy, side, subject, subjectPods, rule);
    if (patch !== undefined) patches.push(patch);
  }
  return { policies, patches, warnings: [...new Set(warnings)] };
}

/** A patch to the single isolating policy, only when it selects exactly the workload's pods. */
function patchFor(
  snapshot: ClusterSnapshot,
  isolatedBy: readonly string[],
  side: 'egress' | 'ingress',
  subject: EdgePeer,
  pods: readonly string[],
  rule: NetworkPolicyIngressRule | NetworkPolicyEgressRule,
): PolicyPatch | undefined {
  if (isolatedBy.length !== 1) return undefined;
  const id = isolatedBy[0] ?? '';
  const policy = snapshot.policies.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === id);
  if (policy === undefined) return undefined;
  const own = new Set(podsOfPeer(snapshot, subject, pods).map((pod) => pod.name));
  if (own.size === 0) return undefined;
  const selected = snapshot.pods.filter(
    (pod) =>
      pod.namespace === policy.metadata.namespace &&
      !pod.hostNetwork &&
      matchesSelector(policy.spec.podSelector, pod.labels),
  );
  if (selected.length !== own.size || selected.some((pod) => !own.has(pod.name))) return undefined;
  const existing = side === 'egress' ? policy.spec.egress : policy.spec.ingress;
  const op: JsonPatchOp =
    existing === undefined
      ? { op: 'add', path: `/spec/${side}`, value: [rule] }
      : { op: 'add', path: `/spec/${side}/-`, value: rule };
  return { policy: id, ops: [op] };
}
