// Read-only projections of the edges table for the API's aggregate views (namespace traffic, the
// service map): only the columns those views use — the peers, protocol/port/verdict, count, times
// and the DNS names — so a pass over every edge neither reads nor JSON-parses the labels, sample
// pods, drop reasons or policy names. Same filters and order (id) as the store's iterateEdges.
import type Database from 'better-sqlite3';
import type { EndpointKind, Protocol, Verdict } from '../flows/flow.js';
import type { EdgePeer } from '../flows/edge.js';
import { parseStringList } from './edge-row.js';
import type { EdgeQuery, EdgeSummary } from './types.js';

type EdgeFilter = Omit<EdgeQuery, 'limit' | 'cursor'>;

const COLUMNS = `id, src_kind, src_namespace, src_workload, src_workload_kind, src_ip,
  dst_kind, dst_namespace, dst_workload, dst_workload_kind, dst_ip,
  protocol, port, verdict, count, first_seen_ms, last_seen_ms, src_names, dst_names`;

/** A row in raw (array) mode, the columns in COLUMNS order: no per-row property keys to build. */
type SummaryRow = [
  id: number,
  srcKind: string, srcNamespace: string | null, srcWorkload: string | null, srcWorkloadKind: string | null, srcIp: string | null,
  dstKind: string, dstNamespace: string | null, dstWorkload: string | null, dstWorkloadKind: string | null, dstIp: string | null,
  protocol: string, port: number | null, verdict: string, count: number, firstSeenMs: number, lastSeenMs: number,
  srcNames: string, dstNames: string,
];

const NO_NAMES: readonly string[] = Object.freeze([]);

function names(text: string): readonly string[] {
  return text === '[]' ? NO_NAMES : parseStringList(text);
}

function peer(kind: string, namespace: string | null, workload: string | null, workloadKind: string | null, ip: string | null): EdgePeer {
  return {
    kind: kind as EndpointKind,
    ...(namespace !== null ? { namespace } : {}),
    ...(workload !== null ? { workload } : {}),
    ...(workloadKind !== null ? { workloadKind } : {}),
    ...(ip !== null ? { ip } : {}),
  };
}

function summaryFromRow(row: SummaryRow): EdgeSummary {
  return {
    id: row[0],
    source: peer(row[1], row[2], row[3], row[4], row[5]),
    destination: peer(row[6], row[7], row[8], row[9], row[10]),
    protocol: row[11] as Protocol,
    port: row[12],
    verdict: row[13] as Verdict,
    count: row[14],
    firstSeenMs: row[15],
    lastSeenMs: row[16],
    sourceNames: names(row[17]),
    destinationNames: names(row[18]),
  };
}

/** Rows per internal page: no read statement stays open between pages (writes may interleave). */
const SUMMARY_PAGE = 2000;

/** The summary statements of one database, one per filter shape. */
export class EdgeSummaryReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private statement(filter: EdgeFilter, withCursor: boolean): Database.Statement {
    const shape = `${filter.namespace !== undefined}|${filter.verdict !== undefined}|${filter.sinceMs !== undefined}|${withCursor}`;
    let statement = this.statements.get(shape);
    if (statement === undefined) {
      const where: string[] = [];
      if (filter.verdict !== undefined) where.push('verdict = @verdict');
      if (filter.sinceMs !== undefined) where.push('last_seen_ms >= @sinceMs');
      if (withCursor) where.push('id > @after');
      const select = (conditions: readonly string[], index?: string): string =>
        `SELECT ${COLUMNS} FROM edges${index !== undefined ? ` INDEXED BY ${index}` : ''} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id LIMIT @limit`;
      // As the store's list statement: the two (namespace, id) index ranges merged by id.
      statement = this.db.prepare(filter.namespace === undefined
        ? select(where)
        : `SELECT * FROM (${select(['src_namespace = @namespace', ...where], 'edges_src_namespace')})
           UNION ALL SELECT * FROM (${select(['dst_namespace = @namespace', 'src_namespace IS NOT @namespace', ...where], 'edges_dst_namespace')})
           ORDER BY id LIMIT @limit`).raw(true);
      this.statements.set(shape, statement);
    }
    return statement;
  }

  *iterate(filter: EdgeFilter = {}): IterableIterator<EdgeSummary> {
    let after: number | undefined;
    for (;;) {
      const params: Record<string, string | number> = { limit: SUMMARY_PAGE };
      if (filter.namespace !== undefined) params['namespace'] = filter.namespace;
      if (filter.verdict !== undefined) params['verdict'] = filter.verdict;
      if (filter.sinceMs !== undefined) params['sinceMs'] = filter.sinceMs;
      if (after !== undefined) params['after'] = after;
      const rows = this.statement(filter, after !== undefined).all(params) as SummaryRow[];
      for (const row of rows) yield summaryFromRow(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < SUMMARY_PAGE) return;
      after = last[0];
    }
  }
}
