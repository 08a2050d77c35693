// NetworkPolicyPort matching: protocol (TCP when absent), all ports when `port` is absent,
// numeric ports with optional `endPort` ranges, and named ports resolved against the
// destination pod's own container ports (so one named rule can mean different numbers on
// different pods). A named port never matches a destination that is not a pod.
import type { ContainerPort, NetworkPolicyPort, PolicyProtocol } from './model.js';
import type { CompiledPolicy } from './compile.js';

export interface CompiledPort {
  readonly protocol: PolicyProtocol;
  /** Inclusive numeric range; [1, 65535] when the port is absent. */
  readonly from: number;
  readonly to: number;
  /** Set for a named port; `from`/`to` are then unused. */
  readonly name?: string;
}

export function compilePort(port: NetworkPolicyPort): CompiledPort {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return { protocol, from: 1, to: 65535 };
  if (typeof port.port === 'string') return { protocol, from: 0, to: -1, name: port.port };
  return { protocol, from: port.port, to: port.endPort ?? port.port };
}

/**
 * True when one compiled port admits `port`/`protocol` towards a destination whose container
 * ports are `destinationPorts` (undefined: the destination is not a pod, e.g. an external IP).
 */
export function portAdmits(
  compiled: CompiledPort,
  port: number,
  protocol: PolicyProtocol,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (compiled.protocol !== protocol) return false;
  if (compiled.name === undefined) return port >= compiled.from && port <= compiled.to;
  if (destinationPorts === undefined) return false;
  for (const cp of destinationPorts) {
    if (cp.name === compiled.name && cp.protocol === protocol && cp.containerPort === port) return true;
  }
  return false;
}

/** An absent or empty `ports` list (represented as undefined) admits every port and protocol. */
export function portsAdmit(
  ports: readonly CompiledPort[] | undefined,
  port: number,
  protocol: PolicyProtocol,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (ports === undefined) return true;
  for (const compiled of ports) if (portAdmits(compiled, port, protocol, destinationPorts)) return true;
  return false;
}

/** The rule ports of every policy in walk order (policy, ingress then egress, rule, port), by protocol. */
export function rulePortsByProtocol(policies: readonly CompiledPolicy[]): Map<string, CompiledPort[]> {
  const out = new Map<string, CompiledPort[]>();
  for (const policy of policies)
    for (const rules of [policy.ingress, policy.egress])
      for (const rule of rules ?? [])
        for (const compiled of rule.ports ?? []) {
          const list = out.get(compiled.protocol);
          if (list === undefined) out.set(compiled.protocol, [compiled]);
          else list.push(compiled);
        }
  return out;
}
