// The NetworkPolicy engine: networking.k8s.io/v1 semantics over a ClusterSnapshot. A connection
// is allowed when the source side allows egress and the destination side allows ingress; a side
// that no policy isolates allows everything, an isolated side allows what the union of its
// policies' rules admits. Compiled once per snapshot (compile.ts); evaluate() is then a few
// indexed lookups. Behaviour the spec leaves to the plugin is listed in docs/policy-semantics.md.
import { parseIp, type IpAddress } from '../net/ip.js';
import {
  canonicalIp,
  compileSnapshot,
  namespaceLabelsOf,
  type CompiledPolicy,
  type CompiledSnapshot,
  type PodDirectionRules,
  type RuleBucket,
} from './compile.js';
import type { ClusterSnapshot, ContainerPort, Labels, PodInfo, PolicyProtocol } from './model.js';
import { describeDirection } from './explain.js';
import { compileEngine } from './combined-engine.js';
import { ipv4Numbers, peerMatches, type CompiledPeer, type ResolvedEndpoint } from './peers.js';
import { portsAdmit, rulePortsByProtocol, type CompiledPort } from './ports.js';
import type { IgnoredObject } from './cni-objects.js';
import { RulePeerIndex } from './rule-peer-index.js';
import type { DecidingRule, RuleRef } from './policy-family.js';

export type QueryEndpoint =
  | { kind: 'pod'; namespace: string; name: string }
  | { kind: 'workload'; namespace: string; labels: Labels; ports?: readonly ContainerPort[]; ip?: string }
  /** `names`: DNS names the address was reached by (toFQDNs); `hint`: the flow source's class of it (`kube-apiserver`, `host` …). */
  | { kind: 'ip'; ip: string; names?: readonly string[]; hint?: string };

export interface ConnectionQuery {
  from: QueryEndpoint;
  to: QueryEndpoint;
  port: number;
  protocol: PolicyProtocol;
}
export type { RuleRef } from './policy-family.js';
export interface DirectionDecision {
  allowed: boolean;
  isolated: boolean;
  isolatedBy: string[];
  allowedBy: RuleRef[];
  reason: string;
  /** Cilium/Calico evaluation: the object and rule that decided, and what the verdict could not consider. */
  decidedBy?: DecidingRule;
  notes?: string[];
  /** Cluster policy Pass rules that handed this direction on to the policy that decided. */
  passedBy?: DecidingRule[];
}
export interface Decision {
  verdict: 'allow' | 'deny';
  egress: DirectionDecision;
  ingress: DirectionDecision;
}
export interface EngineOptions {
  /** Whether an ipBlock peer selects pods whose IP falls in it. Default true (e2e conformance); Cilium: false. */
  ipBlockMatchesPods?: boolean;
  /** Treat Calico Staged* objects as enforced ("what if I promote them"). Default false: never enforced. */
  promoteStaged?: boolean;
}

export interface PolicyEngine {
  evaluate(query: ConnectionQuery): Decision;
  /**
   * The verdict alone: `evaluate(query).verdict === 'allow'`, without building decisions (it
   * stops at the first admitting rule). Throws UnknownEndpointError exactly as evaluate does.
   */
  isAllowed(query: ConnectionQuery): boolean;
  /**
   * A key two endpoints share only when this engine cannot tell them apart: every verdict with
   * either one as source or destination, against any other end, port and protocol, is the same.
   * Optional: an engine that cannot say (the CNI chains) leaves it out, and callers evaluate
   * endpoint by endpoint. Throws UnknownEndpointError as evaluate does.
   */
  equivalenceKey?(endpoint: QueryEndpoint): string;
  /** As equivalenceKey, for ports: equal keys, equal verdicts for every pair of ends. */
  portEquivalenceKey?(protocol: PolicyProtocol, port: number): string;
  readonly snapshot: ClusterSnapshot;
  /** Policy objects the verdicts leave out, with why (see ignored.ts). */
  readonly ignored: readonly IgnoredObject[];
}

