// A read-only view of a flow database for the analysis worker: its own better-sqlite3 connection
// opened read-only (WAL lets it read while the daemon writes), the full edges in id order in
// bounded pages (no statement stays open between pages) and the store's summary projection.
// Never writes, never migrates: the daemon's store owns the schema. (An EdgeSource of
// src/http/analysis-jobs.ts, structurally.)
import Database from 'better-sqlite3';
import type { EdgeRow } from './edge-row.js';
import { EdgeRowInterner } from './edge-row-interner.js';
import type { EdgeQuery, EdgeRecord, EdgeSummary } from './types.js';
import { EdgeSummaryReader } from './views.js';

const PAGE = 500;

export class ReadOnlyEdges {
  private readonly db: Database.Database;
  private readonly page: Database.Statement<[number, number], EdgeRow>;
  private readonly summaries: EdgeSummaryReader;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      this.db.pragma('busy_timeout = 5000');
      this.page = this.db.prepare<[number, number], EdgeRow>(
        'SELECT * FROM edges WHERE id > ? ORDER BY id LIMIT ?',
      );
      this.summaries = new EdgeSummaryReader(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  *iterateEdges(): IterableIterator<EdgeRecord> {
    let after = 0;
    // The JSON columns parsed once per distinct text and shared by the records of this read.
    const interner = new EdgeRowInterner();
    for (;;) {
      const rows = this.page.all(after, PAGE);
      for (const row of rows) yield interner.record(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < PAGE) return;
      after = last.id;
    }
  }

  iterateEdgeSummaries(filter: Omit<EdgeQuery, 'limit' | 'cursor'> = {}): IterableIterator<EdgeSummary> {
    return this.summaries.iterate(filter);
  }

  close(): void {
    this.db.close();
  }
}
