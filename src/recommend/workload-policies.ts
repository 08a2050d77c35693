// One allow policy per workload and direction: ingress rules name the observed sources of the
// workload, egress rules its observed destinations. Rules toward the same peer merge into one rule
// listing every observed port (with its protocol); no rule names a peer or port that was not seen.
import type { Protocol } from '../flows/flow.js';
import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyProtocol,
} from '../policy/model.js';
import { policyName } from './names.js';
import { MANAGED_BY_LABELS } from './namespace-policies.js';
import { describeTarget, policyPeersOf, PUBLIC_CIDRS, type PeerTarget } from './peers.js';
import {
  ANNOTATION_PREFIX,
  GENERATED_BY,
  isoTime,
  type PortEvidence,
  type ProposedPolicy,
  type RuleEvidence,
} from './proposal.js';
import { compareText, type WorkloadInfo } from './workloads.js';

const MAX_RULE_SAMPLE_PODS = 5;
const MAX_RULE_NAMES = 20;
const MAX_ANNOTATION_CHARS = 4096;
const MAX_ANNOTATED_RULES = 10;

export interface RuleAcc {
  readonly target: PeerTarget;
  /** Keyed by `portKey(protocol, port)`; the values are sorted when the policy is built. */
  readonly ports: Map<number | string, PortEvidence>;
  /** Connections per port key (public ingress moves ports between rules). */
  readonly portCounts: Map<number | string, number>;
  connections: number;
  firstSeenMs: number;
  lastSeenMs: number;
  readonly samplePods: Set<string>;
  readonly names: Set<string>;
  readonly reasons: Set<string>;
  /** Mid-stream events of connections established before observation (no start seen). */
  established: number;
  /** Public ingress: how many distinct public clients were folded into this `public` rule. */
  publicClients?: number;
}

export interface WorkloadPolicyAcc {
  readonly workload: WorkloadInfo;
  readonly ingress: Map<string, RuleAcc>;
  readonly egress: Map<string, RuleAcc>;
}

const PROTOCOL_CODE: Readonly<Record<Protocol, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3, ICMPv6: 4 };

/** A number for ordinary ports (no string built per observation), else `protocol/port`. */
function portKey(protocol: Protocol, port: number): number | string {
  return Number.isSafeInteger(port) && port >= 0 && port < 2 ** 32
    ? port * 8 + PROTOCOL_CODE[protocol]
    : `${protocol}/${port}`;
}

/**
 * Folds one observed edge into the rule toward `target`. Takes the edge's fields as arguments
 * (no per-observation object): it runs once per edge and direction.
 */
export function addObservation(
  rules: Map<string, RuleAcc>,
  target: PeerTarget,
  protocol: Protocol,
  port: number,
  count: number,
  firstSeenMs: number,
  lastSeenMs: number,
  peerPods: readonly string[],
  names: readonly string[],
  reasons: readonly string[],
  established = 0,
): void {
  let rule = rules.get(target.key);
  if (rule === undefined) {
    rule = {
      target,
      ports: new Map(),
      portCounts: new Map(),
      connections: 0,
      established: 0,
      firstSeenMs,
      lastSeenMs,
      samplePods: new Set(),
      names: new Set(),
      reasons: new Set(),
    };
    rules.set(target.key, rule);
  }
  const key = portKey(protocol, port);
  if (!rule.ports.has(key)) rule.ports.set(key, { protocol, port });
  rule.portCounts.set(key, (rule.portCounts.get(key) ?? 0) + count);
  rule.connections += count;
  rule.established += established;
  rule.firstSeenMs = Math.min(rule.firstSeenMs, firstSeenMs);
  rule.lastSeenMs = Math.max(rule.lastSeenMs, lastSeenMs);
  // Sample pods and names are kept sorted-smallest so the result is independent of edge order.
  for (const pod of peerPods) addSmallest(rule.samplePods, pod, MAX_RULE_SAMPLE_PODS);
  for (const name of names) addSmallest(rule.names, name, MAX_RULE_NAMES);
  for (const reason of reasons) rule.reasons.add(reason);
}

/** Keeps the `max` smallest values: deterministic whatever the insertion order. */
export function addSmallest(set: Set<string>, value: string, max: number): void {
  if (set.has(value)) return;
  set.add(value);
  if (set.size <= max) return;
  let largest: string | undefined;
  for (const item of set) if (largest === undefined || item > largest) largest = item;
  if (largest !== undefined) set.delete(largest);
}

function portsOf(rule: RuleAcc): PortEvidence[] {
  return [...rule.ports.values()].sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port);
}

/**
 * The rule's ports, contiguous runs of one protocol as one `port`..`endPort` range (ports come
 * sorted by protocol, then number): 8080, 8081, 8082 is one entry, never three. The evidence
 * keeps every port.
 */
