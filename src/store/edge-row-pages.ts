// Pages of the edges table as EdgeRow objects, read in better-sqlite3's raw mode (one array per
// row) and shaped in JS. The native side building an object per row with every column as a named
// property was two-thirds of a whole-store read (95,000 rows: 0.8 CPU-s per pass, 0.27 raw); a
// literal of one fixed shape costs little. edge_key is not read: no record carries it.
import type Database from 'better-sqlite3';
import type { EdgeRow } from './edge-row.js';

/** A row as the reads select it: every column but the key. */
export type ReadEdgeRow = Omit<EdgeRow, 'edge_key'>;

/** The migrations' evidence counters; a schema without them (before 009/010) reads 0, as records default. */
const OPTIONAL_COLUMNS = ['established', 'established_observed'] as const;

/** The SELECT list, in the order rowOf reads: the optional columns last, 0 where the schema lacks them. */
export function edgeReadColumns(present: ReadonlySet<string>): string {
  const optional = OPTIONAL_COLUMNS.map((column) => (present.has(column) ? column : `0 AS ${column}`));
  return `id, src_kind, src_namespace, src_workload, src_workload_kind, src_ip,
    dst_kind, dst_namespace, dst_workload, dst_workload_kind, dst_ip, protocol, port, verdict, count,
    first_seen_ms, last_seen_ms, src_labels, dst_labels, src_pods, dst_pods, src_names, dst_names,
    drop_reasons, denied_by, allowed_by, ${optional.join(', ')}`;
}

function rowOf(v: unknown[]): ReadEdgeRow {
  return {
    id: v[0] as number,
    src_kind: v[1] as string,
    src_namespace: v[2] as string | null,
    src_workload: v[3] as string | null,
    src_workload_kind: v[4] as string | null,
    src_ip: v[5] as string | null,
    dst_kind: v[6] as string,
    dst_namespace: v[7] as string | null,
    dst_workload: v[8] as string | null,
    dst_workload_kind: v[9] as string | null,
    dst_ip: v[10] as string | null,
    protocol: v[11] as string,
    port: v[12] as number | null,
    verdict: v[13] as string,
    count: v[14] as number,
    first_seen_ms: v[15] as number,
    last_seen_ms: v[16] as number,
    src_labels: v[17] as string,
    dst_labels: v[18] as string,
    src_pods: v[19] as string,
    dst_pods: v[20] as string,
    src_names: v[21] as string,
    dst_names: v[22] as string,
    drop_reasons: v[23] as string,
    denied_by: v[24] as string,
    allowed_by: v[25] as string,
    established: v[26] as number,
    established_observed: v[27] as number,
  };
}

/** Runs a raw-mode statement selecting edgeReadColumns and shapes its rows. */
export function readEdgeRows(statement: Database.Statement, params: Record<string, unknown>): ReadEdgeRow[] {
  const rows = statement.raw(true).all(params) as unknown[][];
  const out = new Array<ReadEdgeRow>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rowOf(rows[i] as unknown[]);
  return out;
}
