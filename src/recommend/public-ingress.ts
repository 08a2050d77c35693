// Public ingress: a workload port that serves the world must not be admitted only from the client
// addresses that happened to be sampled, or tomorrow's clients are cut off. A port is public when
// `minClients` distinct public (globally routable) addresses reached it, or when the workload is
// exposed by a LoadBalancer/NodePort Service or is a known ingress controller. Its per-client
// external rules then fold into one rule from any address (0.0.0.0/0 and ::/0; cilium: world).
import type { Protocol } from '../flows/flow.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../net/ip.js';
import type { ServiceInfo } from '../policy/model.js';
import { selectorMatches } from './label-choice.js';
import { PUBLIC_TARGET } from './peers.js';
import type { Warning } from './proposal.js';
import type { RuleAcc, WorkloadPolicyAcc } from './workload-policies.js';
import type { WorkloadInfo } from './workloads.js';

export const DEFAULT_PUBLIC_INGRESS_MIN_CLIENTS = 10;

/** Addresses that are not on the public internet: private, CGNAT, loopback, link-local, ULA. */
const NON_PUBLIC: readonly Cidr[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '0.0.0.0/8',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
  '::/128',
].map((text) => parseCidr(text) as Cidr);

export function isPublicAddress(ip: string): boolean {
  const address = parseIp(ip);
  return (
    address !== undefined &&
    !NON_PUBLIC.some((cidr) => cidr.family === address.family && cidrContains(cidr, address))
  );
}

/** `app.kubernetes.io/name` / `app` values of the common ingress controllers and gateways. */
const INGRESS_CONTROLLERS = new Set([
  'ingress-nginx',
  'nginx-ingress',
  'traefik',
  'haproxy-ingress',
  'kong',
  'contour',
  'envoy',
  'istio-ingressgateway',
  'emissary-ingress',
  'ambassador',
]);

function whyPublic(workload: WorkloadInfo, services: readonly ServiceInfo[]): string | undefined {
  for (const set of workload.labelSets.length > 0 ? workload.labelSets : workload.pods.map((p) => p.labels)) {
    const name = set['app.kubernetes.io/name'] ?? set['app'];
    if (name !== undefined && INGRESS_CONTROLLERS.has(name)) return `an ingress controller (${name})`;
    if (set['istio'] === 'ingressgateway') return 'an ingress gateway (istio=ingressgateway)';
  }
  const podLabels = workload.pods.length > 0 ? workload.pods.map((p) => p.labels) : workload.labelSets;
  for (const service of services) {
    if (service.namespace !== workload.namespace || service.selector === undefined) continue;
    if (service.type !== 'LoadBalancer' && service.type !== 'NodePort') continue;
    const selector = service.selector;
    if (podLabels.some((labels) => selectorMatches(selector, labels)))
      return `the target of ${service.type} Service ${service.namespace}/${service.name}`;
  }
  return undefined;
}

interface PortGroup {
  readonly protocol: Protocol;
  readonly port: number;
  readonly clients: Set<string>;
  readonly rules: RuleAcc[];
}

/**
 * Folds the external per-client ingress rules of every public port into one `public` rule, and
 * returns the warnings to raise. Mutates the accumulators (runs before the policies are built).
 */
export function foldPublicIngress(
  accs: Iterable<WorkloadPolicyAcc>,
  services: readonly ServiceInfo[],
  minClients: number,
): Warning[] {
  const warnings: Warning[] = [];
  for (const acc of accs) {
    const groups = new Map<string, PortGroup>();
    for (const rule of acc.ingress.values()) {
      if (rule.target.type !== 'cidr' || rule.target.peerClass !== 'external') continue;
      const slash = rule.target.cidr.lastIndexOf('/');
      const ip = rule.target.cidr.slice(0, slash);
      for (const port of rule.ports.values()) {
        const key = `${port.protocol}/${port.port}`;
        let group = groups.get(key);
        if (group === undefined)
          groups.set(
            key,
            (group = { protocol: port.protocol, port: port.port, clients: new Set(), rules: [] }),
          );
        if (isPublicAddress(ip)) group.clients.add(rule.target.cidr);
        group.rules.push(rule);
      }
    }
    if (groups.size === 0) continue;
    const exposed = whyPublic(acc.workload, services);
    for (const group of groups.values()) {
      if (group.clients.size === 0 || (exposed === undefined && group.clients.size < minClients)) continue;
      let target = acc.ingress.get(PUBLIC_TARGET.key);
      if (target === undefined) {
        target = {
          target: PUBLIC_TARGET,
          ports: new Map(),
          portCounts: new Map(),
          connections: 0,
          established: 0,
          firstSeenMs: Number.POSITIVE_INFINITY,
          lastSeenMs: Number.NEGATIVE_INFINITY,
          samplePods: new Set(),
          names: new Set(),
          reasons: new Set(),
          publicClients: 0,
        };
        acc.ingress.set(PUBLIC_TARGET.key, target);
      }
      target.publicClients = (target.publicClients ?? 0) + group.clients.size;
      for (const rule of group.rules) moveTo(rule, target, group, acc);
      const why =
        exposed ??
        `${group.clients.size} distinct public client addresses reached it (threshold ${minClients})`;
      warnings.push({
        code: 'public-ingress',
        namespace: acc.workload.namespace,
        subject: `${acc.workload.key} ${group.protocol}/${group.port}`,
        message: `${acc.workload.key} ${group.protocol}/${group.port} is admitted from any address (0.0.0.0/0, ::/0): it is ${why}; on some CNIs that ipBlock also admits in-cluster pods on this port`,
      });
    }
  }
  return warnings;
}

/** Moves one port of an external rule into the public rule (the rule goes when it has no port left). */
function moveTo(rule: RuleAcc, target: RuleAcc, group: PortGroup, acc: WorkloadPolicyAcc): void {
  for (const [key, port] of rule.ports) {
    if (port.protocol !== group.protocol || port.port !== group.port) continue;
    const count = rule.portCounts.get(key) ?? 0;
    rule.ports.delete(key);
    rule.portCounts.delete(key);
    target.ports.set(key, port);
    target.portCounts.set(key, (target.portCounts.get(key) ?? 0) + count);
    target.connections += count;
    rule.connections -= count;
  }
  target.firstSeenMs = Math.min(target.firstSeenMs, rule.firstSeenMs);
  target.lastSeenMs = Math.max(target.lastSeenMs, rule.lastSeenMs);
  if (rule.ports.size === 0) target.established += rule.established;
  for (const name of rule.names) target.names.add(name);
  for (const reason of rule.reasons) target.reasons.add(reason);
  if (rule.ports.size === 0) acc.ingress.delete(rule.target.key);
}
