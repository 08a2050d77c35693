// Builds normalized Flow events for the drops tests and ingests them through the real
// aggregation and the real SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aggregateFlows } from '../../src/flows/edge.js';
import { NO_POLICIES, type Endpoint, type Flow, type Protocol, type Verdict } from '../../src/flows/flow.js';
import { openStore } from '../../src/store/store.js';
import type { EdgeRecord } from '../../src/store/types.js';

export const T0 = Date.parse('2026-03-01T10:00:00Z');
export const MIN = 60_000;

export function pod(
  namespace: string,
  workload: string,
  labels: Record<string, string> = { app: workload },
  index = 1,
): Endpoint {
  return {
    kind: 'pod',
    namespace,
    pod: `${workload}-abc12-${index}`,
    workload: { kind: 'Deployment', name: workload },
    labels,
    names: [],
    ip: `10.0.${workload.length}.${index}`,
  };
}

export function world(ip: string): Endpoint {
  return { kind: 'world', ip, labels: {}, names: [] };
}

export interface FlowSpec {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: Protocol;
  verdict: Verdict;
  timeMs: number;
  dropReason?: string;
  deniedBy?: string[];
}

export function flow(spec: FlowSpec): Flow {
  const policyDrop =
    spec.verdict === 'dropped' && (spec.dropReason === undefined || spec.dropReason.startsWith('POLICY'));
  return {
    timeMs: spec.timeMs,
    source: spec.from,
    destination: spec.to,
    protocol: spec.protocol ?? 'TCP',
    sourcePort: 40000,
    destinationPort: spec.port,
    direction: 'egress',
    verdict: spec.verdict,
    ...(spec.dropReason !== undefined ? { dropReason: spec.dropReason } : {}),
    isPolicyDrop: policyDrop,
    policies: spec.deniedBy !== undefined ? { ...NO_POLICIES, ingressDeniedBy: spec.deniedBy } : NO_POLICIES,
    isReply: false,
    isConnectionStart: true,
  };
}

/** `n` flows of the same path, one per `stepMs` from `startMs`. */
export function repeat(n: number, startMs: number, stepMs: number, spec: Omit<FlowSpec, 'timeMs'>): Flow[] {
  return Array.from({ length: n }, (_, i) => flow({ ...spec, timeMs: startMs + i * stepMs }));
}

/** Writes the flows through aggregateFlows into a real store file and reads every edge back. */
export function ingest(flows: readonly Flow[]): EdgeRecord[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'drops-'));
  try {
    const store = openStore(path.join(dir, 'test.db'));
    try {
      // Two batches: the store merges deltas of the same edge across batches.
      const half = Math.floor(flows.length / 2);
      for (const part of [flows.slice(0, half), flows.slice(half)]) {
        store.writeBatch({
          deltas: aggregateFlows(part).values(),
          accepted: part.length,
          rejectedByReason: {},
        });
      }
      return [...store.iterateEdges()];
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
