// Exposure: how many (pod pair, port) combinations a policy set leaves reachable. Pods of one
// workload share labels, so each workload is evaluated once through one representative and its
// pod count weights the result; with a snapshot the pods are the snapshot's, without it each
// workload seen in the edges counts as one pod.
//
// Workloads the engine cannot tell apart (PolicyEngine.equivalenceKey: the same isolating
// policies, matched by the same rule peers, the same container ports) get the same verdict
// against every other end, so they are one class; ports no rule tells apart (portEquivalenceKey)
// likewise. Each pair of classes is evaluated once per port class and weighted by the pods on both
// sides and the ports of the class. The count is the workload-by-workload one (pairs inside one
// workload are not counted, as before), at classes² × port classes evaluations instead of
// workloads² × ports: a namespace's proposal in a cluster of thousands of workloads touches a few
// hundred classes. Bounded: past `maxEvaluations` engine evaluations it is not computed.
import type { PolicyEngine, QueryEndpoint } from '../policy/engine.js';
import type { PolicyProtocol } from '../policy/model.js';
import type { PortEvidence } from './proposal.js';

export interface ExposureSubject {
  readonly key: string;
  readonly endpoint: QueryEndpoint;
  readonly pods: number;
}

export interface ExposureCount {
  readonly reachable: number;
  readonly total: number;
}

interface SubjectClass {
  readonly endpoint: QueryEndpoint;
  /** Pods of the class, and the sum of each member workload's pods squared (its own pairs). */
  pods: number;
  podsSquared: number;
}

/**
 * The subjects grouped by the engine's equivalence key (one class per subject without one);
 * undefined as soon as there are more than `maxClasses` (each key reads every rule peer, so a
 * scope that cannot fit stops early).
 */
export function exposureClasses(
  engine: PolicyEngine,
  subjects: readonly ExposureSubject[],
  maxClasses = Number.POSITIVE_INFINITY,
): SubjectClass[] | undefined {
  const byKey = new Map<string, SubjectClass>();
  const classes: SubjectClass[] = [];
  for (const subject of subjects) {
    const key = engine.equivalenceKey?.(subject.endpoint);
    const known = key === undefined ? undefined : byKey.get(key);
    if (known !== undefined) {
      known.pods += subject.pods;
      known.podsSquared += subject.pods * subject.pods;
      continue;
    }
    const created = {
      endpoint: subject.endpoint,
      pods: subject.pods,
      podsSquared: subject.pods * subject.pods,
    };
    if (classes.length >= maxClasses) return undefined;
    classes.push(created);
    if (key !== undefined) byKey.set(key, created);
  }
  return classes;
}

interface PortClass {
  readonly port: PortEvidence;
  /** Ports of the class. */
  count: number;
}

/** The ports grouped by the engine's port key (one class per port without one). */
function portClasses(engine: PolicyEngine, ports: readonly PortEvidence[]): PortClass[] {
  const byKey = new Map<string, PortClass>();
  const classes: PortClass[] = [];
  for (const port of ports) {
    const key = engine.portEquivalenceKey?.(port.protocol as PolicyProtocol, port.port);
    const known = key === undefined ? undefined : byKey.get(key);
    if (known !== undefined) {
      known.count++;
      continue;
    }
    const created = { port, count: 1 };
    classes.push(created);
    if (key !== undefined) byKey.set(key, created);
  }
  return classes;
}

export function countExposure(
  engine: PolicyEngine,
  subjects: readonly ExposureSubject[],
  ports: readonly PortEvidence[],
  maxEvaluations: number,
): ExposureCount | undefined {
  const portGroups = portClasses(engine, ports);
  if (portGroups.length === 0) return { reachable: 0, total: 0 };
  const classes = exposureClasses(
    engine,
    subjects,
    Math.floor(Math.sqrt(maxEvaluations / portGroups.length)),
  );
  if (classes === undefined) return undefined;
  let reachable = 0;
  let total = 0;
  for (const from of classes) {
    for (const to of classes) {
      // Pairs of pods of two different workloads: inside one class, all but each workload's own.
      const pairs = from === to ? from.pods * from.pods - from.podsSquared : from.pods * to.pods;
      if (pairs === 0) continue;
      for (const { port, count } of portGroups) {
        total += pairs * count;
        const protocol = port.protocol as PolicyProtocol;
        if (engine.isAllowed({ from: from.endpoint, to: to.endpoint, port: port.port, protocol }))
          reachable += pairs * count;
      }
    }
  }
  return { reachable, total };
}
