// Cilium rule matching (docs.cilium.io security/policy language): one compiled ingress/egress (or
// *Deny) rule, and whether it matches a connection's peer and port. The L3 fields are ORed,
// `toPorts` restricts them, the empty rule `{}` matches nothing. CIDR rules never select cluster
// endpoints (pods, nodes, the host), as upstream. The subject is a pod or a host endpoint (host
// policies): `host` is the subject's own node, `remote-node` any other node.
import { cidrContains, formatIp, parseCidr, type Cidr, type IpAddress } from '../../net/ip.js';
import type { CiliumPort, CiliumRule } from '../cni-objects.js';
import type { ClusterSnapshot, ContainerPort, Labels, PolicyProtocol, ServiceInfo } from '../model.js';
import type { DirectionQuery, FamilyEndpoint } from '../policy-family.js';
import type { LabelPredicate } from '../selectors.js';
import { ciliumLabelsOf, compileCiliumSelector, compileFqdn, mentionsNamespace } from './cilium-labels.js';

export interface CompiledPortRule {
  readonly ports: readonly CiliumPort[];
  readonly l7: readonly string[];
}
interface CompiledCidr {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

export interface CompiledRule {
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

export function compileRule(
  rule: CiliumRule,
  index: number,
  namespace: string | undefined,
  services: ReadonlyMap<string, ServiceInfo>,
): CompiledRule {
  const endpoints =
    rule.endpoints === undefined || rule.endpoints.length === 0
      ? undefined
      : rule.endpoints.map((s) =>
          compileCiliumSelector(s, namespace !== undefined && !mentionsNamespace(s) ? namespace : undefined),
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
  const fqdns = rule.fqdns === undefined || rule.fqdns.length === 0 ? undefined : rule.fqdns.map(compileFqdn);
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

/** Whether an endpoint is a node's host endpoint (its address, a hostNetwork pod, or the flow's class). */
export function isHostEndpoint(endpoint: FamilyEndpoint): boolean {
  const r = endpoint.resolved;
  return (
    r.kind === 'node' ||
    (r.kind === 'external' && (endpoint.hint === 'host' || endpoint.hint === 'remote-node'))
  );
}

/**
 * Whether `peer` is the same node as the host endpoint `subject`: by node name when both are known,
 * else by the flow source's classes (both `host` of the observing node: same; one `host`, the
 * other `remote-node`: different); undefined when nothing tells.
 */
function sameNode(peer: FamilyEndpoint, subject: FamilyEndpoint): boolean | undefined {
  if (peer.nodeName !== undefined && subject.nodeName !== undefined)
    return peer.nodeName === subject.nodeName;
  if (peer.hint === 'host' && subject.hint === 'host') return true;
  if (
    (peer.hint === 'host' && subject.hint === 'remote-node') ||
    (peer.hint === 'remote-node' && subject.hint === 'host')
  )
    return false;
  return undefined;
}

/** Peer and port matching over one snapshot: the pods' Cilium labels are computed once each. */
export class CiliumPeers {
  private readonly podLabels: (Labels | undefined)[];
  private readonly apiServerIps: ReadonlySet<string>;

  constructor(private readonly snapshot: ClusterSnapshot) {
    this.podLabels = new Array<Labels | undefined>(snapshot.pods.length);
    const api = snapshot.services.find((s) => s.namespace === 'default' && s.name === 'kubernetes');
    this.apiServerIps = new Set(api?.clusterIPs ?? []);
  }

  /** The snapshot pod's Cilium identity labels (cached). */
  labelsOfPod(index: number): Labels {
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

  /** A pod endpoint's Cilium labels; undefined for anything else. */
  labelsOf(endpoint: FamilyEndpoint): Labels | undefined {
    const r = endpoint.resolved;
    if (r.kind !== 'pod') return undefined;
    if (r.podIndex >= 0) return this.labelsOfPod(r.podIndex);
    return ciliumLabelsOf(r.labels, r.namespace, r.namespaceLabels, endpoint.serviceAccount);
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
        if (isHostEndpoint(subject)) return sameNode(peer, subject) !== false;
        if (peer.hint === 'host') return true;
        return (
          peer.nodeName === undefined || subject.nodeName === undefined || peer.nodeName === subject.nodeName
        );
      case 'remote-node':
        if (!isNode) return false;
        if (isHostEndpoint(subject)) return sameNode(peer, subject) !== true;
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

  ruleMatches(rule: CompiledRule, query: DirectionQuery): boolean {
    if (rule.empty) return false;
    if (rule.toPorts !== undefined) {
      const destination = query.destination.resolved;
      const ports = destination.kind === 'pod' ? destination.ports : undefined;
      if (!rule.toPorts.some((p) => portMatches(p, query.port, query.protocol, ports))) return false;
    }
    return this.peerMatches(rule, query);
  }
}

function ipText(ip: IpAddress): string {
  return formatIp(ip);
}
