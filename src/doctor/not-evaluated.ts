// The observed paths the engine would not decide (NotEvaluatedError: a Cilium host policy and a
// host address no Node of the snapshot has …). The doctor's findings leave them out; the CLI lists
// them after the report, as it lists the policy objects it ignored, so that silence is never read
// as "nothing wrong here". Only snapshots with Cilium host policies can produce them.
import { peerText } from '../flows/peer-text.js';
import type { DoctorEdge } from './types.js';
import { isPolicyProtocol, PeerPods, queryEndpointOf } from '../drops/explain.js';
import { compilePolicies } from '../policy/engine.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { NotEvaluatedError } from '../policy/policy-family.js';

export interface NotEvaluatedPath {
  readonly path: string;
  readonly reason: string;
}

/** At most this many are listed (the reasons carry attacker-controlled names). */
const MAX_LISTED = 20;

export function notEvaluatedPaths(
  snapshot: ClusterSnapshot,
  edges: Iterable<DoctorEdge>,
): { readonly count: number; readonly listed: readonly NotEvaluatedPath[] } {
  const cni = snapshot.cni;
  const hostPolicies =
    cni !== undefined &&
    (cni.cilium.some((p) => p.nodeSelector !== undefined) ||
      cni.ignored.some((o) => o.appliesTo.kind === 'cilium-nodes'));
  if (!hostPolicies) return { count: 0, listed: [] };
  const engine = compilePolicies(snapshot);
  const pods = new PeerPods(snapshot.pods);
  const listed: NotEvaluatedPath[] = [];
  let count = 0;
  for (const edge of edges) {
    if (edge.port === null || !isPolicyProtocol(edge.protocol)) continue;
    const from = queryEndpointOf(snapshot, edge.source, edge.sourceLabels, edge.sourcePods, pods);
    const to = queryEndpointOf(
      snapshot,
      edge.destination,
      edge.destinationLabels,
      edge.destinationPods,
      pods,
    );
    if (typeof from === 'string' || typeof to === 'string') continue;
    try {
      engine.isAllowed({ from, to, port: edge.port, protocol: edge.protocol });
    } catch (error) {
      if (!(error instanceof NotEvaluatedError)) continue;
      count++;
      if (listed.length < MAX_LISTED)
        listed.push({
          path: `${peerText(edge.source)} -> ${peerText(edge.destination)} ${edge.protocol}/${edge.port} (${edge.verdict})`,
          reason: error.message,
        });
    }
  }
  return { count, listed };
}