/** A query names a pod that is not in the snapshot, or an address that does not parse. */
export class UnknownEndpointError extends Error {
  override readonly name = 'UnknownEndpointError';
}

const MAX_CACHED_IPS = 65_536;

/**
 * A direction decision whose human `reason` is built only when first read (and by toJSON), so
 * batch callers that only need verdicts skip the string work. It keeps the inputs of the
 * explanation as fields rather than in a closure: one object per direction, not three.
 */
class LazyDirectionDecision implements DirectionDecision {
  // ES private fields: not enumerable, so the object's own keys are the DirectionDecision fields.
  #text: string | undefined;
  readonly #direction: 'ingress' | 'egress';
  readonly #subject: ResolvedEndpoint;
  readonly #peer: ResolvedEndpoint;
  readonly #port: number;
  readonly #protocol: PolicyProtocol;
  constructor(
    readonly allowed: boolean,
    readonly isolated: boolean,
    readonly isolatedBy: string[],
    readonly allowedBy: RuleRef[],
    direction: 'ingress' | 'egress',
    subject: ResolvedEndpoint,
    peer: ResolvedEndpoint,
    port: number,
    protocol: PolicyProtocol,
  ) {
    this.#direction = direction;
    this.#subject = subject;
    this.#peer = peer;
    this.#port = port;
    this.#protocol = protocol;
  }
  get reason(): string {
    return (this.#text ??= describeDirection(
      this.#direction,
      this.#subject,
      this.#peer,
      this.#port,
      this.#protocol,
      this.isolatedBy,
      this.allowedBy,
    ));
  }
  toJSON(): DirectionDecision {
    return {
      allowed: this.allowed,
      isolated: this.isolated,
      isolatedBy: this.isolatedBy,
      allowedBy: this.allowedBy,
      reason: this.reason,
    };
  }
}

/** The rules of a pod's direction that can admit `protocol`. */
function bucketFor(rules: PodDirectionRules, protocol: PolicyProtocol): RuleBucket {
  switch (protocol) {
    case 'TCP':
      return rules.tcp;
    case 'UDP':
      return rules.udp;
    case 'SCTP':
      return rules.sctp;
  }
}

