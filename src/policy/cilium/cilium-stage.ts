// Cilium's policy decision for one direction of one endpoint, over CiliumNetworkPolicies,
// CiliumClusterwideNetworkPolicies and the Kubernetes NetworkPolicies Cilium enforces alongside
// them (docs.cilium.io, security/policy): a deny rule that matches wins over every allow, of any
// kind; otherwise an allow rule of any kind admits (union); otherwise the endpoint is denied when
// some policy put the direction into default deny (a Cilium policy with rules for it, unless its
// `enableDefaultDeny` says no, or an isolating NetworkPolicy), and the stage has no opinion when
// nothing did. CIDR rules never select cluster endpoints (pods, nodes), as upstream.
import { cidrContains, formatIp, parseCidr, type Cidr, type IpAddress } from '../../net/ip.js';
import type { CiliumPolicy, CiliumPort, CiliumRule } from '../cni-objects.js';
import { objectName } from '../cni-objects.js';
import type { ClusterSnapshot, ContainerPort, Labels, PolicyProtocol, ServiceInfo } from '../model.js';
import type {
  DirectionQuery,
  FamilyEndpoint,
  PolicyStage,
  RuleRef,
  StageDecision,
} from '../policy-family.js';
import { NO_OPINION } from '../policy-family.js';
import type { LabelPredicate } from '../selectors.js';
import { ciliumLabelsOf, compileCiliumSelector, compileFqdn, mentionsNamespace } from './cilium-labels.js';

/** The NetworkPolicy side of one direction, computed by the NetworkPolicy engine. */
export type NetworkPolicyView = (query: DirectionQuery) => {
  readonly isolatedBy: readonly string[];
  readonly allowedBy: readonly RuleRef[];
};

interface CompiledPortRule {
  readonly ports: readonly CiliumPort[];
  readonly l7: readonly string[];
}
interface CompiledCidr {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

interface CompiledRule {
  readonly index: number;
  /** No L3 field and no toPorts: the empty rule `{}`, which matches nothing. */
  readonly empty: boolean;
  /** undefined: no L3 field, every peer (an L4-only rule). */
  readonly endpoints: readonly LabelPredicate[] | undefined;
  readonly entities: readonly string[] | undefined;
  readonly cidrs: readonly CompiledCidr[] | undefined;
  readonly services: readonly ServiceInfo[] | undefined;
  readonly fqdns: readonly ((name: string) => boolean)[] | undefined;
  readonly hasL3: boolean;
  /** undefined: every port. */
  readonly toPorts: readonly CompiledPortRule[] | undefined;
}

interface CompiledPolicy {
  readonly id: string;
  readonly selects: LabelPredicate;
  readonly sections: {
    readonly [K in 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny']: readonly CompiledRule[];
  };
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
}

const API_SERVICE = { namespace: 'default', name: 'kubernetes' };

function compileCidrs(list: CiliumRule['cidrs']): CompiledCidr[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: CompiledCidr[] = [];
  for (const entry of list) {
    const cidr = parseCidr(entry.cidr);
    if (cidr === undefined) continue;
    out.push({ cidr, except: entry.except.map(parseCidr).filter((c): c is Cidr => c !== undefined) });
  }
  return out;
}

function portMatches(
  rule: CompiledPortRule,
  port: number,
  protocol: PolicyProtocol,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (rule.ports.length === 0) return true;
  for (const entry of rule.ports) {
    if (entry.protocol !== 'ANY' && entry.protocol !== protocol) continue;
    if (/^\d+$/.test(entry.port)) {
      const from = Number(entry.port);
      if (from === 0 || (port >= from && port <= (entry.endPort ?? from))) return true;
      continue;
    }
    for (const cp of destinationPorts ?? []) {
      if (
        cp.name === entry.port &&
        cp.containerPort === port &&
        (entry.protocol === 'ANY' || cp.protocol === protocol)
      )
        return true;
    }
  }
  return false;
}

export class CiliumStage implements PolicyStage {
  readonly name = 'cilium';
  private readonly policies: CompiledPolicy[];
  /** By pod index: the policies whose endpointSelector selects the pod. */
  private readonly byPod: (readonly CompiledPolicy[])[];
  private readonly podLabels: (Labels | undefined)[];
  private readonly apiServerIps: ReadonlySet<string>;

  constructor(
    private readonly snapshot: ClusterSnapshot,
    policies: readonly CiliumPolicy[],
    private readonly networkPolicies: NetworkPolicyView,
  ) {
    const services = new Map(snapshot.services.map((s) => [`${s.namespace}/${s.name}`, s]));
    const api = services.get(`${API_SERVICE.namespace}/${API_SERVICE.name}`);
    this.apiServerIps = new Set(api?.clusterIPs ?? []);
    this.policies = policies.map((p) => this.compilePolicy(p, services));
    this.podLabels = new Array<Labels | undefined>(snapshot.pods.length);
    this.byPod = snapshot.pods.map((pod, index) => {
      if (pod.hostNetwork) return [];
      const labels = this.labelsOfPod(index);
      return this.policies.filter((p) => p.selects(labels));
    });
  }

