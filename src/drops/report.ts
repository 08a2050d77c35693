// The `drops` report: detection → classification → explanation → fix (→ impact), shaped as the
// contract's `drops --json` items (and `GET /api/v1/drops`). Pure: the caller hands in the edges,
// the optional snapshot and the time.
import type { EdgePeer } from '../flows/edge.js';
import { compilePolicies, type PolicyEngine } from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { DEFAULT_CLASSIFY_OPTIONS, classifyPaths, type ClassifyOptions } from './classify.js';
import { detectBlockedPaths, type NonPolicyDrops } from './detect.js';
import type { ClusterDecider } from '../policy/policy-family.js';
import { adminDeniesOf, deniedByOf, explainPath, PeerPods, type Explanation } from './explain.js';
import { fixImpact, type FixImpact } from './fix-impact.js';
import { fixForPath, type PolicyPatch } from './fix.js';
import {
  ALERTING_CLASSIFICATIONS,
  type BlockedPath,
  type Classification,
  type ObservedEdge,
} from './types.js';

export type PeerJson =
  | { readonly namespace: string; readonly workload: string | null; readonly kind: string }
  | {
      readonly kind: string;
      readonly ip: string | null;
      readonly names: readonly string[];
      readonly entity?: { readonly kind: string; readonly name: string; readonly namespace?: string };
    };

