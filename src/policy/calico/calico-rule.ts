// One Calico rule as a test on a connection. Both entities always apply: `source` to the
// connection's source and `destination` to its destination, whichever direction the rule is in
// (an egress rule's `source.selector` constrains the policy's own pod). Within an entity every
// given criterion must hold. `nets` match any address, pods included (unlike Cilium's CIDRs);
// `selector`/`namespaceSelector` match only Calico workload endpoints (pods), so an address
// outside the cluster never matches a selector but always matches a `notSelector`. In a namespaced
// policy a selector without namespaceSelector means the policy's namespace (libcalico-go's
// conversion ANDs `projectcalico.org/namespace == '<ns>'` into selector and notSelector).
import { cidrContains, formatIp, parseCidr, type Cidr, type IpAddress } from '../../net/ip.js';
import type { CalicoAction, CalicoEntity, CalicoPortRange, CalicoRule } from '../cni-objects.js';
import type { Labels, PolicyProtocol, ServiceInfo } from '../model.js';
import type { DirectionQuery, FamilyEndpoint } from '../policy-family.js';
import { parseCalicoSelector, type CalicoPredicate } from './selector.js';

export interface CalicoMatchContext {
  /** Calico's namespace labels (with `projectcalico.org/name`), cached. */
  namespaceLabelsOf(namespace: string): Labels;
  /** A pod endpoint's Calico labels (with the `projectcalico.org/*` ones), cached per snapshot pod. */
  podLabelsOf(endpoint: FamilyEndpoint): Labels;
  readonly services: readonly ServiceInfo[];
}

export interface CompiledCalicoRule {
  readonly index: number;
  readonly action: CalicoAction;
  readonly l7: boolean;
  matches(query: DirectionQuery): boolean;
}

const PROTOCOL_NUMBERS: Readonly<Record<PolicyProtocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

function selectorOf(text: string | undefined): CalicoPredicate | undefined {
  if (text === undefined) return undefined;
  const parsed = parseCalicoSelector(text);
  return parsed.ok ? parsed.matches : () => false;
}

interface CompiledNet {
  readonly cidr: Cidr;
  readonly v4Network: number;
  readonly v4Mask: number;
}

function cidrsOf(list: readonly string[] | undefined): CompiledNet[] | undefined {
  return list
    ?.map(parseCidr)
    .filter((c): c is Cidr => c !== undefined)
    .map((cidr) => ({
      cidr,
      // IPv4 as 32-bit integers: the common test without BigInt arithmetic per query.
      v4Network: cidr.family === 4 ? Number(cidr.network) : -1,
      v4Mask: cidr.family === 4 && cidr.prefixLength > 0 ? (~0 << (32 - cidr.prefixLength)) >>> 0 : 0,
    }));
}

function inNets(endpoint: FamilyEndpoint, nets: readonly CompiledNet[]): boolean {
  const { ips, ipv4 } = endpoint.resolved;
  for (let i = 0; i < ips.length; i++) {
    const v4 = ipv4[i] as number;
    for (const net of nets) {
      if (
        v4 >= 0
          ? net.v4Network >= 0 && (v4 & net.v4Mask) >>> 0 === net.v4Network
          : cidrContains(net.cidr, ips[i] as IpAddress)
      )
        return true;
    }
  }
  return false;
}

function portIn(
  ranges: readonly CalicoPortRange[],
  port: number,
  protocol: PolicyProtocol,
  destination: FamilyEndpoint,
): boolean {
  const r = destination.resolved;
  for (const range of ranges) {
    if (range.name === undefined) {
      if (port >= range.from && port <= range.to) return true;
    } else if (
      r.kind === 'pod' &&
      r.ports.some((cp) => cp.name === range.name && cp.containerPort === port && cp.protocol === protocol)
    ) {
      return true;
    }
  }
  return false;
}

type EndpointTest = (endpoint: FamilyEndpoint, query: DirectionQuery) => boolean;

