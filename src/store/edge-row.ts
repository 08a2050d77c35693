// The `edges` row as SQLite holds it, and the bounded merge of a batch's EdgeDelta into it.
// Everything in the JSON columns came from flow data (attacker-controlled): every set and map is
// capped with the bounds of src/flows/edge.ts, long strings are dropped, and objects are built
// with Object.fromEntries so a `__proto__` label key stays a plain key.
import { EDGE_NAMES_MAX, EDGE_SAMPLE_PODS_MAX, type EdgeDelta, type EdgePeer } from '../flows/edge.js';
import type { EndpointKind, Protocol, Verdict } from '../flows/flow.js';
import type { EdgeRecord } from './types.js';

/** Labels kept per side (Kubernetes objects rarely carry more than a dozen). */
export const EDGE_LABELS_MAX = 64;
/** Longest label key/value, pod or DNS name kept; longer ones are not real Kubernetes values. */
export const EDGE_STRING_MAX_CHARS = 512;

export interface EdgeRow {
  id: number;
  edge_key: string;
  src_kind: string;
  src_namespace: string | null;
  src_workload: string | null;
  src_workload_kind: string | null;
  src_ip: string | null;
  dst_kind: string;
  dst_namespace: string | null;
  dst_workload: string | null;
  dst_workload_kind: string | null;
  dst_ip: string | null;
  protocol: string;
  port: number | null;
  verdict: string;
  count: number;
  /** Migration 009; absent in rows read from an older schema by a read-only reader. */
  established?: number;
  /** Migration 010; absent likewise. */
  established_observed?: number;
  first_seen_ms: number;
  last_seen_ms: number;
  src_labels: string;
  dst_labels: string;
  src_pods: string;
  dst_pods: string;
  src_names: string;
  dst_names: string;
  drop_reasons: string;
  denied_by: string;
  allowed_by: string;
}

function fits(value: unknown): value is string {
  return typeof value === 'string' && value.length <= EDGE_STRING_MAX_CHARS;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function parseStringList(text: string): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter(fits) : [];
}

export function parseStringMap(text: string): Record<string, string> {
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => fits(entry[0]) && fits(entry[1])),
  );
}

export function parseCountMap(text: string): Record<string, number> {
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, number] => fits(entry[0]) && Number.isSafeInteger(entry[1]),
    ),
  );
}

/** Union of a stored list and new values, first come first kept, at most `max`. */
export function mergeList(stored: string | undefined, added: ReadonlySet<string>, max: number): string {
  if (added.size === 0) return stored ?? '[]';
  const out = new Set(stored === undefined ? [] : parseStringList(stored));
  for (const value of added) {
    if (out.size >= max) break;
    if (fits(value)) out.add(value);
  }
  return JSON.stringify([...out].slice(0, max));
}

// Parsers hand out the same frozen label object for every flow of one identity (hubble.ts caches
// them): remember its JSON so the store does not stringify it again per edge and batch. Only
// frozen objects are memoized (their own data properties cannot change); weak, so unbounded
// growth is impossible.
const labelsJson = new WeakMap<object, string>();

/** boundLabels, memoized for frozen label objects. */
export function labelsColumn(labels: Readonly<Record<string, string>>): string {
  if (!Object.isFrozen(labels)) return boundLabels(labels);
  let json = labelsJson.get(labels);
  if (json === undefined) {
    json = boundLabels(labels);
    labelsJson.set(labels, json);
  }
  return json;
}

export function boundLabels(labels: Readonly<Record<string, string>>): string {
  const entries: [string, string][] = [];
  let n = 0;
  let plain = true;
  for (const key in labels) {
    if (++n > EDGE_LABELS_MAX || !fits(key) || !fits(labels[key])) {
      plain = false;
      break;
    }
  }
  // The parsers already bound labels; the common case is a plain, small object.
  if (plain && Object.getPrototypeOf(labels) === Object.prototype) return JSON.stringify(labels);
  for (const [key, value] of Object.entries(labels)) {
    if (entries.length >= EDGE_LABELS_MAX) break;
    if (fits(key) && fits(value)) entries.push([key, value]);
  }
  return JSON.stringify(Object.fromEntries(entries));
}

export function mergeCounts(
  stored: string | undefined,
  added: ReadonlyMap<string, number>,
  maxKeys: number,
): string {
  if (added.size === 0) return stored ?? '{}';
  const out = new Map(Object.entries(stored === undefined ? {} : parseCountMap(stored)));
  for (const [key, count] of added) {
    const existing = out.get(key);
    if (existing !== undefined) out.set(key, existing + count);
    else if (out.size < maxKeys && fits(key)) out.set(key, count);
  }
  return JSON.stringify(Object.fromEntries(out));
}

