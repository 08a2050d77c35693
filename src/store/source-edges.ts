// The edges sent by given sources, of any age, in id order: the evidence the alert path needs to
// classify those sources' blocked paths (src/alerts/alert-reports.ts). The filter runs in SQL —
// a pod source through the (src_namespace, id) index, an address by a scan inside SQLite — so
// the rows of other sources are never turned into records, then the exact peer is matched.
import type Database from 'better-sqlite3';
import { peerKey, type EdgePeer } from '../flows/edge.js';
import { recordFromRow, type EdgeRow } from './edge-row.js';
import type { EdgeRecord } from './types.js';

/** Parameters per statement, well below SQLite's limit. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export function readEdgesFromSources(db: Database.Database, sources: readonly EdgePeer[]): EdgeRecord[] {
  const wanted = new Set(sources.map(peerKey));
  const namespaces = new Set<string>();
  const ips = new Set<string>();
  const kinds = new Set<string>();
  for (const s of sources) {
    if (s.namespace !== undefined) namespaces.add(s.namespace);
    else if (s.ip !== undefined) ips.add(s.ip);
    else kinds.add(s.kind);
  }
  const byId = new Map<number, EdgeRecord>();
  const take = (sql: string, params: readonly string[]): void => {
    for (const row of db.prepare(sql).iterate(...params) as IterableIterator<EdgeRow>) {
      const record = recordFromRow(row);
      if (wanted.has(peerKey(record.source))) byId.set(record.id, record);
    }
  };
  const marks = (n: number): string => Array.from({ length: n }, () => '?').join(',');
  for (const part of chunks([...namespaces]))
    take(
      `SELECT * FROM edges INDEXED BY edges_src_namespace WHERE src_namespace IN (${marks(part.length)})`,
      part,
    );
  for (const part of chunks([...ips]))
    take(`SELECT * FROM edges WHERE src_ip IN (${marks(part.length)}) AND src_namespace IS NULL`, part);
  for (const part of chunks([...kinds]))
    take(
      `SELECT * FROM edges WHERE src_kind IN (${marks(part.length)}) AND src_namespace IS NULL AND src_ip IS NULL`,
      part,
    );
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
