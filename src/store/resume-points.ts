// Live sources' resume points in the `source_resume` table (migration 004), written inside the
// batch transaction of the edges they cover. A point never moves back: a batch whose newest event
// is older than the stored point leaves it; one at the same time adds its fingerprints to the
// stored boundary (bounded, newest kept), so flows at the boundary time committed by different
// batches are all recognised when the resume re-sends them.
import type Database from 'better-sqlite3';
import type { ResumePoint } from './types.js';

/** Fingerprints kept per boundary; more flows at one timestamp than this is not a real stream. */
export const MAX_BOUNDARY_KEYS = 10_000;

interface ResumeRow {
  seconds: number;
  nanos: number;
  boundary: string;
}

function parseBoundary(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export class ResumePoints {
  // Prepared on first use: a store built at an older schema (tests of the upgrade path) has no table.
  private selectStatement: Database.Statement<[string], ResumeRow> | undefined;
  private upsertStatement: Database.Statement | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  private get select(): Database.Statement<[string], ResumeRow> {
    this.selectStatement ??= this.db.prepare<[string], ResumeRow>(
      'SELECT seconds, nanos, boundary FROM source_resume WHERE source_key = ?',
    );
    return this.selectStatement;
  }

  private get upsert(): Database.Statement {
    this.upsertStatement ??= this.db
      .prepare(`INSERT INTO source_resume (source_key, seconds, nanos, boundary, updated_ms) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (source_key) DO UPDATE SET seconds = excluded.seconds, nanos = excluded.nanos, boundary = excluded.boundary, updated_ms = excluded.updated_ms`);
    return this.upsertStatement;
  }

  get(sourceKey: string): ResumePoint | undefined {
    const row = this.select.get(sourceKey);
    return row === undefined
      ? undefined
      : { sourceKey, seconds: row.seconds, nanos: row.nanos, boundary: parseBoundary(row.boundary) };
  }

  /** Inside the batch transaction. */
  merge(point: ResumePoint): void {
    const stored = this.get(point.sourceKey);
    let boundary = [...new Set(point.boundary)];
    if (stored !== undefined) {
      const order = stored.seconds - point.seconds || stored.nanos - point.nanos;
      if (order > 0) return;
      if (order === 0) boundary = [...new Set([...stored.boundary, ...boundary])];
    }
    this.upsert.run(
      point.sourceKey,
      point.seconds,
      point.nanos,
      JSON.stringify(boundary.slice(-MAX_BOUNDARY_KEYS)),
      this.now(),
    );
  }
}
