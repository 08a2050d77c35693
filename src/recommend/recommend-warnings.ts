// The recommender's warnings: de-duplicated and capped per code (so a cluster-wide problem is
// one line per subject, never a flood), and the texts shared by several of its stages.
import { peerText } from '../flows/peer-text.js';
import type { PeerResolution } from './peers.js';
import type { ObservedEdge, Warning } from './proposal.js';

const MAX_WARNINGS_PER_CODE = 200;

/** Why a path or a workload cannot be named by a policy (the failed half of a PeerResolution). */
export type NotExpressible = Extract<PeerResolution, { ok: false }>;

export class Warnings {
  readonly list: Warning[] = [];
  private readonly seen = new Set<string>();
  private readonly perCode = new Map<string, number>();
  add(warning: Warning): void {
    const key = `${warning.code}|${warning.namespace ?? ''}|${warning.subject ?? ''}|${warning.message}`;
    if (this.seen.has(key)) return;
    const count = this.perCode.get(warning.code) ?? 0;
    if (count >= MAX_WARNINGS_PER_CODE) return;
    this.perCode.set(warning.code, count + 1);
    this.seen.add(key);
    this.list.push(warning);
  }
}

/** The subject of an edge's warnings; built only when a warning is raised. */
export function describeSubject(edge: ObservedEdge): string {
  return `${peerText(edge.source)} -> ${peerText(edge.destination)} ${edge.protocol}/${edge.port ?? '-'}`;
}

export function specialWarning(
  peerClass: 'kube-apiserver' | 'kube-apiserver-endpoints' | 'node' | 'host-network',
  namespace: string,
  subject: string,
): Warning {
  const message = {
    'kube-apiserver':
      'traffic to the Kubernetes API server is allowed by an ipBlock of its observed address (no default/kubernetes EndpointSlice in the snapshot); re-check it after control-plane changes (Cilium: toEntities kube-apiserver)',
    'kube-apiserver-endpoints':
      'traffic to the Kubernetes API server is allowed to every endpoint of default/kubernetes (EndpointSlice); re-check it after control-plane changes (Cilium: toEntities kube-apiserver)',
    node: 'traffic with a node is allowed by an ipBlock of the node address; node addresses change when nodes are replaced',
    'host-network':
      'a hostNetwork workload is allowed by the ipBlocks of its node addresses, which also admits everything else on those nodes',
  }[peerClass];
  return {
    code:
      peerClass === 'node'
        ? 'node-traffic'
        : peerClass === 'kube-apiserver-endpoints'
          ? 'kube-apiserver'
          : peerClass,
    namespace,
    subject,
    message,
  };
}