export interface DropReport {
  readonly key: string;
  readonly source: PeerJson;
  readonly destination: PeerJson;
  readonly port: number | null;
  readonly protocol: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly classification: Classification;
  readonly evidence: readonly string[];
  readonly deniedBy: readonly string[];
  /** Set when an Admin-tier cluster policy's Deny decided the drop (namespace-scoped fixes cannot help). */
  readonly adminTierDeny?: readonly ClusterDecider[];
  readonly fix: readonly NetworkPolicy[];
  readonly fixPatches: readonly PolicyPatch[];
  readonly fixWarnings: readonly string[];
  readonly fixImpact?: FixImpact;
  readonly explanation?: Explanation;
  readonly dropReasons: Readonly<Record<string, number>>;
  /** Whether this class alerts by default. */
  readonly alerting: boolean;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

export interface DropsOptions {
  /** Only paths dropping at or after this time. */
  readonly sinceMs?: number;
  /** Only paths with this namespace on either side. */
  readonly namespace?: string;
  readonly snapshot?: ClusterSnapshot;
  readonly classify?: Partial<ClassifyOptions>;
  /** Compute each fix's reachability diff (default true when a snapshot is given). */
  readonly impact?: boolean;
  readonly maxImpactEvaluations?: number;
  /**
   * Compute the impact of at most this many fixes (the first reports, newest first); the rest
   * carry none. Each impact compiles the policy engine with the fix added (about 40 ms at 15,000
   * pods), so 1,800 blocked paths cost over two minutes; the API bounds it. Default: every fix.
   */
  readonly maxImpactPaths?: number;
  /** The snapshot's compiled engine and pod index, when the caller already has them (same snapshot). */
  readonly compiled?: { readonly engine: PolicyEngine; readonly pods: PeerPods };
}

export interface DropsResult {
  readonly items: DropReport[];
  readonly nonPolicy: NonPolicyDrops;
}

export function peerJson(peer: EdgePeer, names: readonly string[] = []): PeerJson {
  if (peer.kind === 'pod' && peer.namespace !== undefined) {
    return { namespace: peer.namespace, workload: peer.workload ?? null, kind: peer.workloadKind ?? 'Pod' };
  }
  if (peer.workload === undefined) return { kind: peer.kind, ip: peer.ip ?? null, names };
  // A Calico-named peer (NetworkSet, pub/pvt network, host endpoint), as in flows --json.
  const entity = {
    kind: peer.workloadKind ?? 'unknown',
    name: peer.workload,
    ...(peer.namespace !== undefined ? { namespace: peer.namespace } : {}),
  };
  return { kind: peer.kind, ip: peer.ip ?? null, names, entity };
}

/** Cluster DNS Service addresses in a snapshot (kube-system kube-dns / coredns). */
export function dnsAddressesOf(snapshot: ClusterSnapshot | undefined): string[] {
  if (snapshot === undefined) return [];
  return snapshot.services
    .filter((s) => s.namespace === 'kube-system' && (s.name === 'kube-dns' || s.name === 'coredns'))
    .flatMap((s) => s.clusterIPs);
}

function inScope(path: BlockedPath, options: DropsOptions): boolean {
  if (options.sinceMs !== undefined && path.lastSeenMs < options.sinceMs) return false;
  if (
    options.namespace !== undefined &&
    path.source.namespace !== options.namespace &&
    path.destination.namespace !== options.namespace
  )
    return false;
  return true;
}

export function buildDropReports(edges: Iterable<ObservedEdge>, options: DropsOptions = {}): DropsResult {
  const all = [...edges];
  const detection = detectBlockedPaths(all);
  const classifyOptions: ClassifyOptions = {
    ...DEFAULT_CLASSIFY_OPTIONS,
    ...options.classify,
    dnsAddresses: [...(options.classify?.dnsAddresses ?? []), ...dnsAddressesOf(options.snapshot)],
  };
  // Classify over every blocked path (a scan is judged on all of a source's drops), report the scoped ones.
  const classified = classifyPaths(detection.blocked, all, classifyOptions).filter((c) =>
    inScope(c.path, options),
  );
  const snapshot = options.snapshot;
  const engine = snapshot !== undefined ? (options.compiled?.engine ?? compilePolicies(snapshot)) : undefined;
  const pods = snapshot !== undefined ? (options.compiled?.pods ?? new PeerPods(snapshot.pods)) : undefined;
  let impactBudget = options.maxImpactPaths ?? Number.POSITIVE_INFINITY;
  // In report order (newest first), so a bounded impact goes to the paths listed first.
  classified.sort(
    (a, b) => b.path.lastSeenMs - a.path.lastSeenMs || a.path.pathKey.localeCompare(b.path.pathKey),
  );
  const items = classified.map(({ path, classification, evidence }): DropReport => {
    let explanation: Explanation | undefined;
    let fix: NetworkPolicy[] = [];
    let fixPatches: PolicyPatch[] = [];
    let fixWarnings: string[] = [
      'no cluster snapshot or inventory: the dropping side and the fix cannot be derived',
    ];
    let impact: FixImpact | undefined;
    if (snapshot !== undefined && engine !== undefined) {
      explanation = explainPath(engine, path, pods);
      const derived = fixForPath(snapshot, path, explanation);
      fix = derived.policies;
      fixPatches = derived.patches;
      fixWarnings = derived.warnings;
      if (fix.length > 0 && options.impact !== false && impactBudget > 0) {
        impactBudget--;
        impact = fixImpact(snapshot, path, fix, {
          before: engine,
          ...(options.maxImpactEvaluations !== undefined
            ? { maxEvaluations: options.maxImpactEvaluations }
            : {}),
        });
      }
    }
    const adminDenies = adminDeniesOf(explanation);
    return {
      key: path.pathKey,
      source: peerJson(path.source),
      destination: peerJson(path.destination, path.destinationNames),
      port: path.port,
      protocol: path.protocol,
      count: path.count,
      firstSeen: new Date(path.firstSeenMs).toISOString(),
      lastSeen: new Date(path.lastSeenMs).toISOString(),
      classification,
      evidence:
        adminDenies.length > 0
          ? [
              ...adminDenies.map(
                (d) =>
                  `denied by the Admin tier: ${d.kind} ${d.name} ${d.direction}[${d.ruleIndex}] (${d.action}); a NetworkPolicy cannot override it`,
              ),
              ...evidence,
            ]
          : evidence,
      deniedBy: deniedByOf(path, explanation),
      ...(adminDenies.length > 0 ? { adminTierDeny: adminDenies } : {}),
      fix,
      fixPatches,
      fixWarnings,
      ...(impact !== undefined ? { fixImpact: impact } : {}),
      ...(explanation !== undefined ? { explanation } : {}),
      dropReasons: path.dropReasons,
      alerting: ALERTING_CLASSIFICATIONS.includes(classification),
      firstSeenMs: path.firstSeenMs,
      lastSeenMs: path.lastSeenMs,
    };
  });
  items.sort((a, b) => b.lastSeenMs - a.lastSeenMs || a.key.localeCompare(b.key));
  return { items, nonPolicy: detection.nonPolicy };
}
