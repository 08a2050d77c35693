// The paged reads select named columns in raw mode (edge-row-pages.ts): every record must be what
// recordFromRow makes of the whole row (`SELECT *`), including a schema without the 009/010 columns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordFromRow, type EdgeRow } from '../../src/store/edge-row.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir, world } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('netpol-pages-')));
afterEach(() => cleanup());

const flows = [
  flow(pod('shop', 'web'), pod('shop', 'api', 'api-1', { app: 'api', tier: 'b' }), { timeMs: 5000 }),
  flow(pod('shop', 'api'), world('203.0.113.9', ['db.example.com']), { timeMs: 6000, verdict: 'dropped' }),
  flow(pod('pay', 'worker'), pod('shop', 'api'), { timeMs: 7000, destinationPort: 9090 }),
];

function wholeRows(file: string): EdgeRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM edges ORDER BY id').all() as EdgeRow[];
  } finally {
    db.close();
  }
}

describe('paged edge reads', () => {
  it.each([undefined, 8])('read every column as SELECT * does (schema %s)', (targetVersion) => {
    const file = path.join(dir, 'pages.db');
    const store = openStore(file, targetVersion === undefined ? {} : { targetVersion });
    store.writeBatch({ deltas: deltas(...flows), accepted: flows.length, rejectedByReason: {} });
    const expected = wholeRows(file).map((row) => recordFromRow(row));
    expect(expected).toHaveLength(3);
    expect([...store.iterateEdges()]).toEqual(expected);
    expect(store.listEdges({ limit: 2 }).items).toEqual(expected.slice(0, 2));
    expect([...store.iterateEdges({ namespace: 'pay' })]).toEqual(
      expected.filter((e) => e.source.namespace === 'pay'),
    );
    store.close();
  });
});