export function formatEndpoint(endpoint: QueryEndpoint): string {
  if (endpoint.kind === 'pod') return `${endpoint.namespace}/${endpoint.name}`;
  if (endpoint.kind === 'ip') return endpoint.ip;
  const labels = Object.entries(endpoint.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${endpoint.namespace}/{${labels}}`;
}

function parseIps(texts: readonly string[]): IpAddress[] {
  const out: IpAddress[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip !== undefined) out.push(ip);
  }
  return out;
}

export class Engine implements PolicyEngine {
  private readonly compiled: CompiledSnapshot;
  private readonly ipBlockMatchesPods: boolean;
  /** equivalenceKey's matching rule peers (rule-peer-index.ts), built on first use. */
  private rulePeers: RulePeerIndex | undefined;
  /** portEquivalenceKey's rule ports by protocol, built on first use. */
  private rulePorts: Map<string, CompiledPort[]> | undefined;
  private readonly podEndpoints: (ResolvedEndpoint | undefined)[];
  private readonly ipEndpoints = new Map<string, ResolvedEndpoint>();
  /**
   * Workload endpoints by query object, and the policies selecting each: a caller that reuses its
   * QueryEndpoint objects (the shadow evaluator judging many paths of one workload) resolves and
   * selects each once. Weak: the caller's objects decide how long they live.
   */
  private readonly workloadEndpoints = new WeakMap<QueryEndpoint, ResolvedEndpoint>();
  private readonly selectedBy = new WeakMap<
    ResolvedEndpoint,
    Partial<Record<'ingress' | 'egress', CompiledPolicy[]>>
  >();

  constructor(
    readonly snapshot: ClusterSnapshot,
    options: EngineOptions,
    readonly ignored: readonly IgnoredObject[] = [],
  ) {
    this.compiled = compileSnapshot(snapshot);
    this.ipBlockMatchesPods = options.ipBlockMatchesPods ?? true;
    this.podEndpoints = new Array<ResolvedEndpoint | undefined>(snapshot.pods.length);
  }

  private podEndpoint(index: number, onlyIp?: IpAddress): ResolvedEndpoint {
    if (onlyIp === undefined) {
      const cached = this.podEndpoints[index];
      if (cached !== undefined) return cached;
    }
    const pod = this.snapshot.pods[index] as PodInfo;
    const display = `${pod.namespace}/${pod.name}`;
    const ips = onlyIp !== undefined ? [onlyIp] : parseIps(pod.ips);
    let resolved: ResolvedEndpoint;
    if (pod.hostNetwork) {
      resolved = {
        kind: 'node',
        ips,
        ipv4: ipv4Numbers(ips),
        display,
        note: `${display} uses hostNetwork: it has its node's IP, is not a pod to NetworkPolicy and imposes no policy`,
      };
    } else {
      resolved = {
        kind: 'pod',
        podIndex: index,
        namespace: pod.namespace,
        labels: pod.labels,
        namespaceLabels: namespaceLabelsOf(this.compiled.namespaceLabels, pod.namespace),
        ports: pod.ports,
        ips,
        ipv4: ipv4Numbers(ips),
        display,
      };
    }
    if (onlyIp === undefined) this.podEndpoints[index] = resolved;
    return resolved;
  }

  /** The snapshot pod `namespace/name` (the last one listed, as podIndexByName keeps). */
  private podIndexOf(namespace: string, name: string): number | undefined {
    const { lastPodByName, previousSameName, podNamespace } = this.compiled;
    let index = lastPodByName.get(name) ?? -1;
    while (index >= 0) {
      if (podNamespace[index] === namespace) return index;
      index = previousSameName[index] as number;
    }
    return undefined;
  }

  resolve(endpoint: QueryEndpoint): ResolvedEndpoint {
    if (endpoint.kind === 'pod') {
      const index = this.podIndexOf(endpoint.namespace, endpoint.name);
      if (index === undefined)
        throw new UnknownEndpointError(
          `no pod ${endpoint.namespace}/${endpoint.name} in the cluster snapshot`,
        );
      return this.podEndpoint(index);
    }
    if (endpoint.kind === 'workload') {
      const known = this.workloadEndpoints.get(endpoint);
      if (known !== undefined) return known;
      const ips = endpoint.ip === undefined ? [] : parseIps([endpoint.ip]);
      const resolved: ResolvedEndpoint = {
        kind: 'pod',
        podIndex: -1,
        namespace: endpoint.namespace,
        labels: endpoint.labels,
        namespaceLabels: namespaceLabelsOf(this.compiled.namespaceLabels, endpoint.namespace),
        ports: endpoint.ports ?? [],
        ips,
        ipv4: ipv4Numbers(ips),
        display: formatEndpoint(endpoint),
      };
      this.workloadEndpoints.set(endpoint, resolved);
      return resolved;
    }
    const cached = this.ipEndpoints.get(endpoint.ip);
    if (cached !== undefined) return cached;
    const resolved = this.resolveIp(endpoint.ip);
    // Bounded: IP strings come from query input.
    if (this.ipEndpoints.size >= MAX_CACHED_IPS) this.ipEndpoints.clear();
    this.ipEndpoints.set(endpoint.ip, resolved);
    return resolved;
  }

  private resolveIp(text: string): ResolvedEndpoint {
    const endpoint = { ip: text };
    const ip = parseIp(endpoint.ip);
    const key = ip === undefined ? undefined : canonicalIp(endpoint.ip);
    if (ip === undefined || key === undefined)
      throw new UnknownEndpointError(`"${endpoint.ip}" is not an IP address`);
    const podIndex = this.compiled.podIndexByIp.get(key);
    if (podIndex !== undefined) return this.podEndpoint(podIndex, ip);
    const node = this.compiled.nodeByIp.get(key);
    if (node !== undefined) {
      return {
        kind: 'node',
        ips: [ip],
        ipv4: ipv4Numbers([ip]),
        display: key,
        note: `${key} is a node IP (${node}): not a pod to NetworkPolicy, it imposes no policy of its own`,
      };
    }
    return {
      kind: 'external',
      ips: [ip],
      ipv4: ipv4Numbers([ip]),
      display: key,
      note: `${key} is outside the cluster: it imposes no policy of its own`,
    };
  }

  /** Policies isolating a workload endpoint (not in the snapshot, so not precomputed). */
  private workloadPolicies(
    endpoint: ResolvedEndpoint & { kind: 'pod' },
    direction: 'ingress' | 'egress',
  ): CompiledPolicy[] {
    let cached = this.selectedBy.get(endpoint);
    const known = cached?.[direction];
    if (known !== undefined) return known;
    const out: CompiledPolicy[] = [];
    for (const policy of this.compiled.policiesByNamespace.get(endpoint.namespace) ?? []) {
      if (policy[direction] !== undefined && policy.selects(endpoint.labels)) out.push(policy);
    }
    if (cached === undefined) this.selectedBy.set(endpoint, (cached = {}));
    cached[direction] = out;
    return out;
  }

  private ruleAdmits(
    rule: {
      readonly ports: readonly CompiledPort[] | undefined;
      readonly peers: readonly CompiledPeer[] | undefined;
    },
    peer: ResolvedEndpoint,
    port: number,
    protocol: PolicyProtocol,
    destinationPorts: readonly ContainerPort[] | undefined,
  ): boolean {
    if (!portsAdmit(rule.ports, port, protocol, destinationPorts)) return false;
    if (rule.peers === undefined) return true;
    for (const candidate of rule.peers)
      if (peerMatches(candidate, peer, this.ipBlockMatchesPods)) return true;
    return false;
  }

  /** One direction: `subject` is the pod whose policies apply, `peer` the other end. */
  decide(
    direction: 'ingress' | 'egress',
    subject: ResolvedEndpoint,
    peer: ResolvedEndpoint,
    destination: ResolvedEndpoint,
    port: number,
    protocol: PolicyProtocol,
  ): DirectionDecision {
    if (subject.kind !== 'pod')
      return new LazyDirectionDecision(true, false, [], [], direction, subject, peer, port, protocol);
    const destinationPorts = destination.kind === 'pod' ? destination.ports : undefined;
    const allowedBy: RuleRef[] = [];
    if (subject.podIndex >= 0) {
      const rules = (
        direction === 'ingress' ? this.compiled.ingressRulesByPod : this.compiled.egressRulesByPod
      )[subject.podIndex];
      if (rules === undefined)
        return new LazyDirectionDecision(true, false, [], [], direction, subject, peer, port, protocol);
      for (const entry of bucketFor(rules, protocol).entries) {
        if (this.ruleAdmits(entry, peer, port, protocol, destinationPorts))
          allowedBy.push({ policy: entry.policyId, rule: entry.index });
      }
      return new LazyDirectionDecision(
        allowedBy.length > 0,
        true,
        rules.isolatedBy.slice(),
        allowedBy,
        direction,
        subject,
        peer,
        port,
        protocol,
      );
    }
    const policies = this.workloadPolicies(subject, direction);
    if (policies.length === 0)
      return new LazyDirectionDecision(true, false, [], [], direction, subject, peer, port, protocol);
    const isolatedBy: string[] = [];
    for (const policy of policies) {
      isolatedBy.push(policy.id);
      for (const rule of policy[direction] ?? []) {
        if (this.ruleAdmits(rule, peer, port, protocol, destinationPorts))
          allowedBy.push({ policy: policy.id, rule: rule.index });
      }
    }
    return new LazyDirectionDecision(
      allowedBy.length > 0,
      true,
      isolatedBy,
      allowedBy,
      direction,
      subject,
      peer,
      port,
      protocol,
    );
  }

  /** decide(…).allowed without building the decision: stops at the first admitting rule. */
  private admits(
    direction: 'ingress' | 'egress',
    subject: ResolvedEndpoint,
    peer: ResolvedEndpoint,
    destination: ResolvedEndpoint,
    port: number,
    protocol: PolicyProtocol,
  ): boolean {
    if (subject.kind !== 'pod') return true;
    const destinationPorts = destination.kind === 'pod' ? destination.ports : undefined;
    if (subject.podIndex >= 0) {
      const rules = (
        direction === 'ingress' ? this.compiled.ingressRulesByPod : this.compiled.egressRulesByPod
      )[subject.podIndex];
      if (rules === undefined) return true;
      const bucket = bucketFor(rules, protocol);
      if (bucket.admitsAll) return true;
      for (const entry of bucket.entries)
        if (this.ruleAdmits(entry, peer, port, protocol, destinationPorts)) return true;
      return false;
    }
    const policies = this.workloadPolicies(subject, direction);
    if (policies.length === 0) return true;
    for (const policy of policies) {
      for (const rule of policy[direction] ?? []) {
        if (this.ruleAdmits(rule, peer, port, protocol, destinationPorts)) return true;
      }
    }
    return false;
  }

  /**
   * What a verdict reads of an endpoint: as a peer, which rule peers match it (pod selectors,
   * ipBlocks); as the side whose policies apply, the policies isolating it per direction; as a
   * destination, its container ports (named ports). Equal keys, equal verdicts (decide, admits).
   */
  equivalenceKey(endpoint: QueryEndpoint): string {
    const resolved = this.resolve(endpoint);
    // The positions of the matching rule peers (the same walk for every endpoint, so equal lists,
    // equal matches). A character per peer made each key as long as the cluster's peer list, and
    // built one concatenation at a time: 138,000 peers at 100,000 edges, GBs of garbage a count.
    this.rulePeers ??= new RulePeerIndex(this.compiled.policies, this.compiled.podNamespace.length);
    const matches = this.rulePeers.matchingPositions(resolved, this.ipBlockMatchesPods);
    if (resolved.kind !== 'pod') return `${resolved.kind}|${matches}`;
    const isolating = (direction: 'ingress' | 'egress'): string =>
      (resolved.podIndex >= 0
        ? ((direction === 'ingress' ? this.compiled.ingressByPod : this.compiled.egressByPod)[
            resolved.podIndex
          ] ?? [])
        : this.workloadPolicies(resolved, direction)
      )
        .map((policy) => policy.id)
        .join(',');
    return `pod|${isolating('ingress')}|${isolating('egress')}|${JSON.stringify(resolved.ports)}|${matches}`;
  }

  /**
   * Which numeric rule ports admit the port; a protocol that any named rule port uses keeps every
   * port apart (a named port means a different number on each destination).
   */
  portEquivalenceKey(protocol: PolicyProtocol, port: number): string {
    // Every rule port in one fixed walk (policy, direction, rule, port), per protocol, built once:
    // the walk over 20,000 policies per observed port was most of the key's cost.
    this.rulePorts ??= rulePortsByProtocol(this.compiled.policies);
    const ports = this.rulePorts.get(protocol) ?? [];
    let admits = '';
    for (const compiled of ports) {
      if (compiled.name !== undefined) return `${protocol}|${port}`;
      admits += port >= compiled.from && port <= compiled.to ? '1' : '0';
    }
    return `${protocol}|${admits}`;
  }

  evaluate(query: ConnectionQuery): Decision {
    const from = this.resolve(query.from);
    const to = this.resolve(query.to);
    const egress = this.decide('egress', from, to, to, query.port, query.protocol);
    const ingress = this.decide('ingress', to, from, to, query.port, query.protocol);
    return { verdict: egress.allowed && ingress.allowed ? 'allow' : 'deny', egress, ingress };
  }

  isAllowed(query: ConnectionQuery): boolean {
    // Both ends are resolved first so unknown endpoints throw as they do in evaluate().
    const from = this.resolve(query.from);
    const to = this.resolve(query.to);
    return (
      this.admits('egress', from, to, to, query.port, query.protocol) &&
      this.admits('ingress', to, from, to, query.port, query.protocol)
    );
  }
}

export function compilePolicies(snapshot: ClusterSnapshot, options: EngineOptions = {}): PolicyEngine {
  return compileEngine(snapshot, options);
}