function compileEntity(
  entity: CalicoEntity,
  policyNamespace: string | undefined,
  context: CalicoMatchContext,
  isDestination: boolean,
): EndpointTest {
  const tests: EndpointTest[] = [];
  const nets = cidrsOf(entity.nets);
  const notNets = cidrsOf(entity.notNets);
  if (nets !== undefined) tests.push((e) => inNets(e, nets));
  if (notNets !== undefined) tests.push((e) => !inNets(e, notNets));
  const selector = selectorOf(entity.selector);
  const notSelector = selectorOf(entity.notSelector);
  const namespaceSelector = selectorOf(entity.namespaceSelector);
  // The namespace part of the selection: the given namespaceSelector, or the policy's namespace
  // when a (not)selector is given without one in a namespaced policy.
  const inNamespace = (e: FamilyEndpoint): boolean => {
    const r = e.resolved;
    if (r.kind !== 'pod') return false;
    if (namespaceSelector !== undefined) return namespaceSelector(context.namespaceLabelsOf(r.namespace));
    if (policyNamespace !== undefined) return r.namespace === policyNamespace;
    return true;
  };
  const labelsOf = (e: FamilyEndpoint): Labels => context.podLabelsOf(e);
  if (selector !== undefined) tests.push((e) => inNamespace(e) && selector(labelsOf(e)));
  else if (namespaceSelector !== undefined) tests.push((e) => inNamespace(e));
  if (notSelector !== undefined) tests.push((e) => !(inNamespace(e) && notSelector(labelsOf(e))));
  if (entity.serviceAccountNames !== undefined) {
    const names = new Set(entity.serviceAccountNames);
    tests.push((e) => inNamespace(e) && e.serviceAccount !== undefined && names.has(e.serviceAccount));
  }
  const service = entity.service;
  if (service !== undefined) {
    const namespace = service.namespace !== '' ? service.namespace : (policyNamespace ?? 'default');
    const found = context.services.find((s) => s.namespace === namespace && s.name === service.name);
    tests.push((e, query) => {
      if (found === undefined) return false;
      const r = e.resolved;
      const byIp = r.ips.some((ip) => found.clusterIPs.includes(formatIp(ip)));
      const byPod =
        r.kind === 'pod' &&
        found.selector !== undefined &&
        r.namespace === found.namespace &&
        Object.entries(found.selector).every(([k, v]) => r.labels[k] === v);
      if (!byIp && !byPod) return false;
      // Without rule ports, a destination service also limits the ports to the service's.
      if (!isDestination || entity.ports !== undefined) return true;
      return found.ports.some(
        (p) =>
          p.protocol === query.protocol &&
          (p.port === query.port ||
            p.targetPort === query.port ||
            (typeof p.targetPort === 'string' &&
              r.kind === 'pod' &&
              r.ports.some((cp) => cp.name === p.targetPort && cp.containerPort === query.port))),
      );
    });
  }
  if (isDestination && entity.ports !== undefined) {
    const ports = entity.ports;
    tests.push((e, q) => portIn(ports, q.port, q.protocol, e));
  }
  if (isDestination && entity.notPorts !== undefined) {
    const ports = entity.notPorts;
    tests.push((e, q) => !portIn(ports, q.port, q.protocol, e));
  }
  if (tests.length === 0) return () => true;
  return (e, q) => {
    for (const test of tests) if (!test(e, q)) return false;
    return true;
  };
}

export function compileCalicoRule(
  rule: CalicoRule,
  index: number,
  policyNamespace: string | undefined,
  context: CalicoMatchContext,
): CompiledCalicoRule {
  const source = compileEntity(rule.source, policyNamespace, context, false);
  const destination = compileEntity(rule.destination, policyNamespace, context, true);
  const { protocol, notProtocol, ipVersion } = rule;
  return {
    index,
    action: rule.action,
    l7: rule.l7,
    matches(query: DirectionQuery): boolean {
      const number = PROTOCOL_NUMBERS[query.protocol];
      if (protocol !== undefined && protocol !== number) return false;
      if (notProtocol !== undefined && notProtocol === number) return false;
      if (ipVersion !== undefined) {
        const ips = [...query.source.resolved.ips, ...query.destination.resolved.ips];
        if (ips.length > 0 && !ips.some((ip) => ip.family === ipVersion)) return false;
      }
      return source(query.source, query) && destination(query.destination, query);
    },
  };
}
