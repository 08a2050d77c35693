// recommendPolicies: observed edges (+ optionally a cluster snapshot) → per-namespace proposals.
// Only forwarded edges are evidence of legitimate traffic; dropped/audit/error edges are counted
// and reported, never allowed. Pure: the caller streams edges in and passes every option as data.
import type { Labels } from '../policy/model.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { connectivityTests } from './connectivity-tests.js';
import { defaultDenyPolicy, DNS_NAMESPACE, dnsPolicy, FALLBACK_DNS_LABELS, type DnsEvidence } from './namespace-policies.js';
import { EXACT_AGGREGATION, resolvePeer, type AggregationOptions, type PeerResolution } from './peers.js';
import { isoTime, type NamespaceRecommendation, type ObservedEdge, type ProposedPolicy, type Recommendation, type UncoveredEdge, type Warning, type WorkloadObservation } from './proposal.js';
import { reasonsFor, type PathEnd, type ReasonRule } from './reasons.js';
import { addObservation, addSmallest, workloadPolicy, type WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, WorkloadIndex, type WorkloadInfo } from './workloads.js';

export interface RecommendOptions {
  /** Only emit policies for this namespace. */
  readonly namespace?: string;
  /** Namespaces never given policies (their traffic still shapes the others'). */
  readonly excludedNamespaces: readonly string[];
  readonly aggregation: AggregationOptions;
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

const MAX_WARNINGS_PER_CODE = 200;

function isDnsPort(edge: ObservedEdge): boolean {
  return edge.port === 53 && (edge.protocol === 'UDP' || edge.protocol === 'TCP');
}

function endOf(peer: ObservedEdge['source']): PathEnd {
  if (peer.kind === 'pod' && peer.namespace !== undefined && peer.workload !== undefined) return { namespace: peer.namespace, workload: peer.workload };
  return { ip: peer.ip ?? '' };
}

class Warnings {
  readonly list: Warning[] = [];
  private readonly seen = new Set<string>();
  private readonly perCode = new Map<string, number>();
  add(warning: Warning): void {
    const key = `${warning.code}|${warning.namespace ?? ''}|${warning.subject ?? ''}|${warning.message}`;
    if (this.seen.has(key)) return;
    const count = this.perCode.get(warning.code) ?? 0;
    if (count >= MAX_WARNINGS_PER_CODE) return;
    this.perCode.set(warning.code, count + 1);
    this.seen.add(key);
    this.list.push(warning);
  }
}

/** Resolves `cluster`/`unknown` endpoints through the snapshot's pod IPs. */
function normalizeEdge(edge: ObservedEdge, index: WorkloadIndex): ObservedEdge {
  const resolve = (peer: ObservedEdge['source']) => (peer.kind === 'cluster' || peer.kind === 'unknown' ? index.resolveIp(peer.ip) : undefined);
  const source = resolve(edge.source);
  const destination = resolve(edge.destination);
  if (source === undefined && destination === undefined) return edge;
  return { ...edge, source: source ?? edge.source, destination: destination ?? edge.destination };
}

export function recommendPolicies(edges: Iterable<ObservedEdge>, snapshot: ClusterSnapshot | undefined, options: RecommendOptions = DEFAULT_RECOMMEND_OPTIONS): Recommendation {
  const index = new WorkloadIndex(snapshot);
  const warnings = new Warnings();
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
    index.observe(edge.source, edge.sourceLabels, edge.sourcePods, edge.count, edge.firstSeenMs, edge.lastSeenMs);
    index.observe(edge.destination, edge.destinationLabels, edge.destinationPods, edge.count, edge.firstSeenMs, edge.lastSeenMs);
  }
  if (snapshot !== undefined) index.addSnapshotWorkloads();
  index.chooseSelectors();
  const window = forwarded.length > 0 ? { firstSeenMs: windowFirst, lastSeenMs: windowLast } : null;
  const windowAnnotation = window === null ? 'nothing observed' : `${isoTime(window.firstSeenMs)}/${isoTime(window.lastSeenMs)}`;

  const excluded = new Set(options.excludedNamespaces);
  const isManaged = (namespace: string | undefined): namespace is string =>
    namespace !== undefined && !excluded.has(namespace) && (options.namespace === undefined || options.namespace === namespace);
  const managedWorkload = (peer: ObservedEdge['source']): WorkloadInfo | undefined =>
    peer.kind === 'pod' && isManaged(peer.namespace) && peer.workload !== undefined ? index.get(peer.namespace, peer.workload) : undefined;

