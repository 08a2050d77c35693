// Rows of the edges table read as records with their JSON columns shared: edges of the same
// workloads carry the same labels, sample pods and names, and a whole-store read (the analysis
// worker's 100,000 edges) otherwise holds a separate parsed copy of each per edge — most of the
// worker's heap. The parsed values are the same as recordFromRow's (the types are readonly, so a
// shared object is never written). Bounded: past maxEntries distinct texts per column kind, new
// texts are parsed without being kept.
import type { EdgeRecord } from './types.js';
import {
  parseCountMap,
  parseStringList,
  parseStringMap,
  peerFromRow,
  recordFromRow,
  type EdgeRow,
} from './edge-row.js';

export const DEFAULT_INTERNED_MAX = 50_000;

class Interned<T> {
  private readonly values = new Map<string, T>();

  constructor(
    private readonly parse: (text: string) => T,
    private readonly maxEntries: number,
  ) {}

  get(text: string): T {
    let value = this.values.get(text);
    if (value === undefined) {
      value = this.parse(text);
      if (this.values.size < this.maxEntries) this.values.set(text, value);
    }
    return value;
  }
}

/** One per read of the store: the shared values live as long as the records do. */
export class EdgeRowInterner {
  private readonly maps: Interned<Record<string, string>>;
  private readonly lists: Interned<string[]>;
  private readonly counts: Interned<Record<string, number>>;
  private readonly peers: Interned<EdgeRecord['source']>;

  constructor(maxEntries = DEFAULT_INTERNED_MAX) {
    this.maps = new Interned(parseStringMap, maxEntries);
    this.lists = new Interned(parseStringList, maxEntries);
    this.counts = new Interned(parseCountMap, maxEntries);
    this.peers = new Interned((text) => {
      const [kind, namespace, workload, workloadKind, ip] = JSON.parse(text) as (string | null)[];
      return peerFromRow(kind ?? '', namespace ?? null, workload ?? null, workloadKind ?? null, ip ?? null);
    }, maxEntries);
  }

  record(row: Omit<EdgeRow, 'edge_key'>): EdgeRecord {
    return recordFromRow(row, {
      map: (text) => this.maps.get(text),
      list: (text) => this.lists.get(text),
      counts: (text) => this.counts.get(text),
      peer: (kind, namespace, workload, workloadKind, ip) =>
        this.peers.get(JSON.stringify([kind, namespace, workload, workloadKind, ip])),
    });
  }
}
