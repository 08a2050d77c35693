// recommendPolicies: observed edges (+ optionally a cluster snapshot) → per-namespace proposals.
// Only forwarded edges are evidence of legitimate traffic; dropped/audit/error edges are counted
// and reported, never allowed. Pure: the caller streams edges in and passes every option as data.
//
// The stages, in order: observe the edges (workloads, their labels, the window) and choose
// selectors; find the DNS servers; turn each edge into rule evidence (edge-evidence.ts); judge
// each workload's confidence (workload-confidence.ts); fold public ingress; propose each
// namespace (namespace-recommendation.ts); drop what the API server would refuse.
//
// Memory: the forwarded edges are held from the first stage to the per-edge one (the selectors
// must be final first) and released before any namespace is proposed; each namespace's
// accumulators are released once it is proposed, and a caller that writes namespaces as they come
// (`onNamespace`) decides what of each the result keeps.
import type { ClusterSnapshot } from '../policy/model.js';
import { findDnsServers, type DnsServers } from './dns-servers.js';
import { EdgeEvidence, type ManagedScope } from './edge-evidence.js';
import { AcceptableFilter } from './kubernetes-acceptable.js';
import { proposalInputs, recommendNamespace } from './namespace-recommendation.js';
import { EXACT_AGGREGATION, type AggregationOptions } from './peers.js';
import {
  isoTime,
  type NamespaceRecommendation,
  type ObservedEdge,
  type Recommendation,
  type UnsafePath,
} from './proposal.js';
import { DEFAULT_PUBLIC_INGRESS_MIN_CLIENTS, foldPublicIngress } from './public-ingress.js';
import type { ReasonRule } from './reasons.js';
import { Warnings } from './recommend-warnings.js';
import type { SnapshotPods } from './snapshot-workloads.js';
import { assessWorkloads } from './workload-confidence.js';
import { compareText, WorkloadIndex } from './workloads.js';

export interface RecommendOptions {
  /** Only emit policies for this namespace. */
  readonly namespace?: string;
  /** Namespaces never given policies (their traffic still shapes the others'). */
  readonly excludedNamespaces: readonly string[];
  /** Aggregation of external egress destinations (`--ipv4-prefix`/`--ipv6-prefix`). */
  readonly aggregation: AggregationOptions;
  /** Aggregation of external ingress sources (`--ingress-ipv4-prefix`/`--ingress-ipv6-prefix`); exact by default. */
  readonly ingressAggregation?: AggregationOptions;
  /** A workload port reached by this many distinct public addresses is admitted from any address. */
  readonly publicIngressMinClients?: number;
  /** Workloads observed for less than this are flagged as low confidence. */
  readonly minObservedSec: number;
  /** Workloads with fewer connections than this are flagged as low confidence. */
  readonly minConnections: number;
  readonly reasons: readonly ReasonRule[];
}

export const DEFAULT_RECOMMEND_OPTIONS: RecommendOptions = Object.freeze({
  excludedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
  aggregation: EXACT_AGGREGATION,
  minObservedSec: 3600,
  minConnections: 5,
  reasons: [],
});

/** Resolves `cluster`/`unknown` endpoints through the snapshot's pod IPs. */
function normalizeEdge(edge: ObservedEdge, index: WorkloadIndex): ObservedEdge {
  const resolve = (peer: ObservedEdge['source']) =>
    peer.kind === 'cluster' || peer.kind === 'unknown' ? index.resolveIp(peer.ip) : undefined;
  const source = resolve(edge.source);
  const destination = resolve(edge.destination);
  if (source === undefined && destination === undefined) return edge;
  return { ...edge, source: source ?? edge.source, destination: destination ?? edge.destination };
}

/** What a caller recommending many times over one snapshot keeps and passes in (computed from the snapshot alone). */
export interface RecommendPrepared {
  /** The snapshot's pods by workload and their verified selectors (snapshot-workloads.ts). */
  readonly snapshotPods?: SnapshotPods;
}

/**
 * Called with each namespace's final proposal as soon as it is made, in the order of the result;
 * what it returns is what the result keeps of that namespace (a writer may keep less).
 */
export type NamespaceSink = (namespace: NamespaceRecommendation) => NamespaceRecommendation;

