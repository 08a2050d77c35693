// Builds a doctor scenario from real parts: the cluster fixture plus one scenario's policies
// through the real loader, flows through the real aggregation into a real SQLite store.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDoctorCluster } from '../../src/cli/doctor.js';
import { applyPolicies } from '../../src/doctor/context.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import type { ClusterExtras, Finding } from '../../src/doctor/types.js';
import type { Flow } from '../../src/flows/flow.js';
import type { ClusterSnapshot, NetworkPolicy } from '../../src/policy/model.js';
import {
  diffReachability,
  type PortProtocol,
  type ReachabilityChange,
} from '../../src/policy/reachability.js';
import type { EdgeRecord } from '../../src/store/types.js';
import { ingest } from '../drops/flow-builder.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/doctor');

export interface Scenario {
  readonly snapshot: ClusterSnapshot;
  readonly extras: ClusterExtras;
  readonly edges: EdgeRecord[];
  readonly findings: Finding[];
}

export async function scenario(
  policyFile: string | undefined,
  flows: readonly Flow[],
  namespace?: string,
): Promise<Scenario> {
  const files = [
    path.join(FIXTURES, 'cluster.json'),
    ...(policyFile !== undefined ? [path.join(FIXTURES, policyFile)] : []),
  ];
  const { snapshot, extras } = await loadDoctorCluster(files);
  const edges = ingest(flows);
  const findings = runDoctor({ edges, snapshot, extras, ...(namespace !== undefined ? { namespace } : {}) });
  return { snapshot, extras, edges, findings };
}

export function fixObjects(finding: Finding): readonly NetworkPolicy[] {
  if (typeof finding.fix === 'string')
    throw new Error(`finding ${finding.kind} has a text fix: ${finding.fix}`);
  return finding.fix;
}

export const PORTS: readonly PortProtocol[] = [
  { port: 80, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
  { port: 9000, protocol: 'TCP' },
  { port: 9090, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
  { port: 12345, protocol: 'TCP' },
];

/** Every (pod pair, port) whose verdict changes when the fix is applied (kubectl apply semantics). */
export function changesOf(
  snapshot: ClusterSnapshot,
  fix: readonly NetworkPolicy[],
  removed: readonly string[] = [],
): ReachabilityChange[] {
  const before = snapshot.policies;
  const after = applyPolicies(before, fix).filter(
    (p) => !removed.includes(`${p.metadata.namespace}/${p.metadata.name}`),
  );
  return diffReachability(snapshot, before, after, PORTS);
}

export function summarize(changes: readonly ReachabilityChange[]): string[] {
  return changes
    .map((c) => `${c.from} -> ${c.to} ${c.protocol}/${c.port}: ${c.before.verdict} -> ${c.after.verdict}`)
    .sort();
}
