// Exposure: how many (pod pair, port) combinations a policy set leaves reachable. Pods of one
// workload share labels, so each workload is evaluated once through one representative and its
// pod count weights the result; with a snapshot the pods are the snapshot's, without it each
// workload seen in the edges counts as one pod. Bounded: past `maxEvaluations` it is not computed.
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

export function countExposure(
  engine: PolicyEngine,
  subjects: readonly ExposureSubject[],
  ports: readonly PortEvidence[],
  maxEvaluations: number,
): ExposureCount | undefined {
  const evaluations = subjects.length * subjects.length * ports.length;
  if (evaluations > maxEvaluations) return undefined;
  let reachable = 0;
  let total = 0;
  for (const from of subjects) {
    for (const to of subjects) {
      if (from === to) continue;
      const pairs = from.pods * to.pods;
      for (const port of ports) {
        total += pairs;
        const protocol = port.protocol as PolicyProtocol;
        if (
          engine.evaluate({ from: from.endpoint, to: to.endpoint, port: port.port, protocol }).verdict ===
          'allow'
        )
          reachable += pairs;
      }
    }
  }
  return { reachable, total };
}
