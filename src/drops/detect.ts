// Detection: which dropped edges are policy drops. Hubble reports the drop reason (133
// POLICY_DENIED default deny, 181 POLICY_DENY explicit deny, 189 AUTH_REQUIRED — formats.md
// §1.3; older agents give the number); Calico flow logs / Goldmane (`action: deny`) and Calico
// Log-rule lines carry no datapath reason at all, because Calico only drops by policy, so a
// dropped edge with no reason recorded, or with denied-by policy names, is a policy drop too.
// Every other reason (conntrack, routing, …) is a datapath drop: counted, never classified.
import type { Flow } from '../flows/flow.js';
import { peerKey } from '../flows/edge.js';
import type { BlockedPath, ObservedEdge } from './types.js';

const POLICY_REASONS = new Set([
  'POLICY_DENIED',
  'POLICY_DENY',
  'AUTH_REQUIRED',
  '133',
  '181',
  '189',
  'DENY',
  'DENIED',
]);

export function isPolicyDropReason(reason: string): boolean {
  const upper = reason.trim().toUpperCase();
  return POLICY_REASONS.has(upper) || upper.startsWith('POLICY_DENIED') || upper.startsWith('POLICY_DENY');
}

/** For per-flow events (the live stream): a dropped flow caused by network policy. */
export function isPolicyDropFlow(flow: Flow): boolean {
  if (flow.verdict !== 'dropped') return false;
  if (flow.isPolicyDrop) return true;
  if (flow.dropReason !== undefined) return isPolicyDropReason(flow.dropReason);
  return flow.policies.ingressDeniedBy.length > 0 || flow.policies.egressDeniedBy.length > 0;
}

/** The key of a path regardless of verdict: a dropped edge and a forwarded edge of it share it. */
export function pathKeyOf(edge: Pick<ObservedEdge, 'source' | 'destination' | 'protocol' | 'port'>): string {
  return `${peerKey(edge.source)}>${peerKey(edge.destination)}|${edge.protocol}|${edge.port ?? '-'}`;
}

export function policyDropCount(edge: ObservedEdge): { policy: number; other: number } {
  let policy = 0;
  let other = 0;
  for (const [reason, count] of Object.entries(edge.dropReasons)) {
    if (!Number.isFinite(count) || count <= 0) continue;
    if (isPolicyDropReason(reason)) policy += count;
    else other += count;
  }
  return { policy, other };
}

export function isPolicyDropEdge(edge: ObservedEdge): boolean {
  if (edge.verdict !== 'dropped') return false;
  const { policy, other } = policyDropCount(edge);
  if (policy > 0) return true;
  if (edge.deniedBy.length > 0) return true;
  return other === 0; // no reason at all: a Calico deny
}

const MAX_REASONS = 100;

export interface NonPolicyDrops {
  /** Dropped edges whose every drop had a datapath (non-policy) reason. */
  readonly edges: number;
  readonly connections: number;
  readonly byReason: Readonly<Record<string, number>>;
}

export interface Detection {
  readonly blocked: BlockedPath[];
  readonly nonPolicy: NonPolicyDrops;
}

export function blockedPathOf(edge: ObservedEdge): BlockedPath {
  return {
    pathKey: pathKeyOf(edge),
    source: edge.source,
    destination: edge.destination,
    protocol: edge.protocol,
    port: edge.port,
    count: edge.count,
    firstSeenMs: edge.firstSeenMs,
    lastSeenMs: edge.lastSeenMs,
    sourceLabels: edge.sourceLabels,
    destinationLabels: edge.destinationLabels,
    sourcePods: edge.sourcePods,
    destinationPods: edge.destinationPods,
    destinationNames: edge.destinationNames,
    dropReasons: edge.dropReasons,
    deniedBy: edge.deniedBy,
  };
}

/** Splits the dropped edges into blocked (policy) paths and counted datapath drops. */
export function detectBlockedPaths(edges: Iterable<ObservedEdge>): Detection {
  const blocked: BlockedPath[] = [];
  let nonPolicyEdges = 0;
  let nonPolicyConnections = 0;
  // Reason names come from flow data: a null-prototype map, and a bound on distinct names.
  const byReason = Object.create(null) as Record<string, number>;
  let reasons = 0;
  for (const edge of edges) {
    if (edge.verdict !== 'dropped') continue;
    if (isPolicyDropEdge(edge)) {
      blocked.push(blockedPathOf(edge));
      continue;
    }
    nonPolicyEdges += 1;
    nonPolicyConnections += edge.count;
    for (const [reason, count] of Object.entries(edge.dropReasons)) {
      if (isPolicyDropReason(reason) || !Number.isFinite(count)) continue;
      if (byReason[reason] === undefined) {
        if (reasons >= MAX_REASONS) continue;
        reasons += 1;
      }
      byReason[reason] = (byReason[reason] ?? 0) + count;
    }
  }
  return { blocked, nonPolicy: { edges: nonPolicyEdges, connections: nonPolicyConnections, byReason } };
}