export function recommendPolicies(
  edges: Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  options: RecommendOptions = DEFAULT_RECOMMEND_OPTIONS,
  prepared: RecommendPrepared = {},
  onNamespace?: NamespaceSink,
): Recommendation {
  const index = new WorkloadIndex(snapshot, prepared.snapshotPods);
  const observed = observeEdges(edges, index);
  if (snapshot !== undefined) index.addSnapshotWorkloads();
  index.chooseSelectors();
  const window =
    observed.forwarded.length > 0
      ? { firstSeenMs: observed.firstSeenMs, lastSeenMs: observed.lastSeenMs }
      : null;
  const windowAnnotation =
    window === null ? 'nothing observed' : `${isoTime(window.firstSeenMs)}/${isoTime(window.lastSeenMs)}`;

  const warnings = new Warnings();
  const scope = managedScope(options, index);
  // The DNS servers (cluster DNS, NodeLocal DNSCache) as observed: dns-servers.ts.
  const dns = findDnsServers(observed.forwarded, index);
  leaveDnsNamespaceAlone(dns, scope, warnings);

  const evidence = new EdgeEvidence(observed.forwarded, index, scope, dns, options, warnings);
  for (const edge of observed.forwarded) evidence.add(edge);
  const edgesUsed = observed.forwarded.length;
  // Everything later reads the evidence, not the edges: let them go before the proposals are built.
  observed.forwarded.length = 0;
  warnNotForwarded(observed.notForwarded, warnings);

  const confidence = assessWorkloads(index, (namespace) => scope.isManaged(namespace), options, warnings);
  for (const warning of foldPublicIngress(
    evidence.accs.values(),
    snapshot?.services ?? [],
    options.publicIngressMinClients ?? DEFAULT_PUBLIC_INGRESS_MIN_CLIENTS,
  ))
    warnings.add(warning);

  const inputs = proposalInputs(index, evidence, dns, confidence.lowConfidence, windowAnnotation, warnings);
  // Nothing proposed that the API server would refuse (kubernetes-acceptable.ts); a refused
  // namespace's unsafe paths are still reported.
  const acceptable = new AcceptableFilter();
  const namespaces: NamespaceRecommendation[] = [];
  const unsafe: UnsafePath[] = [];
  for (const namespace of [...confidence.namespaces].sort(compareText)) {
    const proposed = recommendNamespace(namespace, inputs);
    for (const path of proposed.unsafe) unsafe.push(path);
    const accepted = acceptable.namespace(proposed);
    if (accepted !== undefined) namespaces.push(onNamespace === undefined ? accepted : onNamespace(accepted));
  }
  return acceptable.finish({
    namespaces,
    workloads: confidence.observations,
    warnings: warnings.list,
    window,
    uncovered: [...evidence.uncovered.values()].sort((a, b) => a.edgeId - b.edgeId),
    unsafe,
    edgesUsed,
    edgesIgnored: observed.ignored,
  });
}

interface ObservedEdges {
  /** Forwarded edges (cluster/unknown ends resolved through the snapshot): the evidence. */
  readonly forwarded: ObservedEdge[];
  /** Edges of other verdicts per `namespace|verdict`: counted and reported, never allowed. */
  readonly notForwarded: Map<string, number>;
  readonly ignored: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/** Streams the edges once: splits off what is not forwarded, and observes both ends' workloads. */
function observeEdges(edges: Iterable<ObservedEdge>, index: WorkloadIndex): ObservedEdges {
  const forwarded: ObservedEdge[] = [];
  const notForwarded = new Map<string, number>();
  let ignored = 0;
  let windowFirst = Number.POSITIVE_INFINITY;
  let windowLast = Number.NEGATIVE_INFINITY;
  for (const raw of edges) {
    const edge = normalizeEdge(raw, index);
    if (edge.verdict !== 'forwarded') {
      ignored++;
      const ns = edge.destination.namespace ?? edge.source.namespace ?? '';
      notForwarded.set(`${ns}|${edge.verdict}`, (notForwarded.get(`${ns}|${edge.verdict}`) ?? 0) + 1);
      continue;
    }
    forwarded.push(edge);
    windowFirst = Math.min(windowFirst, edge.firstSeenMs);
    windowLast = Math.max(windowLast, edge.lastSeenMs);
    // Mid-stream and L7 evidence counts as observation too: a workload seen only that way is
    // neither "never observed" nor left out of the confidence figures.
    const observations = edge.count + (edge.established ?? 0);
    index.observe(
      edge.source,
      edge.sourceLabels,
      edge.sourcePods,
      observations,
      edge.firstSeenMs,
      edge.lastSeenMs,
    );
    index.observe(
      edge.destination,
      edge.destinationLabels,
      edge.destinationPods,
      observations,
      edge.firstSeenMs,
      edge.lastSeenMs,
    );
  }
  return { forwarded, notForwarded, ignored, firstSeenMs: windowFirst, lastSeenMs: windowLast };
}

function managedScope(options: RecommendOptions, index: WorkloadIndex): ManagedScope {
  const excluded = new Set(options.excludedNamespaces);
  const isManaged = (namespace: string | undefined): namespace is string =>
    namespace !== undefined &&
    !excluded.has(namespace) &&
    (options.namespace === undefined || options.namespace === namespace);
  return {
    excluded,
    isManaged,
    managedWorkload: (peer) =>
      peer.kind === 'pod' && isManaged(peer.namespace) && peer.workload !== undefined
        ? index.get(peer.namespace, peer.workload)
        : undefined,
  };
}

/**
 * The cluster DNS serves every pod (TCP 53 too, even when only UDP was seen): its namespace is
 * left alone like kube-system, rather than isolated to the sources seen in the window.
 */
function leaveDnsNamespaceAlone(dns: DnsServers, scope: ManagedScope, warnings: Warnings): void {
  if (scope.excluded.has(dns.namespace)) return;
  scope.excluded.add(dns.namespace);
  warnings.add({
    code: 'dns-namespace',
    namespace: dns.namespace,
    message: `namespace ${dns.namespace} runs the cluster DNS (${dns.source}): no policies are proposed for it, as for kube-system`,
  });
}

function warnNotForwarded(notForwarded: ReadonlyMap<string, number>, warnings: Warnings): void {
  for (const [key, count] of [...notForwarded.entries()].sort((a, b) => compareText(a[0], b[0]))) {
    const [namespace, verdict] = key.split('|') as [string, string];
    warnings.add({
      code: 'not-forwarded',
      ...(namespace !== '' ? { namespace } : {}),
      message: `${count} ${verdict} edge(s) were reported, not allowed: only forwarded traffic is evidence`,
    });
  }
}