export function policyPorts(ports: readonly PortEvidence[]): NetworkPolicyPort[] {
  const out: NetworkPolicyPort[] = [];
  for (let i = 0; i < ports.length; i++) {
    const first = ports[i] as PortEvidence;
    let last = first;
    while (
      i + 1 < ports.length &&
      (ports[i + 1] as PortEvidence).protocol === first.protocol &&
      (ports[i + 1] as PortEvidence).port === last.port + 1
    )
      last = ports[++i] as PortEvidence;
    out.push(
      last === first
        ? { protocol: first.protocol as PolicyProtocol, port: first.port }
        : { protocol: first.protocol as PolicyProtocol, port: first.port, endPort: last.port },
    );
  }
  return out;
}

const CLASS_NOTE: Record<string, string> = {
  public: ' [public ingress: admitted from any address, not only the sampled clients]',
  entity:
    ' [Cilium reserved identity: only the cilium flavour can name it; k8s/calico leave this direction unisolated]',
  'kube-apiserver': ' [Kubernetes API server: its address can change on control-plane moves]',
  node: ' [node address: kubelet/host traffic; many CNIs allow node-to-local-pod traffic regardless]',
  'host-network': ' [hostNetwork pods are reached at their node address]',
  external: '',
  workload: '',
};

const STARTS_ONLY: readonly string[] = Object.freeze(['connection-start']);
const ESTABLISHED_ONLY: readonly string[] = Object.freeze(['established-before-observation']);
const BOTH_KINDS: readonly string[] = Object.freeze(['connection-start', 'established-before-observation']);

/** How a rule's connections were evidenced: starts seen, mid-stream packets only, or both. */
function evidenceKindsOf(rule: RuleAcc): readonly string[] {
  if (rule.established === 0) return STARTS_ONLY;
  return rule.connections === 0 ? ESTABLISHED_ONLY : BOTH_KINDS;
}

/** Shared by every rule without values (most rules have no names, reasons or CIDRs). */
const NONE: readonly string[] = Object.freeze([]);

function sortedValues(set: ReadonlySet<string>): readonly string[] {
  return set.size === 0 ? NONE : [...set].sort();
}

function evidenceOf(direction: 'ingress' | 'egress', index: number, rule: RuleAcc): RuleEvidence {
  const ports = portsOf(rule);
  const target = rule.target;
  const peerClass =
    target.type === 'cidr'
      ? target.peerClass
      : target.type === 'nodes'
        ? 'node'
        : target.type === 'apiserver'
          ? 'kube-apiserver'
          : target.type;
  const peer = describeTarget(rule.target);
  const samplePods = sortedValues(rule.samplePods);
  const names = sortedValues(rule.names);
  const reasons = sortedValues(rule.reasons);
  // The comment reuses the sorted lists above (each was sorted twice before).
  let portText = '';
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i] as PortEvidence;
    portText += `${i > 0 ? ', ' : ''}${p.protocol}/${p.port}`;
  }
  const nameText = names.length > 0 ? ` (${names.join(', ')})` : '';
  const sampleText = samplePods.length > 0 ? `; e.g. ${samplePods.join(', ')}` : '';
  const reasonText = reasons.length > 0 ? `; reason: ${reasons.join('; ')}` : '';
  const publicText =
    rule.publicClients !== undefined ? `; ${rule.publicClients} distinct public clients` : '';
  const kinds = evidenceKindsOf(rule);
  const establishedText =
    rule.established > 0
      ? `; ${rule.established} mid-stream packets or records of connections established before observation`
      : '';
  const arrow = direction === 'ingress' ? 'from' : 'to';
  return {
    direction,
    index,
    peerClass,
    peer,
    ports,
    connections: rule.connections,
    firstSeenMs: rule.firstSeenMs,
    lastSeenMs: rule.lastSeenMs,
    samplePods,
    names,
    cidrs:
      target.type === 'cidr'
        ? [target.cidr]
        : target.type === 'public'
          ? PUBLIC_CIDRS
          : target.type === 'nodes' || target.type === 'apiserver' || target.type === 'network-set'
            ? target.cidrs
            : NONE,
    reasons,
    ...(target.type === 'entity' ? { entity: target.entity } : {}),
    ...(target.type === 'network-set'
      ? {
          networkSet: {
            kind: target.setKind,
            ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
            name: target.name,
            labels: target.labels,
          },
        }
      : {}),
    evidenceKinds: kinds,
    comment: `${arrow} ${peer}${nameText} on ${portText}: ${rule.connections} connections${establishedText}, ${isoTime(rule.firstSeenMs)} .. ${isoTime(rule.lastSeenMs)}${publicText}${sampleText}${reasonText}${CLASS_NOTE[peerClass] ?? ''}`,
  };
}

/**
 * One frozen peer object per target, shared by every policy that names it (a workload is the peer
 * of many rules). Never twice in one policy: its rules are keyed by target, so a YAML document
 * never holds the object twice (the yaml library would turn that into an alias).
 */
// Keyed weakly by the run's own target objects, so nothing crosses runs but the frozen constant
// targets (public, entities), whose peers are the same every time. It moves into a per-run
// instance with the staged recommendPolicies (issue 19 item 5).
// eslint-disable-next-line no-restricted-syntax
const peerObjects = new WeakMap<PeerTarget, readonly NetworkPolicyPeer[]>();

