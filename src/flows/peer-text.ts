// One way to write an edge's side as text in command output and messages: `namespace/workload`
// for pods, `kind:ip` for addresses, and `kind:EntityKind [namespace/]name` for the peers Calico
// names instead of addressing (flows/calico-entity.ts). Callers strip control characters where
// the text reaches a terminal.
import type { EdgePeer } from './edge.js';

export function peerText(peer: EdgePeer): string {
  if (peer.kind === 'pod') return `${peer.namespace ?? '?'}/${peer.workload ?? '?'}`;
  if (peer.workload !== undefined && peer.ip === undefined) {
    return `${peer.kind}:${peer.workloadKind ?? '?'} ${peer.namespace !== undefined ? `${peer.namespace}/` : ''}${peer.workload}`;
  }
  return `${peer.kind}:${peer.ip ?? '?'}`;
}
