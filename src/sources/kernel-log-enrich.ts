// Kernel LOG lines (Calico `Log` rule) carry only addresses. This resolves each address through
// the live inventory's IP → pod index at the flow's own time (a reused IP resolves to the pod that
// had it then) and turns the endpoint into a pod endpoint with namespace, labels and workload.
// Addresses nobody held stay as they were (kind `cluster`/`unknown`), never guessed.
import type { Endpoint, Flow, ParseResult } from '../flows/flow.js';
import type { PodInfo } from '../policy/model.js';

export type PodAt = (ip: string, timeMs: number) => PodInfo | undefined;

function enrichEndpoint(ep: Endpoint, timeMs: number, podAt: PodAt): Endpoint {
  if (ep.ip === undefined || ep.kind === 'pod') return ep;
  const pod = podAt(ep.ip, timeMs);
  if (pod === undefined) return ep;
  return {
    ...ep,
    kind: 'pod',
    namespace: pod.namespace,
    pod: pod.name,
    workload: pod.workload,
    labels: pod.labels,
  };
}

export function enrichFlow(flow: Flow, podAt: PodAt): Flow {
  const source = enrichEndpoint(flow.source, flow.timeMs, podAt);
  const destination = enrichEndpoint(flow.destination, flow.timeMs, podAt);
  return source === flow.source && destination === flow.destination ? flow : { ...flow, source, destination };
}

export function enrichResult(result: ParseResult, podAt: PodAt): ParseResult {
  return result.ok ? { ok: true, flow: enrichFlow(result.flow, podAt) } : result;
}
