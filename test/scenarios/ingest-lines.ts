// Feeds flow lines through the real ingest path: the format's ingest parser (the one `ingest` and
// the file source use), aggregateFlows, and a real SQLite store file.
import { aggregateFlows } from '../../src/flows/edge.js';
import type { Flow, RejectReason } from '../../src/flows/flow.js';
import { ingestParserFor, type FlowFormat } from '../../src/flows/parsers.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';

export function ingestLines(
  store: FlowStore,
  format: FlowFormat,
  lines: readonly string[],
): { accepted: number; rejected: number } {
  const parse = ingestParserFor(format);
  const flows: Flow[] = [];
  let accepted = 0;
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  for (const line of lines) {
    const result = parse(line);
    if (!result.ok) rejectedByReason[result.reason] = (rejectedByReason[result.reason] ?? 0) + 1;
    else {
      accepted++;
      if (result.flow !== null) flows.push(result.flow);
    }
  }
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted, rejectedByReason });
  return { accepted, rejected: lines.length - accepted };
}

export function openTestStore(file: string): FlowStore {
  return openStore(file);
}