  private labelsOfPod(index: number): Labels {
    const cached = this.podLabels[index];
    if (cached !== undefined) return cached;
    const pod = this.snapshot.pods[index];
    if (pod === undefined) return {};
    const ns = this.snapshot.namespaces.find((n) => n.name === pod.namespace);
    const labels = ciliumLabelsOf(
      pod.labels,
      pod.namespace,
      ns?.labels ?? { 'kubernetes.io/metadata.name': pod.namespace },
      pod.serviceAccount,
    );
    this.podLabels[index] = labels;
    return labels;
  }

  private labelsOf(endpoint: FamilyEndpoint): Labels | undefined {
    const r = endpoint.resolved;
    if (r.kind !== 'pod') return undefined;
    if (r.podIndex >= 0) return this.labelsOfPod(r.podIndex);
    return ciliumLabelsOf(r.labels, r.namespace, r.namespaceLabels, endpoint.serviceAccount);
  }

  private compileRule(
    rule: CiliumRule,
    index: number,
    namespace: string | undefined,
    services: ReadonlyMap<string, ServiceInfo>,
  ): CompiledRule {
    const endpoints =
      rule.endpoints === undefined || rule.endpoints.length === 0
        ? undefined
        : rule.endpoints.map((s) =>
            compileCiliumSelector(
              s,
              namespace !== undefined && !mentionsNamespace(s) ? namespace : undefined,
            ),
          );
    const entities = rule.entities === undefined || rule.entities.length === 0 ? undefined : rule.entities;
    const cidrs = compileCidrs(rule.cidrs);
    const serviceList =
      rule.services === undefined || rule.services.length === 0
        ? undefined
        : rule.services.flatMap((ref) => {
            const found = services.get(`${ref.namespace ?? namespace ?? 'default'}/${ref.name ?? ''}`);
            return found === undefined ? [] : [found];
          });
    const fqdns =
      rule.fqdns === undefined || rule.fqdns.length === 0 ? undefined : rule.fqdns.map(compileFqdn);
    const hasL3 =
      endpoints !== undefined ||
      entities !== undefined ||
      cidrs !== undefined ||
      serviceList !== undefined ||
      fqdns !== undefined ||
      (rule.services !== undefined && rule.services.length > 0);
    const toPorts = rule.toPorts === undefined || rule.toPorts.length === 0 ? undefined : rule.toPorts;
    return {
      index,
      empty: !hasL3 && toPorts === undefined,
      endpoints,
      entities,
      cidrs,
      services: serviceList,
      fqdns,
      hasL3,
      toPorts,
    };
  }

  private compilePolicy(policy: CiliumPolicy, services: ReadonlyMap<string, ServiceInfo>): CompiledPolicy {
    const compile = (rules: readonly CiliumRule[] | undefined) =>
      (rules ?? []).map((r, i) => this.compileRule(r, i, policy.namespace, services));
    const sections = {
      ingress: compile(policy.ingress),
      egress: compile(policy.egress),
      ingressDeny: compile(policy.ingressDeny),
      egressDeny: compile(policy.egressDeny),
    };
    const hasIngress = sections.ingress.length > 0 || sections.ingressDeny.length > 0;
    const hasEgress = sections.egress.length > 0 || sections.egressDeny.length > 0;
    return {
      id: `${objectName(policy)}${policy.specIndex !== undefined ? ` specs[${policy.specIndex}]` : ''}`,
      selects: compileCiliumSelector(policy.endpointSelector, policy.namespace),
      sections,
      defaultDeny: {
        ingress: hasIngress && policy.enableDefaultDeny.ingress !== false,
        egress: hasEgress && policy.enableDefaultDeny.egress !== false,
      },
    };
  }

  private entityMatches(entity: string, peer: FamilyEndpoint, subject: FamilyEndpoint): boolean {
    const r = peer.resolved;
    const isNode = r.kind === 'node' || peer.hint === 'host' || peer.hint === 'remote-node';
    const isApi = peer.hint === 'kube-apiserver' || r.ips.some((ip) => this.apiServerIps.has(ipText(ip)));
    switch (entity) {
      case 'all':
        return true;
      case 'cluster':
        return r.kind === 'pod' || isNode;
      case 'world':
        return r.kind === 'external' && !isNode;
      case 'world-ipv4':
        return r.kind === 'external' && !isNode && r.ips.some((ip) => ip.family === 4);
      case 'world-ipv6':
        return r.kind === 'external' && !isNode && r.ips.some((ip) => ip.family === 6);
      case 'kube-apiserver':
        return isApi;
      case 'host':
        if (!isNode) return false;
        if (peer.hint === 'host') return true;
        return (
          peer.nodeName === undefined || subject.nodeName === undefined || peer.nodeName === subject.nodeName
        );
      case 'remote-node':
        if (!isNode) return false;
        if (peer.hint === 'remote-node') return true;
        return (
          peer.nodeName === undefined || subject.nodeName === undefined || peer.nodeName !== subject.nodeName
        );
      // Reserved identities the snapshot cannot show: only the flow source's class names them.
      case 'ingress':
      case 'health':
      case 'init':
      case 'unmanaged':
        return peer.hint === entity;
      default:
        return false;
    }
  }

