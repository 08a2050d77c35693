// Row ↔ model translation for the shadow-mode tables (migrations/008_staged_sets.sql). The JSON
// columns hold data that came from the cluster: parsed defensively, never trusted for shape.
import type { EdgePeer } from '../flows/edge.js';
import {
  isStagedFlavor,
  type StagedObject,
  type StagedSet,
  type StagedStatus,
  type WouldDropDecider,
  type WouldDropPath,
} from '../staged/staged-set.js';

export interface SetRow {
  id: number;
  namespace: string;
  flavor: string;
  origin: string;
  policies: string;
  status: string;
  staged_ms: number;
  staged_by: string;
  ended_ms: number | null;
  ended_by: string | null;
  superseded_by: number | null;
  connections: number;
  unevaluated: number;
  last_would_drop_ms: number | null;
}

export interface WouldDropRow {
  id: number;
  set_id: number;
  path_key: string;
  source: string;
  destination: string;
  protocol: string;
  port: number | null;
  connections: number;
  first_seen_ms: number;
  last_seen_ms: number;
  src_pods: string;
  dst_pods: string;
  decider: string;
}

function parsed<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function setFromRow(row: SetRow): StagedSet {
  return {
    id: row.id,
    namespace: row.namespace,
    // Rows before the other flavours could be staged all say `k8s`.
    flavor: isStagedFlavor(row.flavor) ? row.flavor : 'k8s',
    origin: row.origin === 'given' ? 'given' : 'recommendation',
    policies: parsed<StagedObject[]>(row.policies, []),
    status: row.status as StagedStatus,
    stagedAtMs: row.staged_ms,
    stagedBy: row.staged_by,
    ...(row.ended_ms !== null ? { endedAtMs: row.ended_ms } : {}),
    ...(row.ended_by !== null ? { endedBy: row.ended_by } : {}),
    ...(row.superseded_by !== null ? { supersededBy: row.superseded_by } : {}),
  };
}

export function wouldDropFromRow(row: WouldDropRow): WouldDropPath {
  return {
    setId: row.set_id,
    pathKey: row.path_key,
    source: parsed<EdgePeer>(row.source, { kind: 'unknown' }),
    destination: parsed<EdgePeer>(row.destination, { kind: 'unknown' }),
    protocol: row.protocol,
    port: row.port,
    connections: row.connections,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    sourcePods: parsed<string[]>(row.src_pods, []),
    destinationPods: parsed<string[]>(row.dst_pods, []),
    decider: parsed<WouldDropDecider>(row.decider, {
      direction: 'ingress',
      policies: [],
      rule: null,
      reason: '',
    }),
  };
}