  // The DNS pods: the busiest kube-system workload answering on port 53, else the snapshot's kube-dns.
  const dnsCounts = new Map<string, number>();
  for (const edge of forwarded) {
    if (isDnsPort(edge) && edge.destination.kind === 'pod' && edge.destination.namespace === DNS_NAMESPACE && edge.destination.workload !== undefined) {
      const key = `${DNS_NAMESPACE}/${edge.destination.workload}`;
      dnsCounts.set(key, (dnsCounts.get(key) ?? 0) + edge.count);
    }
  }
  const dnsKey = [...dnsCounts.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))[0]?.[0];
  const dnsWorkload = dnsKey === undefined ? undefined : index.byKey.get(dnsKey);
  const snapshotDns = index.podsIn(DNS_NAMESPACE).some((pod) => pod.labels['k8s-app'] === 'kube-dns');
  let dnsLabels: Labels = FALLBACK_DNS_LABELS;
  let dnsSource = snapshotDns ? 'k8s-app=kube-dns, from the snapshot' : 'k8s-app=kube-dns, the conventional label (not observed)';
  if (dnsWorkload !== undefined && Object.keys(dnsWorkload.selector.matchLabels).length > 0) {
    dnsLabels = dnsWorkload.selector.matchLabels;
    dnsSource = `${Object.entries(dnsLabels).map(([k, v]) => `${k}=${v}`).join(',')}, as observed`;
  }
  const isDnsEdge = (edge: ObservedEdge): boolean =>
    isDnsPort(edge) && edge.destination.kind === 'pod' && edge.destination.namespace === DNS_NAMESPACE
    && (edge.destination.workload === dnsWorkload?.name || Object.entries(dnsLabels).every(([k, v]) => edge.destinationLabels[k] === v));

  const accs = new Map<string, WorkloadPolicyAcc>();
  const accOf = (workload: WorkloadInfo): WorkloadPolicyAcc => {
    let acc = accs.get(workload.key);
    if (acc === undefined) accs.set(workload.key, (acc = { workload, ingress: new Map(), egress: new Map() }));
    return acc;
  };
  const dnsEvidence = new Map<string, DnsEvidence>();
  const uncovered = new Map<number, UncoveredEdge>();
  const markUncovered = (edge: ObservedEdge, namespace: string, resolution: Extract<PeerResolution, { ok: false }>, subject: string): void => {
    if (!uncovered.has(edge.id)) uncovered.set(edge.id, { edgeId: edge.id, code: resolution.code, reason: resolution.reason });
    warnings.add({ code: resolution.code, namespace, subject, message: resolution.reason });
  };

  // Per workload and per address, the selected-side problem and the peer resolution are the same
  // for every edge: computed once (selectors are final by now), not per edge.
  const selfProblems = new Map<WorkloadInfo, ReturnType<typeof selfProblem>>();
  const selfProblemOf = (workload: WorkloadInfo): ReturnType<typeof selfProblem> => {
    if (selfProblems.has(workload)) return selfProblems.get(workload);
    const problem = selfProblem(workload, index);
    selfProblems.set(workload, problem);
    return problem;
  };
  const workloadResolutions = new Map<WorkloadInfo, PeerResolution>();
  const addressResolutions = new Map<string, PeerResolution>();
  const resolve = (peer: ObservedEdge['source']): PeerResolution => {
    if (peer.kind === 'pod') {
      const workload = peer.namespace !== undefined && peer.workload !== undefined ? index.get(peer.namespace, peer.workload) : undefined;
      if (workload === undefined) return resolvePeer(peer, index, options.aggregation);
      let resolution = workloadResolutions.get(workload);
      if (resolution === undefined) workloadResolutions.set(workload, (resolution = resolvePeer(peer, index, options.aggregation)));
      return resolution;
    }
    if (peer.ip === undefined) return resolvePeer(peer, index, options.aggregation);
    const key = `${peer.kind} ${peer.ip}`;
    let resolution = addressResolutions.get(key);
    if (resolution === undefined) addressResolutions.set(key, (resolution = resolvePeer(peer, index, options.aggregation)));
    return resolution;
  };
  const noReasons = options.reasons.length === 0;

  for (const edge of forwarded) {
    const srcWorkload = managedWorkload(edge.source);
    const dstWorkload = managedWorkload(edge.destination);
    if (srcWorkload === undefined && dstWorkload === undefined) continue;
    const namespace = srcWorkload?.namespace ?? dstWorkload?.namespace ?? '';
    if (edge.port === null) {
      markUncovered(edge, namespace, { ok: false, code: 'icmp', reason: `${edge.protocol} cannot be expressed in a NetworkPolicy; isolated pods lose it on most CNIs` }, describeSubject(edge));
      continue;
    }
    if (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP') {
      markUncovered(edge, namespace, { ok: false, code: 'no-port', reason: `protocol ${edge.protocol} cannot be expressed` }, describeSubject(edge));
      continue;
    }
    const reasons = noReasons ? NO_REASONS : reasonsFor(options.reasons, endOf(edge.source), endOf(edge.destination), edge.protocol, edge.port);

    if (srcWorkload !== undefined) {
      const self = selfProblemOf(srcWorkload);
      if (self !== undefined) markUncovered(edge, srcWorkload.namespace, self, srcWorkload.key);
      else if (isDnsEdge(edge)) {
        let evidence = dnsEvidence.get(srcWorkload.namespace);
        if (evidence === undefined) dnsEvidence.set(srcWorkload.namespace, (evidence = { connections: 0, firstSeenMs: edge.firstSeenMs, lastSeenMs: edge.lastSeenMs, samplePods: new Set() }));
        evidence.connections += edge.count;
        evidence.firstSeenMs = Math.min(evidence.firstSeenMs, edge.firstSeenMs);
        evidence.lastSeenMs = Math.max(evidence.lastSeenMs, edge.lastSeenMs);
        for (const pod of edge.sourcePods) addSmallest(evidence.samplePods, pod, 5);
      } else {
        const resolution = resolve(edge.destination);
        if (!resolution.ok) markUncovered(edge, srcWorkload.namespace, resolution, describeSubject(edge));
        else for (const target of resolution.targets) {
          addObservation(accOf(srcWorkload).egress, target, edge.protocol, edge.port, edge.count, edge.firstSeenMs, edge.lastSeenMs, edge.destinationPods, edge.destinationNames, reasons);
          if (target.type === 'cidr' && target.peerClass !== 'external') warnings.add(specialWarning(target.peerClass, srcWorkload.namespace, describeSubject(edge)));
        }
      }
    }
    if (dstWorkload !== undefined) {
      const self = selfProblemOf(dstWorkload);
      if (self !== undefined) markUncovered(edge, dstWorkload.namespace, self, dstWorkload.key);
      else {
        const resolution = resolve(edge.source);
        if (!resolution.ok) markUncovered(edge, dstWorkload.namespace, resolution, describeSubject(edge));
        else for (const target of resolution.targets) {
          addObservation(accOf(dstWorkload).ingress, target, edge.protocol, edge.port, edge.count, edge.firstSeenMs, edge.lastSeenMs, edge.sourcePods, edge.sourceNames, reasons);
          if (target.type === 'cidr' && target.peerClass !== 'external') warnings.add(specialWarning(target.peerClass, dstWorkload.namespace, describeSubject(edge)));
        }
      }
    }
  }

  for (const [key, count] of [...notForwarded.entries()].sort((a, b) => compareText(a[0], b[0]))) {
    const [namespace, verdict] = key.split('|') as [string, string];
    warnings.add({ code: 'not-forwarded', ...(namespace !== '' ? { namespace } : {}), message: `${count} ${verdict} edge(s) were reported, not allowed: only forwarded traffic is evidence` });
  }

  // Confidence per managed workload, and the namespaces that get policies.
  const observations: WorkloadObservation[] = [];
  const lowConfidence = new Set<string>();
  const namespaces = new Set<string>();
  for (const workload of [...index.byKey.values()].sort((a, b) => compareText(a.key, b.key))) {
    if (!isManaged(workload.namespace)) continue;
    namespaces.add(workload.namespace);
    const seen = workload.connections > 0;
    const observedSec = seen ? Math.max(0, Math.round((workload.lastSeenMs - workload.firstSeenMs) / 1000)) : 0;
    const low = !seen || observedSec < options.minObservedSec || workload.connections < options.minConnections;
    if (low) lowConfidence.add(workload.key);
    observations.push({
      namespace: workload.namespace, name: workload.name, kind: workload.kind, connections: workload.connections,
      firstSeenMs: seen ? workload.firstSeenMs : Number.NaN, lastSeenMs: seen ? workload.lastSeenMs : Number.NaN,
      observedSec, lowConfidence: low, selector: workload.selector.matchLabels, selectorExact: workload.selector.exact,
    });
    if (!seen) warnings.add({ code: 'unobserved-workload', namespace: workload.namespace, subject: workload.key, message: `${workload.kind}/${workload.name} has pods but no observed traffic: the default deny will isolate it completely` });
    else if (low) warnings.add({ code: 'low-confidence', namespace: workload.namespace, subject: workload.key, message: `${workload.kind}/${workload.name} observed for ${observedSec}s with ${workload.connections} connection(s): too little to be sure its policy is complete` });
    for (const message of workload.selector.warnings) {
      warnings.add({ code: workload.selector.exact === false && Object.keys(workload.selector.matchLabels).length > 0 ? 'selector-not-exact' : 'unselectable-workload', namespace: workload.namespace, subject: workload.key, message });
    }
    if (index.isHostNetwork(workload)) warnings.add({ code: 'host-network', namespace: workload.namespace, subject: workload.key, message: `${workload.kind}/${workload.name} uses the host network: NetworkPolicy does not isolate it, so it gets no policy of its own` });
  }

  // Grouped once (not filtered per namespace: that was namespaces × workloads).
  const accsByNamespace = new Map<string, WorkloadPolicyAcc[]>();
  for (const acc of accs.values()) {
    let list = accsByNamespace.get(acc.workload.namespace);
    if (list === undefined) accsByNamespace.set(acc.workload.namespace, (list = []));
    list.push(acc);
  }
  const workloadsByNamespace = new Map<string, WorkloadInfo[]>();
  for (const workload of index.byKey.values()) {
    let list = workloadsByNamespace.get(workload.namespace);
    if (list === undefined) workloadsByNamespace.set(workload.namespace, (list = []));
    list.push(workload);
  }
  const result: NamespaceRecommendation[] = [];
  for (const namespace of [...namespaces].sort(compareText)) {
    const policies: ProposedPolicy[] = [];
    const workloadAccs = (accsByNamespace.get(namespace) ?? []).sort((a, b) => compareText(a.workload.key, b.workload.key));
    for (const acc of workloadAccs) {
      for (const direction of ['ingress', 'egress'] as const) {
        const proposed = workloadPolicy(acc, direction, windowAnnotation, lowConfidence.has(acc.workload.key));
        if (proposed !== undefined) policies.push(proposed);
      }
    }
    policies.sort((a, b) => compareText(a.policy.metadata.name, b.policy.metadata.name));
    policies.push(dnsPolicy(namespace, dnsLabels, dnsSource, dnsEvidence.get(namespace), windowAnnotation));
    policies.push(defaultDenyPolicy(namespace, windowAnnotation));
    result.push({
      namespace,
      policies,
      tests: connectivityTests(namespace, workloadAccs, index, workloadsByNamespace.get(namespace) ?? []),
      warnings: warnings.list.filter((w) => w.namespace === namespace),
    });
  }

  return {
    namespaces: result,
    workloads: observations,
    warnings: warnings.list,
    window,
    uncovered: [...uncovered.values()].sort((a, b) => a.edgeId - b.edgeId),
    edgesUsed: forwarded.length,
    edgesIgnored: ignored,
  };
}

