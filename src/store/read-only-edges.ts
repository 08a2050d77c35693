// A read-only view of a flow database for the analysis worker: its own better-sqlite3 connection
// opened read-only (WAL lets it read while the daemon writes), the edges (all, or filtered as the
// store filters them) in id order in bounded pages (no statement stays open between pages) and the store's summary projection.
// Never writes, never migrates: the daemon's store owns the schema. (An EdgeSource of
// src/http/analysis-jobs.ts, structurally.)
import Database from 'better-sqlite3';
import { edgePageParams, edgePageSql, filterShape, type EdgeFilter } from './edge-filter-sql.js';
import type { EdgeRow } from './edge-row.js';
import { EdgeRowInterner } from './edge-row-interner.js';
import type { EdgeQuery, EdgeRecord, EdgeSummary } from './types.js';
import { EdgeSummaryReader } from './views.js';

const PAGE = 500;

export class ReadOnlyEdges {
  private readonly db: Database.Database;
  private readonly pages = new Map<string, Database.Statement>();
  private readonly summaries: EdgeSummaryReader;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      this.db.pragma('busy_timeout = 5000');
      this.summaries = new EdgeSummaryReader(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  *iterateEdges(filter: EdgeFilter = {}): IterableIterator<EdgeRecord> {
    let after = 0;
    // The JSON columns parsed once per distinct text and shared by the records of this read.
    const interner = new EdgeRowInterner();
    for (;;) {
      const rows = this.page(filter, after);
      for (const row of rows) yield interner.record(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < PAGE) return;
      after = last.id;
    }
  }

  /** A page of the edges matching the filter, as the store's own reads select them (edge-filter-sql.ts). */
  private page(filter: EdgeFilter, after: number): EdgeRow[] {
    const shape = filterShape(filter, true);
    let statement = this.pages.get(shape);
    if (statement === undefined) {
      statement = this.db.prepare(edgePageSql(filter, true, '*'));
      this.pages.set(shape, statement);
    }
    return statement.all(edgePageParams(filter, after, PAGE)) as EdgeRow[];
  }

  iterateEdgeSummaries(filter: Omit<EdgeQuery, 'limit' | 'cursor'> = {}): IterableIterator<EdgeSummary> {
    return this.summaries.iterate(filter);
  }

  close(): void {
    this.db.close();
  }
}
