// Human explanations of one direction of a decision: who is isolated, by which policies, and
// which rule admitted the connection (or that none did). Pure string building.
import type { PolicyProtocol } from './model.js';
import type { ResolvedEndpoint } from './peers.js';

export interface RuleRefLike {
  readonly policy: string;
  readonly rule: number;
}

export function describeDirection(
  direction: 'ingress' | 'egress',
  subject: ResolvedEndpoint,
  peer: ResolvedEndpoint,
  port: number,
  protocol: PolicyProtocol,
  isolatedBy: readonly string[],
  allowedBy: readonly RuleRefLike[],
): string {
  if (subject.kind !== 'pod') return subject.note;
  const what = `${protocol}/${port} ${direction === 'egress' ? 'to' : 'from'} ${peer.display}`;
  const peerNote =
    peer.kind === 'pod'
      ? ''
      : ` (${peer.kind === 'node' ? 'a node IP, matched only by ipBlock rules' : 'outside the cluster, matched only by ipBlock rules or rules without peers'})`;
  if (isolatedBy.length === 0) {
    return `${subject.display} is not isolated for ${direction}: no NetworkPolicy selects it for ${direction}, so ${what} is allowed`;
  }
  const by = `${subject.display} is isolated for ${direction} by ${isolatedBy.join(', ')}`;
  if (allowedBy.length === 0) {
    return `${by}; no ${direction} rule of these policies admits ${what}${peerNote}`;
  }
  const rules = allowedBy.map((ref) => `${ref.policy} ${direction}[${ref.rule}]`).join(', ');
  return `${by}; ${what} is allowed by ${rules}`;
}
