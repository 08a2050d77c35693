// Feeds flow lines through the real ingest path: the format's parser, aggregateFlows, and a real
// SQLite store file.
import { aggregateFlows } from '../../src/flows/edge.js';
import type { Flow, RejectReason } from '../../src/flows/flow.js';
import { parserFor, type FlowFormat } from '../../src/flows/parsers.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';

export function ingestLines(store: FlowStore, format: FlowFormat, lines: readonly string[]): { accepted: number; rejected: number } {
  const parse = parserFor(format);
  const flows: Flow[] = [];
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  for (const line of lines) {
    const result = parse(line);
    if (result.ok) flows.push(result.flow);
    else rejectedByReason[result.reason] = (rejectedByReason[result.reason] ?? 0) + 1;
  }
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason });
  return { accepted: flows.length, rejected: lines.length - flows.length };
}

export function openTestStore(file: string): FlowStore {
  return openStore(file);
}
