// ingestHubbleLine must accept and reject exactly what parseHubbleLine does, and return the very
// same Flow for every event that starts a connection: it may only skip *building* the events the
// store never reads (replies, mid-stream packets). Checked on real fixture lines, on the same
// lines with fields replaced by arbitrary JSON, and on the demo data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngestResult, ParseResult } from './flow.js';
import { ingestHubbleLine, parseHubbleLine } from './hubble.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const readLines = (file: string): string[] =>
  readFileSync(path.join(repoRoot, file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const fixtureLines = [
  ...readLines('test/fixtures/flows/hubble-observe.jsonl'),
  ...readLines('demo/flows.jsonl').slice(0, 400),
];

function expectSameOutcome(line: string): { full: ParseResult; ingest: IngestResult } {
  const full = parseHubbleLine(line);
  const ingest = ingestHubbleLine(line);
  if (ingest.ok && ingest.flow === null) {
    expect(full.ok).toBe(true);
    expect(full.ok && full.flow.isConnectionStart).toBe(false);
    // The same reason for making no edge as the built flow gives (the ingest summary counts it).
    expect(ingest.noEdge).toBe(full.ok ? full.flow.noEdge : 'unreachable');
    expect(ingest.noEdge).toBeDefined();
  } else {
    expect(ingest).toEqual(full);
  }
  return { full, ingest };
}

/** Fields whose type or value decides acceptance or connection start, inside and around `flow`. */
const FIELD_PATHS: readonly (readonly string[])[] = [
  ['source'],
  ['destination'],
  ['source', 'labels'],
  ['destination', 'labels'],
  ['source', 'identity'],
  ['destination', 'identity'],
  ['source', 'namespace'],
  ['destination', 'pod_name'],
  ['source', 'workloads'],
  ['destination', 'workloads'],
  ['source_names'],
  ['destination_names'],
  ['ingress_allowed_by'],
  ['egress_denied_by'],
  ['is_reply'],
  ['reply'],
  ['Type'],
  ['l4'],
  ['l4', 'TCP', 'flags'],
  ['IP'],
  ['verdict'],
  ['time'],
  ['node_name'],
  ['traffic_direction'],
];

function replaced(line: string, at: readonly string[], value: unknown, listEntry: boolean): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  let target = (event.flow ?? event) as Record<string, unknown>;
  for (const key of at.slice(0, -1)) {
    const next = target[key];
    if (typeof next !== 'object' || next === null) return line;
    target = next as Record<string, unknown>;
  }
  const last = at[at.length - 1] as string;
  const current = target[last];
  // Into a list (labels, workloads, policies): one odd element among the good ones.
  if (listEntry && Array.isArray(current)) target[last] = [...(current as unknown[]), value];
  else target[last] = value;
  return JSON.stringify(event);
}

describe('ingestHubbleLine', () => {
  it('agrees with parseHubbleLine on every fixture and demo line, and skips building the non-starts', () => {
    let skipped = 0;
    let starts = 0;
    for (const line of fixtureLines) {
      const { full, ingest } = expectSameOutcome(line);
      if (ingest.ok && ingest.flow === null) skipped++;
      if (full.ok && full.flow.isConnectionStart) starts++;
    }
    expect(starts).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);
  });

  it('agrees with parseHubbleLine when any deciding field holds arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtureLines),
        fc.constantFrom(...FIELD_PATHS),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constantFrom('', 'k8s:app=x', -1, 2 ** 40, null, [], {}, 'a'.repeat(300)),
        ),
        fc.boolean(),
        (line, at, value, listEntry) => {
          expectSameOutcome(replaced(line, at, value, listEntry));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
