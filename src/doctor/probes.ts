// The (port, protocol) pairs and outside addresses worth probing when comparing two policy sets:
// every port a policy names (both ends of a range, named ports resolved through the pods), the
// pods' container ports, the observed ports, and a sentinel port and address that only
// "all ports" / "everywhere" rules admit. Bounded: attacker-controlled inputs feed it.
import type { PortProtocol } from '../policy/reachability.js';
import type { ClusterSnapshot, NetworkPolicy, PolicyProtocol } from '../policy/model.js';
import type { DoctorEdge } from './types.js';

const MAX_PORTS = 64;
const MAX_IPS = 32;
const SENTINEL_PORT = 65_535;
/** TEST-NET-3: an address outside every cluster. */
export const SENTINEL_IP = '203.0.113.7';

function isPolicyProtocol(protocol: string): protocol is PolicyProtocol {
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP';
}

export function probePorts(
  snapshot: ClusterSnapshot,
  policies: readonly NetworkPolicy[],
  edges: readonly DoctorEdge[],
): PortProtocol[] {
  const out = new Map<string, PortProtocol>();
  const add = (protocol: PolicyProtocol, port: number): void => {
    if (out.size < MAX_PORTS && Number.isInteger(port) && port >= 1 && port <= 65535)
      out.set(`${protocol}/${port}`, { protocol, port });
  };
  for (const policy of policies) {
    for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
      for (const p of rule.ports ?? []) {
        const protocol = p.protocol ?? 'TCP';
        if (typeof p.port === 'number') {
          add(protocol, p.port);
          if (p.endPort !== undefined) add(protocol, p.endPort);
        } else if (typeof p.port === 'string') {
          for (const pod of snapshot.pods)
            for (const c of pod.ports) if (c.name === p.port) add(c.protocol, c.containerPort);
        }
      }
    }
  }
  for (const edge of edges)
    if (edge.port !== null && isPolicyProtocol(edge.protocol)) add(edge.protocol, edge.port);
  for (const pod of snapshot.pods) for (const c of pod.ports) add(c.protocol, c.containerPort);
  add('TCP', SENTINEL_PORT);
  add('UDP', SENTINEL_PORT);
  return [...out.values()];
}

export function probeIps(policies: readonly NetworkPolicy[], edges: readonly DoctorEdge[]): string[] {
  const out = new Set<string>([SENTINEL_IP]);
  const add = (cidr: string): void => {
    const ip = cidr.split('/')[0];
    if (ip !== undefined && ip !== '' && out.size < MAX_IPS) out.add(ip);
  };
  for (const policy of policies) {
    for (const rule of policy.spec.ingress ?? [])
      for (const peer of rule.from ?? [])
        if (peer.ipBlock !== undefined) {
          add(peer.ipBlock.cidr);
          for (const e of peer.ipBlock.except ?? []) add(e);
        }
    for (const rule of policy.spec.egress ?? [])
      for (const peer of rule.to ?? [])
        if (peer.ipBlock !== undefined) {
          add(peer.ipBlock.cidr);
          for (const e of peer.ipBlock.except ?? []) add(e);
        }
  }
  for (const edge of edges) {
    for (const peer of [edge.source, edge.destination])
      if (peer.kind !== 'pod' && peer.ip !== undefined) add(peer.ip);
  }
  return [...out];
}