const NO_REASONS: readonly string[] = Object.freeze([]);

/** The subject of an edge's warnings; built only when a warning is raised. */
function describeSubject(edge: ObservedEdge): string {
  return `${describeEnd(edge.source)} -> ${describeEnd(edge.destination)} ${edge.protocol}/${edge.port ?? '-'}`;
}

function describeEnd(peer: ObservedEdge['source']): string {
  if (peer.kind === 'pod') return `${peer.namespace ?? '?'}/${peer.workload ?? '?'}`;
  return `${peer.kind}:${peer.ip ?? '?'}`;
}

/** Why the selected side of a policy cannot carry one (hostNetwork, no stable label). */
function selfProblem(workload: WorkloadInfo, index: WorkloadIndex): Extract<PeerResolution, { ok: false }> | undefined {
  if (index.isHostNetwork(workload)) return { ok: false, code: 'host-network', reason: `${workload.key} uses the host network; NetworkPolicy does not apply to it` };
  if (Object.keys(workload.selector.matchLabels).length === 0) return { ok: false, code: 'unselectable-workload', reason: `${workload.key} has no stable label to select it by` };
  return undefined;
}

function specialWarning(peerClass: 'kube-apiserver' | 'node' | 'host-network', namespace: string, subject: string): Warning {
  const message = {
    'kube-apiserver': 'traffic to the Kubernetes API server is allowed by an ipBlock of its observed address; re-check it after control-plane changes (Cilium: toEntities kube-apiserver)',
    node: 'traffic with a node is allowed by an ipBlock of the node address; node addresses change when nodes are replaced',
    'host-network': 'a hostNetwork workload is allowed by the ipBlocks of its node addresses, which also admits everything else on those nodes',
  }[peerClass];
  return { code: peerClass === 'node' ? 'node-traffic' : peerClass, namespace, subject, message };
}
