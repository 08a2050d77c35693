// recommendPolicies: observed edges (+ optionally a cluster snapshot) → per-namespace proposals.
// Only forwarded edges are evidence of legitimate traffic; dropped/audit/error edges are counted
// and reported, never allowed. Pure: the caller streams edges in and passes every option as data.
import { dropUnacceptablePolicies } from './kubernetes-acceptable.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { connectivityTests, probeCandidates } from './connectivity-tests.js';
import { findDnsServers } from './dns-servers.js';
import { defaultDenyPolicy, dnsPolicyFor, type DnsEvidence } from './namespace-policies.js';
import { EXACT_AGGREGATION, resolvePeer, type AggregationOptions, type PeerResolution } from './peers.js';
import {
  isoTime,
  type NamespaceRecommendation,
  type ObservedEdge,
  type ProposedPolicy,
  type Recommendation,
  type UncoveredEdge,
  type UnsafePath,
  type Warning,
  type WorkloadObservation,
} from './proposal.js';
import { DEFAULT_PUBLIC_INGRESS_MIN_CLIENTS, foldPublicIngress } from './public-ingress.js';
import { mergeSameSelector } from './same-selector.js';
import { reasonsFor, type PathEnd, type ReasonRule } from './reasons.js';
import { addObservation, addSmallest, workloadPolicy, type WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, WorkloadIndex, type WorkloadInfo } from './workloads.js';
import { peerText } from '../flows/peer-text.js';
import { peerKey } from '../flows/edge.js';
import { EPHEMERAL_PORT_MIN } from '../flows/hubble-connection.js';

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

const MAX_WARNINGS_PER_CODE = 200;

function endOf(peer: ObservedEdge['source']): PathEnd {
  if (peer.kind === 'pod' && peer.namespace !== undefined && peer.workload !== undefined)
    return { namespace: peer.namespace, workload: peer.workload };
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
  const resolve = (peer: ObservedEdge['source']) =>
    peer.kind === 'cluster' || peer.kind === 'unknown' ? index.resolveIp(peer.ip) : undefined;
  const source = resolve(edge.source);
  const destination = resolve(edge.destination);
  if (source === undefined && destination === undefined) return edge;
  return { ...edge, source: source ?? edge.source, destination: destination ?? edge.destination };
}