  private peerMatches(rule: CompiledRule, query: DirectionQuery): boolean {
    if (!rule.hasL3) return true;
    const { peer, subject } = query;
    const r = peer.resolved;
    if (rule.endpoints !== undefined) {
      const labels = this.labelsOf(peer);
      if (labels !== undefined && rule.endpoints.some((m) => m(labels))) return true;
    }
    if (rule.entities?.some((e) => this.entityMatches(e, peer, subject)) === true) return true;
    if (
      rule.cidrs !== undefined &&
      r.kind === 'external' &&
      peer.hint !== 'host' &&
      peer.hint !== 'remote-node'
    ) {
      for (const ip of r.ips) {
        if (rule.cidrs.some((c) => cidrContains(c.cidr, ip) && !c.except.some((e) => cidrContains(e, ip))))
          return true;
      }
    }
    if (rule.services !== undefined) {
      for (const service of rule.services) {
        if (r.ips.some((ip) => service.clusterIPs.includes(ipText(ip)))) return true;
        if (
          r.kind === 'pod' &&
          service.selector !== undefined &&
          r.namespace === service.namespace &&
          Object.entries(service.selector).every(([k, v]) => r.labels[k] === v)
        )
          return true;
      }
    }
    if (rule.fqdns !== undefined && peer.names.some((name) => rule.fqdns?.some((m) => m(name)) === true))
      return true;
    return false;
  }

  private ruleMatches(rule: CompiledRule, query: DirectionQuery): boolean {
    if (rule.empty) return false;
    if (rule.toPorts !== undefined) {
      const destination = query.destination.resolved;
      const ports = destination.kind === 'pod' ? destination.ports : undefined;
      if (!rule.toPorts.some((p) => portMatches(p, query.port, query.protocol, ports))) return false;
    }
    return this.peerMatches(rule, query);
  }

  private policiesOf(subject: FamilyEndpoint): readonly CompiledPolicy[] {
    const r = subject.resolved;
    if (r.kind !== 'pod') return [];
    if (r.podIndex >= 0) return this.byPod[r.podIndex] ?? [];
    const labels = this.labelsOf(subject) as Labels;
    return this.policies.filter((p) => p.selects(labels));
  }

  decide(query: DirectionQuery): StageDecision {
    if (query.subject.resolved.kind !== 'pod') return NO_OPINION;
    const direction = query.direction;
    const denySection = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
    const policies = this.policiesOf(query.subject);
    for (const policy of policies) {
      for (const rule of policy.sections[denySection]) {
        if (this.ruleMatches(rule, query)) {
          return {
            verdict: 'deny',
            decidedBy: { object: policy.id, rule: `${denySection}[${rule.index}]`, action: 'Deny' },
            isolatedBy: [policy.id],
            allowedBy: [],
            notes: [],
          };
        }
      }
    }
    const np = this.networkPolicies(query);
    const isolatedBy = [...np.isolatedBy];
    const allowedBy = [...np.allowedBy];
    const notes: string[] = [];
    let decidedBy: StageDecision['decidedBy'];
    const first = np.allowedBy[0];
    if (first !== undefined)
      decidedBy = { object: first.policy, rule: `${direction}[${first.rule}]`, action: 'Allow' };
    for (const policy of policies) {
      if (policy.defaultDeny[direction]) isolatedBy.push(policy.id);
      for (const rule of policy.sections[direction]) {
        if (!this.ruleMatches(rule, query)) continue;
        allowedBy.push({ policy: policy.id, rule: rule.index });
        decidedBy ??= { object: policy.id, rule: `${direction}[${rule.index}]`, action: 'Allow' };
        const l7 = (rule.toPorts ?? []).flatMap((p) => p.l7).filter((kind) => kind !== 'dns');
        if (l7.length > 0)
          notes.push(
            `${policy.id} ${direction}[${rule.index}] has L7 rules (${[...new Set(l7)].join(', ')}): L7 not evaluated, the L3/L4 verdict assumes they pass`,
          );
      }
    }
    if (decidedBy !== undefined) return { verdict: 'allow', decidedBy, isolatedBy, allowedBy, notes };
    if (isolatedBy.length > 0)
      return {
        verdict: 'deny',
        decidedBy: { object: isolatedBy.join(', '), rule: 'default deny', action: 'Deny' },
        isolatedBy,
        allowedBy,
        notes,
      };
    return NO_OPINION;
  }
}

function ipText(ip: IpAddress): string {
  return formatIp(ip);
}