/** The JSON detail columns of an edge row. */
export interface EdgeDetail {
  src_labels: string;
  dst_labels: string;
  src_pods: string;
  dst_pods: string;
  src_names: string;
  dst_names: string;
  drop_reasons: string;
  denied_by: string;
  allowed_by: string;
}

/** The JSON detail columns, in the one order the store's INSERT and UPDATE list and bind them. */
export const EDGE_DETAIL_COLUMNS = [
  'src_labels',
  'dst_labels',
  'src_pods',
  'dst_pods',
  'src_names',
  'dst_names',
  'drop_reasons',
  'denied_by',
  'allowed_by',
] as const satisfies readonly (keyof EdgeDetail)[];

/** The detail's values in EDGE_DETAIL_COLUMNS order (positional statement parameters). */
export function detailValues(detail: EdgeDetail): string[] {
  return EDGE_DETAIL_COLUMNS.map((column) => detail[column]);
}

/** The JSON columns of a delta merged into an existing row (or a new row when `row` is undefined). */
export function mergedDetail(
  delta: EdgeDelta,
  row: Pick<EdgeRow, 'last_seen_ms' | keyof EdgeDetail> | undefined,
): EdgeDetail {
  const newer = row === undefined || delta.lastSeenMs >= row.last_seen_ms;
  return {
    src_labels: newer ? labelsColumn(delta.sourceLabels) : row.src_labels,
    dst_labels: newer ? labelsColumn(delta.destinationLabels) : row.dst_labels,
    src_pods: mergeList(row?.src_pods, delta.sourcePods, EDGE_SAMPLE_PODS_MAX),
    dst_pods: mergeList(row?.dst_pods, delta.destinationPods, EDGE_SAMPLE_PODS_MAX),
    src_names: mergeList(row?.src_names, delta.sourceNames, EDGE_NAMES_MAX),
    dst_names: mergeList(row?.dst_names, delta.destinationNames, EDGE_NAMES_MAX),
    drop_reasons: mergeCounts(row?.drop_reasons, delta.dropReasons, EDGE_NAMES_MAX),
    denied_by: mergeList(row?.denied_by, delta.deniedBy, EDGE_NAMES_MAX),
    allowed_by: mergeList(row?.allowed_by, delta.allowedBy, EDGE_NAMES_MAX),
  };
}

export function peerFromRow(
  kind: string,
  namespace: string | null,
  workload: string | null,
  workloadKind: string | null,
  ip: string | null,
): EdgePeer {
  return {
    kind: kind as EndpointKind,
    ...(namespace !== null ? { namespace } : {}),
    ...(workload !== null ? { workload } : {}),
    ...(workloadKind !== null ? { workloadKind } : {}),
    ...(ip !== null ? { ip } : {}),
  };
}

/** How recordFromRow parses the JSON columns and peers (edge-row-interner.ts shares them between rows). */
export interface ColumnParsers {
  readonly map: (text: string) => Record<string, string>;
  readonly list: (text: string) => string[];
  readonly counts: (text: string) => Record<string, number>;
  readonly peer: typeof peerFromRow;
}

const PLAIN_PARSERS: ColumnParsers = {
  map: parseStringMap,
  list: parseStringList,
  counts: parseCountMap,
  peer: peerFromRow,
};

export function recordFromRow(
  row: Omit<EdgeRow, 'edge_key'>,
  parsers: ColumnParsers = PLAIN_PARSERS,
): EdgeRecord {
  const { map, list, counts, peer } = parsers;
  return {
    id: row.id,
    source: peer(row.src_kind, row.src_namespace, row.src_workload, row.src_workload_kind, row.src_ip),
    destination: peer(row.dst_kind, row.dst_namespace, row.dst_workload, row.dst_workload_kind, row.dst_ip),
    protocol: row.protocol as Protocol,
    port: row.port,
    verdict: row.verdict as Verdict,
    count: row.count,
    established: row.established ?? 0,
    establishedObserved: row.established_observed ?? 0,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    sourceLabels: map(row.src_labels),
    destinationLabels: map(row.dst_labels),
    sourcePods: list(row.src_pods),
    destinationPods: list(row.dst_pods),
    sourceNames: list(row.src_names),
    destinationNames: list(row.dst_names),
    dropReasons: counts(row.drop_reasons),
    deniedBy: list(row.denied_by),
    allowedBy: list(row.allowed_by),
  };
}

/** True when merging changed none of the JSON columns of the stored row. */
export function sameDetail(row: Pick<EdgeRow, keyof EdgeDetail>, detail: EdgeDetail): boolean {
  return EDGE_DETAIL_COLUMNS.every((column) => row[column] === detail[column]);
}
