// The contract shape of one edge in `flows --json` and `GET /api/v1/flows` (contracts.md):
// a pod side is {namespace, workload, kind} (kind = the owning workload's kind), anything else is
// {kind, ip, names} (kind = world, host, remote-node …), plus `entity` when Calico named it (a
// NetworkSet, a `pub`/`pvt` network, a host endpoint). Extra detail fields follow the contract ones.
import type { EdgePeer } from '../flows/edge.js';
import type { EdgeRecord } from './types.js';

export interface PodPeerJson {
  readonly namespace: string;
  readonly workload: string | null;
  readonly kind: string;
  readonly pods: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface AddressPeerJson {
  readonly kind: string;
  readonly ip: string | null;
  readonly names: readonly string[];
  /** A named non-pod peer (Calico NetworkSet, `pub`/`pvt` network, host endpoint), when named. */
  readonly entity?: { readonly kind: string; readonly name: string; readonly namespace?: string };
}

export interface EdgeJson {
  readonly id: number;
  readonly source: PodPeerJson | AddressPeerJson;
  readonly destination: PodPeerJson | AddressPeerJson;
  readonly port: number | null;
  readonly protocol: string;
  readonly verdict: string;
  readonly count: number;
  /** Mid-stream events of connections established before observation (no start seen). */
  readonly established: number;
  /** Of `established`, the events whose direction the source reported; the rest were inferred. */
  readonly establishedObserved: number;
  /** `connection-start` when starts were seen, else `established-before-observation`. */
  readonly evidence: 'connection-start' | 'established-before-observation';
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly dropReasons: Readonly<Record<string, number>>;
  readonly deniedBy: readonly string[];
  readonly allowedBy: readonly string[];
}

function rfc3339(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

function peerJson(
  peer: EdgePeer,
  pods: readonly string[],
  labels: Readonly<Record<string, string>>,
  names: readonly string[],
): PodPeerJson | AddressPeerJson {
  if (peer.kind === 'pod') {
    return {
      namespace: peer.namespace ?? '',
      workload: peer.workload ?? null,
      kind: peer.workloadKind ?? 'Pod',
      pods,
      labels,
    };
  }
  if (peer.workload === undefined) return { kind: peer.kind, ip: peer.ip ?? null, names };
  const entity = {
    kind: peer.workloadKind ?? 'unknown',
    name: peer.workload,
    ...(peer.namespace !== undefined ? { namespace: peer.namespace } : {}),
  };
  return { kind: peer.kind, ip: peer.ip ?? null, names, entity };
}

export function edgeToJson(edge: EdgeRecord): EdgeJson {
  return {
    id: edge.id,
    source: peerJson(edge.source, edge.sourcePods, edge.sourceLabels, edge.sourceNames),
    destination: peerJson(
      edge.destination,
      edge.destinationPods,
      edge.destinationLabels,
      edge.destinationNames,
    ),
    port: edge.port,
    protocol: edge.protocol,
    verdict: edge.verdict,
    count: edge.count,
    established: edge.established ?? 0,
    establishedObserved: edge.establishedObserved ?? 0,
    evidence:
      edge.count === 0 && (edge.established ?? 0) > 0 ? 'established-before-observation' : 'connection-start',
    firstSeen: rfc3339(edge.firstSeenMs),
    lastSeen: rfc3339(edge.lastSeenMs),
    dropReasons: edge.dropReasons,
    deniedBy: edge.deniedBy,
    allowedBy: edge.allowedBy,
  };
}