export function recommendPolicies(
  edges: Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  options: RecommendOptions = DEFAULT_RECOMMEND_OPTIONS,
): Recommendation {
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
  if (snapshot !== undefined) index.addSnapshotWorkloads();
  index.chooseSelectors();
  const window = forwarded.length > 0 ? { firstSeenMs: windowFirst, lastSeenMs: windowLast } : null;
  const windowAnnotation =
    window === null ? 'nothing observed' : `${isoTime(window.firstSeenMs)}/${isoTime(window.lastSeenMs)}`;

  const excluded = new Set(options.excludedNamespaces);
  const isManaged = (namespace: string | undefined): namespace is string =>
    namespace !== undefined &&
    !excluded.has(namespace) &&
    (options.namespace === undefined || options.namespace === namespace);
  const managedWorkload = (peer: ObservedEdge['source']): WorkloadInfo | undefined =>
    peer.kind === 'pod' && isManaged(peer.namespace) && peer.workload !== undefined
      ? index.get(peer.namespace, peer.workload)
      : undefined;

  // The DNS servers (cluster DNS, NodeLocal DNSCache) as observed: dns-servers.ts.
  const dns = findDnsServers(forwarded, index);
  const isDnsEdge = (edge: ObservedEdge): boolean => dns.isDnsEdge(edge);
  // The cluster DNS serves every pod (TCP 53 too, even when only UDP was seen): its namespace is
  // left alone like kube-system, rather than isolated to the sources seen in the window.
  if (!excluded.has(dns.namespace)) {
    excluded.add(dns.namespace);
    warnings.add({
      code: 'dns-namespace',
      namespace: dns.namespace,
      message: `namespace ${dns.namespace} runs the cluster DNS (${dns.source}): no policies are proposed for it, as for kube-system`,
    });
  }

  const accs = new Map<string, WorkloadPolicyAcc>();
  const accOf = (workload: WorkloadInfo): WorkloadPolicyAcc => {
    let acc = accs.get(workload.key);
    if (acc === undefined)
      accs.set(workload.key, (acc = { workload, ingress: new Map(), egress: new Map() }));
    return acc;
  };
  const dnsEvidence = new Map<string, DnsEvidence>();
  const uncovered = new Map<number, UncoveredEdge>();
  // Observed paths the proposal would deny (the managed side is isolated by the default deny and
  // no rule can name the path): the namespace is not safe to apply. Keyed per namespace and path.
  const unsafe = new Map<string, UnsafePath>();
  const markUncovered = (
    edge: ObservedEdge,
    namespace: string,
    resolution: Extract<PeerResolution, { ok: false }>,
    subject: string,
    denied = true,
  ): void => {
    if (!uncovered.has(edge.id))
      uncovered.set(edge.id, { edgeId: edge.id, code: resolution.code, reason: resolution.reason });
    warnings.add({ code: resolution.code, namespace, subject, message: resolution.reason });
    const path = describeSubject(edge);
    if (denied && !unsafe.has(`${namespace}|${path}`))
      unsafe.set(`${namespace}|${path}`, {
        namespace,
        path,
        code: resolution.code,
        reason: resolution.reason,
      });
  };
  // Workloads with a peer only Cilium can name, per direction: k8s/calico must leave them unisolated.
  const unisolated = { ingress: new Set<string>(), egress: new Set<string>() };
  const noteEntity = (
    workload: WorkloadInfo,
    direction: 'ingress' | 'egress',
    entity: string,
    edge: ObservedEdge,
  ): void => {
    unisolated[direction].add(workload.key);
    warnings.add({
      code: 'reserved-identity',
      namespace: workload.namespace,
      subject: describeSubject(edge),
      message: `Cilium reserved identity "${entity}" has no NetworkPolicy peer: the cilium flavour names it (${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [${entity}]); the k8s and calico flavours leave ${workload.key} and namespace ${workload.namespace} without ${direction} isolation`,
    });
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
  const ingressAggregation = options.ingressAggregation ?? EXACT_AGGREGATION;
  /** `peerIsSource`: the peer is an ingress source (aggregated with the ingress options). */
  const resolve = (peer: ObservedEdge['source'], peerIsSource: boolean): PeerResolution => {
    const aggregation = peerIsSource ? ingressAggregation : options.aggregation;
    if (peer.kind === 'pod') {
      const workload =
        peer.namespace !== undefined && peer.workload !== undefined
          ? index.get(peer.namespace, peer.workload)
          : undefined;
      if (workload === undefined) return resolvePeer(peer, index, aggregation);
      let resolution = workloadResolutions.get(workload);
      if (resolution === undefined)
        workloadResolutions.set(workload, (resolution = resolvePeer(peer, index, aggregation)));
      return resolution;
    }
    if (peer.ip === undefined) return resolvePeer(peer, index, aggregation);
    const key = `${peerIsSource ? 'in' : 'out'} ${peer.kind} ${peer.ip}`;
    let resolution = addressResolutions.get(key);
    if (resolution === undefined)
      addressResolutions.set(key, (resolution = resolvePeer(peer, index, aggregation)));
    return resolution;
  };
  const noReasons = options.reasons.length === 0;

  // Pairs with a connection start seen: an established-only edge running the other way to an
  // ephemeral port is that connection's reply side read the wrong way round, not a connection.
  const startedPairs = new Set<string>();
  for (const edge of forwarded)
    if (edge.count > 0) startedPairs.add(`${peerKey(edge.source)}>${peerKey(edge.destination)}`);

  for (const edge of forwarded) {
    const srcWorkload = managedWorkload(edge.source);
    const dstWorkload = managedWorkload(edge.destination);
    if (srcWorkload === undefined && dstWorkload === undefined) continue;
    if (edge.count === 0) {
      const namespace = srcWorkload?.namespace ?? dstWorkload?.namespace ?? '';
      if (
        edge.port !== null &&
        edge.port >= EPHEMERAL_PORT_MIN &&
        startedPairs.has(`${peerKey(edge.destination)}>${peerKey(edge.source)}`)
      ) {
        warnings.add({
          code: 'established-before-observation',
          namespace,
          subject: describeSubject(edge),
          message:
            'mid-stream packets toward an ephemeral port of a peer whose connections the other way were seen starting: taken as replies of those connections, not allowed',
        });
        continue;
      }
      warnings.add({
        code: 'established-before-observation',
        namespace,
        subject: describeSubject(edge),
        message: `no connection start seen, only ${edge.established ?? 0} mid-stream packet(s), L7 record(s) or flow record(s) of connections established before observation: allowed, oriented by the reply flag and ports (Calico: as reported, by the initiator)`,
      });
    }
    if (
      edge.port === null ||
      (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP')
    ) {
      const problem: Extract<PeerResolution, { ok: false }> =
        edge.port === null
          ? {
              ok: false,
              code: 'icmp',
              reason: `${edge.protocol} cannot be expressed in a NetworkPolicy; isolated pods lose it on most CNIs`,
            }
          : { ok: false, code: 'no-port', reason: `protocol ${edge.protocol} cannot be expressed` };
      // Both managed sides are isolated by their namespace's default deny: each loses the path.
      for (const side of [srcWorkload, dstWorkload])
        if (side !== undefined)
          markUncovered(edge, side.namespace, problem, describeSubject(edge), !index.isHostNetwork(side));
      continue;
    }
    const reasons = noReasons
      ? NO_REASONS
      : reasonsFor(options.reasons, endOf(edge.source), endOf(edge.destination), edge.protocol, edge.port);

    if (srcWorkload !== undefined) {
      const self = selfProblemOf(srcWorkload);
      if (self !== undefined)
        markUncovered(edge, srcWorkload.namespace, self, srcWorkload.key, self.code !== 'host-network');
      else if (isDnsEdge(edge)) {
        let evidence = dnsEvidence.get(srcWorkload.namespace);
        if (evidence === undefined)
          dnsEvidence.set(
            srcWorkload.namespace,
            (evidence = {
              connections: 0,
              firstSeenMs: edge.firstSeenMs,
              lastSeenMs: edge.lastSeenMs,
              samplePods: new Set(),
            }),
          );
        evidence.connections += edge.count;
        evidence.firstSeenMs = Math.min(evidence.firstSeenMs, edge.firstSeenMs);
        evidence.lastSeenMs = Math.max(evidence.lastSeenMs, edge.lastSeenMs);
        for (const pod of edge.sourcePods) addSmallest(evidence.samplePods, pod, 5);
      } else {
        const resolution = resolve(edge.destination, false);
        if (!resolution.ok) markUncovered(edge, srcWorkload.namespace, resolution, describeSubject(edge));
        else
          for (const target of resolution.targets) {
            if (target.type === 'entity') noteEntity(srcWorkload, 'egress', target.entity, edge);
            addObservation(
              accOf(srcWorkload).egress,
              target,
              edge.protocol,
              edge.port,
              edge.count,
              edge.firstSeenMs,
              edge.lastSeenMs,
              edge.destinationPods,
              edge.destinationNames,
              reasons,
              edge.established,
            );
            if (target.type === 'cidr' && target.peerClass !== 'external')
              warnings.add(specialWarning(target.peerClass, srcWorkload.namespace, describeSubject(edge)));
            else if (target.type === 'apiserver')
              warnings.add(
                specialWarning('kube-apiserver-endpoints', srcWorkload.namespace, describeSubject(edge)),
              );
          }
      }
    }
    if (dstWorkload !== undefined) {
      const self = selfProblemOf(dstWorkload);
      if (self !== undefined)
        markUncovered(edge, dstWorkload.namespace, self, dstWorkload.key, self.code !== 'host-network');
      else {
        const resolution = resolve(edge.source, true);
        if (!resolution.ok) markUncovered(edge, dstWorkload.namespace, resolution, describeSubject(edge));
        else
          for (const target of resolution.targets) {
            if (target.type === 'entity') noteEntity(dstWorkload, 'ingress', target.entity, edge);
            addObservation(
              accOf(dstWorkload).ingress,
              target,
              edge.protocol,
              edge.port,
              edge.count,
              edge.firstSeenMs,
              edge.lastSeenMs,
              edge.sourcePods,
              edge.sourceNames,
              reasons,
              edge.established,
            );
            if (target.type === 'cidr' && target.peerClass !== 'external')
              warnings.add(specialWarning(target.peerClass, dstWorkload.namespace, describeSubject(edge)));
            else if (target.type === 'apiserver')
              warnings.add(
                specialWarning('kube-apiserver-endpoints', dstWorkload.namespace, describeSubject(edge)),
              );
          }
      }
    }
  }

  for (const [key, count] of [...notForwarded.entries()].sort((a, b) => compareText(a[0], b[0]))) {
    const [namespace, verdict] = key.split('|') as [string, string];
    warnings.add({
      code: 'not-forwarded',
      ...(namespace !== '' ? { namespace } : {}),
      message: `${count} ${verdict} edge(s) were reported, not allowed: only forwarded traffic is evidence`,
    });
  }

  // Confidence per managed workload, and the namespaces that get policies.
  const observations: WorkloadObservation[] = [];
  const lowConfidence = new Set<string>();
  const namespaces = new Set<string>();
  for (const workload of [...index.byKey.values()].sort((a, b) => compareText(a.key, b.key))) {
    if (!isManaged(workload.namespace)) continue;
    namespaces.add(workload.namespace);
    const seen = workload.connections > 0;
    const observedSec = seen
      ? Math.max(0, Math.round((workload.lastSeenMs - workload.firstSeenMs) / 1000))
      : 0;
    const low =
      !seen || observedSec < options.minObservedSec || workload.connections < options.minConnections;
    if (low) lowConfidence.add(workload.key);
    observations.push({
      namespace: workload.namespace,
      name: workload.name,
      kind: workload.kind,
      connections: workload.connections,
      firstSeenMs: seen ? workload.firstSeenMs : Number.NaN,
      lastSeenMs: seen ? workload.lastSeenMs : Number.NaN,
      observedSec,
      lowConfidence: low,
      selector: workload.selector.matchLabels,
      selectorExact: workload.selector.exact,
    });
    if (!seen)
      warnings.add({
        code: 'unobserved-workload',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} has pods but no observed traffic: the default deny will isolate it completely`,
      });
    else if (low)
      warnings.add({
        code: 'low-confidence',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} observed for ${observedSec}s with ${workload.connections} connection(s): too little to be sure its policy is complete`,
      });
    for (const message of workload.selector.warnings) {
      warnings.add({
        code:
          workload.selector.exact === false && Object.keys(workload.selector.matchLabels).length > 0
            ? 'selector-not-exact'
            : 'unselectable-workload',
        namespace: workload.namespace,
        subject: workload.key,
        message,
      });
    }
    if (index.isHostNetwork(workload))
      warnings.add({
        code: 'host-network',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} uses the host network: NetworkPolicy does not isolate it, so it gets no policy of its own`,
      });
  }

  for (const warning of foldPublicIngress(
    accs.values(),
    snapshot?.services ?? [],
    options.publicIngressMinClients ?? DEFAULT_PUBLIC_INGRESS_MIN_CLIENTS,
  ))
    warnings.add(warning);

  // Grouped once (not filtered per namespace: that was namespaces × workloads).
  const accsByNamespace = new Map<string, WorkloadPolicyAcc[]>();
  for (const acc of accs.values()) {
    let list = accsByNamespace.get(acc.workload.namespace);
    if (list === undefined) accsByNamespace.set(acc.workload.namespace, (list = []));
    list.push(acc);
  }
  const probers = probeCandidates(index);
  const workloadsByNamespace = new Map<string, WorkloadInfo[]>();
  for (const workload of index.byKey.values()) {
    let list = workloadsByNamespace.get(workload.namespace);
    if (list === undefined) workloadsByNamespace.set(workload.namespace, (list = []));
    list.push(workload);
  }
  const result: NamespaceRecommendation[] = [];
  for (const namespace of [...namespaces].sort(compareText)) {
    const policies: ProposedPolicy[] = [];
    const workloadAccs = (accsByNamespace.get(namespace) ?? []).sort((a, b) =>
      compareText(a.workload.key, b.workload.key),
    );
    const same = mergeSameSelector(workloadAccs);
    for (const warning of same.warnings) warnings.add(warning);
    for (const acc of same.accs) {
      for (const direction of ['ingress', 'egress'] as const) {
        const proposed = workloadPolicy(
          acc,
          direction,
          windowAnnotation,
          lowConfidence.has(acc.workload.key),
        );
        if (proposed !== undefined) policies.push(proposed);
      }
    }
    policies.sort((a, b) => compareText(a.policy.metadata.name, b.policy.metadata.name));
    policies.push(dnsPolicyFor(namespace, dns, dnsEvidence.get(namespace), windowAnnotation));
    const open = (['ingress', 'egress'] as const).filter((direction) =>
      workloadAccs.some((acc) => unisolated[direction].has(acc.workload.key)),
    );
    const complete = defaultDenyPolicy(namespace, windowAnnotation) as ProposedPolicy;
    if (open.length === 0) policies.push(complete);
    else {
      // Cilium names every peer: its default deny is complete. k8s/calico cannot name a reserved
      // identity: their default deny leaves that direction out rather than cut the observed path.
      policies.push({ ...complete, flavors: ['cilium'] });
      const reduced = defaultDenyPolicy(namespace, windowAnnotation, open);
      if (reduced !== undefined) policies.push({ ...reduced, flavors: ['k8s', 'calico'] });
    }
    result.push({
      namespace,
      unsafe: [...unsafe.values()]
        .filter((u) => u.namespace === namespace)
        .sort((a, b) => compareText(a.path, b.path)),
      policies,
      tests: connectivityTests(
        namespace,
        workloadAccs,
        index,
        workloadsByNamespace.get(namespace) ?? [],
        probers,
      ),
      warnings: warnings.list.filter((w) => w.namespace === namespace),
    });
  }

  return dropUnacceptablePolicies({
    namespaces: result,
    workloads: observations,
    warnings: warnings.list,
    window,
    uncovered: [...uncovered.values()].sort((a, b) => a.edgeId - b.edgeId),
    unsafe: result.flatMap((ns) => ns.unsafe),
    edgesUsed: forwarded.length,
    edgesIgnored: ignored,
  });
}

const NO_REASONS: readonly string[] = Object.freeze([]);

/** The subject of an edge's warnings; built only when a warning is raised. */
function describeSubject(edge: ObservedEdge): string {
  return `${describeEnd(edge.source)} -> ${describeEnd(edge.destination)} ${edge.protocol}/${edge.port ?? '-'}`;
}

function describeEnd(peer: ObservedEdge['source']): string {
  return peerText(peer);
}

/** Why the selected side of a policy cannot carry one (hostNetwork, no stable label). */
function selfProblem(
  workload: WorkloadInfo,
  index: WorkloadIndex,
): Extract<PeerResolution, { ok: false }> | undefined {
  if (index.isHostNetwork(workload))
    return {
      ok: false,
      code: 'host-network',
      reason: `${workload.key} uses the host network; NetworkPolicy does not apply to it`,
    };
  if (Object.keys(workload.selector.matchLabels).length === 0)
    return {
      ok: false,
      code: 'unselectable-workload',
      reason: `${workload.key} has no stable label to select it by`,
    };
  return undefined;
}

function specialWarning(
  peerClass: 'kube-apiserver' | 'kube-apiserver-endpoints' | 'node' | 'host-network',
  namespace: string,
  subject: string,
): Warning {
  const message = {
    'kube-apiserver':
      'traffic to the Kubernetes API server is allowed by an ipBlock of its observed address (no default/kubernetes EndpointSlice in the snapshot); re-check it after control-plane changes (Cilium: toEntities kube-apiserver)',
    'kube-apiserver-endpoints':
      'traffic to the Kubernetes API server is allowed to every endpoint of default/kubernetes (EndpointSlice); re-check it after control-plane changes (Cilium: toEntities kube-apiserver)',
    node: 'traffic with a node is allowed by an ipBlock of the node address; node addresses change when nodes are replaced',
    'host-network':
      'a hostNetwork workload is allowed by the ipBlocks of its node addresses, which also admits everything else on those nodes',
  }[peerClass];
  return {
    code:
      peerClass === 'node'
        ? 'node-traffic'
        : peerClass === 'kube-apiserver-endpoints'
          ? 'kube-apiserver'
          : peerClass,
    namespace,
    subject,
    message,
  };
}
