// Read-only projections of the edges table for the API's aggregate views (namespace traffic, the
// service map): only the columns those views use — the peers, protocol/port/verdict, count, times
// and the DNS names — so a pass over every edge neither reads nor JSON-parses the labels, sample
// pods, drop reasons or policy names. Same filters and order (id) as the store's iterateEdges.
import type Database from 'better-sqlite3';
import type { Protocol, Verdict } from '../flows/flow.js';
import { parseStringList, peerFromRow } from './edge-row.js';
import type { EdgeSummary } from './types.js';
import { edgePageParams, edgePageSql, filterShape, type EdgeFilter } from './edge-filter-sql.js';

const COLUMNS = `id, src_kind, src_namespace, src_workload, src_workload_kind, src_ip,
  dst_kind, dst_namespace, dst_workload, dst_workload_kind, dst_ip,
  protocol, port, verdict, count, first_seen_ms, last_seen_ms, src_names, dst_names`;

/** A row in raw (array) mode, the columns in COLUMNS order: no per-row property keys to build. */
type SummaryRow = [
  id: number,
  srcKind: string,
  srcNamespace: string | null,
  srcWorkload: string | null,
  srcWorkloadKind: string | null,
  srcIp: string | null,
  dstKind: string,
  dstNamespace: string | null,
  dstWorkload: string | null,
  dstWorkloadKind: string | null,
  dstIp: string | null,
  protocol: string,
  port: number | null,
  verdict: string,
  count: number,
  firstSeenMs: number,
  lastSeenMs: number,
  srcNames: string,
  dstNames: string,
];

const NO_NAMES: readonly string[] = Object.freeze([]);

function names(text: string): readonly string[] {
  return text === '[]' ? NO_NAMES : parseStringList(text);
}

function summaryFromRow(row: SummaryRow): EdgeSummary {
  return {
    id: row[0],
    source: peerFromRow(row[1], row[2], row[3], row[4], row[5]),
    destination: peerFromRow(row[6], row[7], row[8], row[9], row[10]),
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
    const shape = filterShape(filter, withCursor);
    let statement = this.statements.get(shape);
    if (statement === undefined) {
      statement = this.db.prepare(edgePageSql(filter, withCursor, COLUMNS)).raw(true);
      this.statements.set(shape, statement);
    }
    return statement;
  }

  *iterate(filter: EdgeFilter = {}): IterableIterator<EdgeSummary> {
    let after: number | undefined;
    for (;;) {
      const rows = this.statement(filter, after !== undefined).all(
        edgePageParams(filter, after, SUMMARY_PAGE),
      ) as SummaryRow[];
      for (const row of rows) yield summaryFromRow(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < SUMMARY_PAGE) return;
      after = last[0];
    }
  }
}