function sharedPeersOf(target: PeerTarget): NetworkPolicyPeer[] {
  let peers = peerObjects.get(target);
  if (peers === undefined) peerObjects.set(target, (peers = policyPeersOf(target).map(deepFreeze)));
  return [...peers];
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value))
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  return Object.freeze(value);
}

function clipAnnotation(text: string): string {
  return text.length <= MAX_ANNOTATION_CHARS ? text : `${text.slice(0, MAX_ANNOTATION_CHARS - 1)}…`;
}

/** Builds the ingress or egress allow policy of one workload (undefined when it has no rules). */
export function workloadPolicy(
  acc: WorkloadPolicyAcc,
  direction: 'ingress' | 'egress',
  windowAnnotation: string,
  lowConfidence: boolean,
): ProposedPolicy | undefined {
  // Entity rules (only Cilium can name the peer) come last, so spec rule i is evidence rule i
  // for every rule NetworkPolicy can express; the cilium flavour adds the rest from the evidence.
  const rules = [...(direction === 'ingress' ? acc.ingress : acc.egress).values()].sort(
    (a, b) =>
      Number(a.target.type === 'entity') - Number(b.target.type === 'entity') ||
      compareText(a.target.key, b.target.key),
  );
  if (rules.length === 0) return undefined;
  const { workload } = acc;
  const evidence = rules.map((rule, index) => evidenceOf(direction, index, rule));
  let connections = 0;
  let firstSeenMs = Number.POSITIVE_INFINITY;
  let lastSeenMs = Number.NEGATIVE_INFINITY;
  const nameSet = new Set<string>();
  const reasonSet = new Set<string>();
  for (const e of evidence) {
    connections += e.connections;
    // Math.min/max as before (NaN propagates the same way), without spreading an array.
    firstSeenMs = Math.min(firstSeenMs, e.firstSeenMs);
    lastSeenMs = Math.max(lastSeenMs, e.lastSeenMs);
    for (const name of e.names) nameSet.add(name);
    for (const reason of e.reasons) reasonSet.add(reason);
  }
  const names = [...nameSet].sort();
  const reasons = [...reasonSet].sort();
  const annotations: Record<string, string> = {
    [`${ANNOTATION_PREFIX}generated-by`]: GENERATED_BY,
    [`${ANNOTATION_PREFIX}observed-window`]: windowAnnotation,
    [`${ANNOTATION_PREFIX}workload`]: `${workload.kind}/${workload.name}`,
    [`${ANNOTATION_PREFIX}connections`]: String(connections),
    [`${ANNOTATION_PREFIX}first-seen`]: isoTime(firstSeenMs),
    [`${ANNOTATION_PREFIX}last-seen`]: isoTime(lastSeenMs),
    [`${ANNOTATION_PREFIX}sample-pods`]: [...workload.samplePods].sort().join(', '),
    [`${ANNOTATION_PREFIX}confidence`]: lowConfidence ? 'low' : 'normal',
    // A summary of the first rules; every rule's full evidence is its comment and the JSON export.
    [`${ANNOTATION_PREFIX}evidence`]: clipAnnotation(
      evidence
        .slice(0, MAX_ANNOTATED_RULES)
        .map(
          (e) =>
            `${e.peer} ${e.ports.map((p) => `${p.protocol}/${p.port}`).join(',')} x${e.connections}${e.evidenceKinds === ESTABLISHED_ONLY ? ' (established before observation)' : ''}`,
        )
        .join('; ') +
        (evidence.length > MAX_ANNOTATED_RULES
          ? `; … ${evidence.length - MAX_ANNOTATED_RULES} more rules`
          : ''),
    ),
  };
  if (names.length > 0) annotations[`${ANNOTATION_PREFIX}dns-names`] = clipAnnotation(names.join(', '));
  if (reasons.length > 0) annotations[`${ANNOTATION_PREFIX}reason`] = clipAnnotation(reasons.join('; '));
  const expressible = rules.filter((rule) => rule.target.type !== 'entity');
  const specRules = expressible.map((rule, index) => {
    const peers = sharedPeersOf(rule.target);
    const ports = policyPorts(evidence[index]?.ports ?? []);
    return direction === 'ingress'
      ? ({ from: peers, ports } satisfies NetworkPolicyIngressRule)
      : ({ to: peers, ports } satisfies NetworkPolicyEgressRule);
  });
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(`allow-${direction}`, workload.name),
      namespace: workload.namespace,
      labels: MANAGED_BY_LABELS,
      annotations,
    },
    spec:
      direction === 'ingress'
        ? {
            podSelector: { matchLabels: { ...workload.selector.matchLabels } },
            policyTypes: ['Ingress'],
            ingress: specRules,
          }
        : {
            podSelector: { matchLabels: { ...workload.selector.matchLabels } },
            policyTypes: ['Egress'],
            egress: specRules,
          },
  };
  const ciliumOnly = expressible.length < rules.length;
  return {
    role: direction === 'ingress' ? 'allow-ingress' : 'allow-egress',
    workload: workload.key,
    policy,
    rules: evidence,
    ...(ciliumOnly ? { flavors: ['cilium'] as const } : {}),
  };
}
