// Test helpers for the store suites: temp directories with real SQLite files, and flows built
// through the real aggregation (aggregateFlows) so deltas have the shape production gives them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aggregateFlows, type EdgeDelta } from '../../src/flows/edge.js';
import { NO_POLICIES, type Endpoint, type Flow } from '../../src/flows/flow.js';

export function tempDir(prefix = 'netpol-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function pod(
  namespace: string,
  workload: string,
  podName = `${workload}-7d9f8b6c5d-x2x4z`,
  labels: Record<string, string> = { app: workload },
): Endpoint {
  return {
    kind: 'pod',
    namespace,
    pod: podName,
    workload: { kind: 'Deployment', name: workload },
    labels,
    names: [],
    ip: '10.0.0.1',
  };
}

export function world(ip: string, names: string[] = []): Endpoint {
  return { kind: 'world', ip, labels: {}, names };
}

export function flow(source: Endpoint, destination: Endpoint, overrides: Partial<Flow> = {}): Flow {
  return {
    timeMs: 1_700_000_000_000,
    source,
    destination,
    protocol: 'TCP',
    destinationPort: 8080,
    direction: 'egress',
    verdict: 'forwarded',
    isPolicyDrop: false,
    policies: NO_POLICIES,
    isReply: false,
    isConnectionStart: true,
    ...overrides,
  };
}

export function deltas(...flows: Flow[]): EdgeDelta[] {
  return [...aggregateFlows(flows).values()];
}
