// Classification of blocked paths, each with the evidence that decided it. Order of precedence
// (the first class whose test passes wins):
//   1. dns                  — DNS to the cluster DNS is always legitimate, even from a noisy pod.
//   2. regression           — the same path was forwarded before its drops began: a policy (or
//                             label) change broke working traffic. The strongest signal. "Before"
//                             means by at least `regressionLeadMs`: Hubble records a pod-to-pod
//                             connection on both nodes, so a connection denied at the destination's
//                             ingress also leaves a FORWARDED egress record on the sending side,
//                             at the same moment as the drop. That record is no evidence that the
//                             path ever worked.
//   3. expected-by-baseline — the path is in the baseline (forwarded at some time, but not before
//                             the drops began, e.g. some pods of the workload still get through;
//                             or the recommender's proposal admits it).
//   4. suspicious           — the source touched many *new* destinations or ports within the
//                             window: a scan. Only paths never seen forwarded count toward the
//                             thresholds, so a gateway broken by a new default-deny stays a
//                             regression instead of looking like a scanner.
//   5. likely-legitimate    — repeated retries (≥ minRetries) from a workload that already talks
//                             to the destination's namespace, workload or service name.
//   6. unknown.
// Pure: time is only the edges' own timestamps.
import { peerKey, type EdgePeer } from '../flows/edge.js';
import { pathKeyOf } from './detect.js';
import type { BlockedPath, Classification, ClassifiedPath, ObservedEdge } from './types.js';

export interface ScanThresholds {
  /** Time around a path in which the source's other new dropped paths are counted. */
  readonly windowMs: number;
  /** Distinct new destinations (workloads or addresses) that make a scan. */
  readonly minDestinations: number;
  /** Distinct new ports (over all destinations) that make a scan. */
  readonly minPorts: number;
}

export interface ClassifyOptions {
  readonly scan: ScanThresholds;
  /** Connections dropped on the path before "repeated retries" holds. */
  readonly minRetries: number;
  /** How long before the first drop the path must have been forwarded to count as a regression. */
  readonly regressionLeadMs: number;
  /** Extra cluster DNS addresses (the kube-dns Service clusterIPs from an inventory). */
  readonly dnsAddresses: readonly string[];
  /** The recommender's (or another) baseline: evidence when it admits the path, else undefined. */
  readonly baseline?: (path: BlockedPath) => string | undefined;
}

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = Object.freeze({
  scan: Object.freeze({ windowMs: 5 * 60_000, minDestinations: 10, minPorts: 10 }),
  minRetries: 3,
  regressionLeadMs: 60_000,
  dnsAddresses: [],
});

/** NodeLocal DNSCache's link-local listen address. */
export const NODELOCAL_DNS_IP = '169.254.20.10';
const DNS_LABELS: readonly (readonly [string, readonly string[]])[] = [
  ['k8s-app', ['kube-dns', 'coredns', 'node-local-dns']],
  ['app.kubernetes.io/name', ['coredns', 'kube-dns']],
  ['app', ['coredns', 'kube-dns']],
];
const DNS_WORKLOADS = new Set(['coredns', 'kube-dns', 'node-local-dns', 'rke2-coredns-rke2-coredns']);

function describePeer(peer: EdgePeer): string {
  if (peer.kind === 'pod') return `${peer.namespace ?? '?'}/${peer.workload ?? '?'}`;
  // A Calico-named peer (NetworkSet, pub/pvt network, host endpoint) without an address.
  if (peer.ip === undefined && peer.workload !== undefined)
    return `${peer.workloadKind ?? peer.kind} ${peer.namespace !== undefined ? `${peer.namespace}/` : ''}${peer.workload}`;
  return peer.ip ?? peer.kind;
}

export function describePath(
  path: Pick<BlockedPath, 'source' | 'destination' | 'protocol' | 'port'>,
): string {
  return `${describePeer(path.source)} → ${describePeer(path.destination)} ${path.protocol}/${path.port ?? '-'}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Why this destination is the cluster DNS, or undefined. */
export function dnsEvidence(path: BlockedPath, dnsAddresses: readonly string[]): string | undefined {
  if (path.port !== 53 || (path.protocol !== 'UDP' && path.protocol !== 'TCP')) return undefined;
  const d = path.destination;
  if (d.ip === NODELOCAL_DNS_IP)
    return `${path.protocol}/53 to ${NODELOCAL_DNS_IP}, the NodeLocal DNSCache address`;
  if (d.ip !== undefined && dnsAddresses.includes(d.ip))
    return `${path.protocol}/53 to ${d.ip}, a cluster DNS Service address`;
  if (d.kind !== 'pod') return undefined;
  for (const [key, values] of DNS_LABELS) {
    const value = path.destinationLabels[key];
    if (value !== undefined && values.includes(value))
      return `${path.protocol}/53 to ${describePeer(d)}, labelled ${key}=${value} (cluster DNS)`;
  }
  if (d.workload !== undefined && DNS_WORKLOADS.has(d.workload))
    return `${path.protocol}/53 to ${describePeer(d)}, the cluster DNS workload`;
  if (d.namespace === 'kube-system')
    return `${path.protocol}/53 to ${describePeer(d)} in kube-system (cluster DNS)`;
  return undefined;
}

interface ForwardedIndex {
  readonly byPath: Map<string, ObservedEdge>;
  /** source peer key → what it was seen talking to (forwarded). */
  readonly bySource: Map<
    string,
    { namespaces: Map<string, number>; destinations: Map<string, number>; names: Set<string> }
  >;
}

const MAX_NAMES_PER_SOURCE = 200;

function indexForwarded(edges: Iterable<ObservedEdge>): ForwardedIndex {
  const byPath = new Map<string, ObservedEdge>();
  const bySource: ForwardedIndex['bySource'] = new Map();
  for (const edge of edges) {
    if (edge.verdict !== 'forwarded') continue;
    byPath.set(pathKeyOf(edge), edge);
    const key = peerKey(edge.source);
    let entry = bySource.get(key);
    if (entry === undefined) {
      entry = { namespaces: new Map(), destinations: new Map(), names: new Set() };
      bySource.set(key, entry);
    }
    const ns = edge.destination.namespace;
    if (edge.destination.kind === 'pod' && ns !== undefined)
      entry.namespaces.set(ns, (entry.namespaces.get(ns) ?? 0) + edge.count);
    const dk = peerKey(edge.destination);
    entry.destinations.set(dk, (entry.destinations.get(dk) ?? 0) + edge.count);
    for (const name of edge.destinationNames)
      if (entry.names.size < MAX_NAMES_PER_SOURCE) entry.names.add(name);
  }
  return { byPath, bySource };
}

function scanEvidence(
  path: BlockedPath,
  novelBySource: Map<string, BlockedPath[]>,
  scan: ScanThresholds,
): string | undefined {
  const peers = novelBySource.get(peerKey(path.source)) ?? [];
  const from = path.firstSeenMs - scan.windowMs;
  const to = path.lastSeenMs + scan.windowMs;
  const destinations = new Set<string>();
  const ports = new Set<string>();
  for (const other of peers) {
    if (other.lastSeenMs < from || other.firstSeenMs > to) continue;
    destinations.add(peerKey(other.destination));
    ports.add(`${other.protocol}/${other.port ?? '-'}`);
  }
  const who = describePeer(path.source);
  const window = `${Math.round(scan.windowMs / 1000)}s`;
  if (destinations.size >= scan.minDestinations) {
    return `${who} had dropped connections to ${destinations.size} destinations it was never seen reaching, within ${window} of this path (threshold ${scan.minDestinations}): a scan`;
  }
  if (ports.size >= scan.minPorts) {
    return `${who} had dropped connections on ${ports.size} ports it was never seen using, within ${window} of this path (threshold ${scan.minPorts}): a scan`;
  }
  return undefined;
}

function relatedEvidence(path: BlockedPath, index: ForwardedIndex): string[] {
  const entry = index.bySource.get(peerKey(path.source));
  if (entry === undefined) return [];
  const out: string[] = [];
  const d = path.destination;
  const toSameDestination = entry.destinations.get(peerKey(d));
  if (toSameDestination !== undefined)
    out.push(
      `${describePeer(path.source)} already reaches ${describePeer(d)} on other ports (${toSameDestination} connections forwarded)`,
    );
  if (d.kind === 'pod' && d.namespace !== undefined) {
    const toNamespace = entry.namespaces.get(d.namespace);
    if (toNamespace !== undefined)
      out.push(
        `${describePeer(path.source)} already talks to namespace ${d.namespace} (${toNamespace} connections forwarded)`,
      );
  }
  const shared = path.destinationNames.filter((name) => entry.names.has(name));
  if (shared.length > 0)
    out.push(
      `${describePeer(path.source)} already reaches the service name(s) ${shared.slice(0, 3).join(', ')}`,
    );
  return out;
}

/** Classifies every blocked path against the observed forwarded edges. */
export function classifyPaths(
  blocked: readonly BlockedPath[],
  edges: Iterable<ObservedEdge>,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): ClassifiedPath[] {
  const index = indexForwarded(edges);
  const novelBySource = new Map<string, BlockedPath[]>();
  for (const path of blocked) {
    if (index.byPath.has(path.pathKey) || dnsEvidence(path, options.dnsAddresses) !== undefined) continue;
    const key = peerKey(path.source);
    const list = novelBySource.get(key);
    if (list === undefined) novelBySource.set(key, [path]);
    else list.push(path);
  }
  return blocked.map((path) => classifyOne(path, index, novelBySource, options));
}

function classifyOne(
  path: BlockedPath,
  index: ForwardedIndex,
  novelBySource: Map<string, BlockedPath[]>,
  options: ClassifyOptions,
): ClassifiedPath {
  const done = (classification: Classification, evidence: string[]): ClassifiedPath => ({
    path,
    classification,
    evidence,
  });
  const dropped = `${path.count} connection(s) dropped between ${iso(path.firstSeenMs)} and ${iso(path.lastSeenMs)}`;
  const dns = dnsEvidence(path, options.dnsAddresses);
  if (dns !== undefined) return done('dns', [dns, dropped]);
  const forwarded = index.byPath.get(path.pathKey);
  if (forwarded !== undefined && forwarded.firstSeenMs <= path.firstSeenMs - options.regressionLeadMs) {
    return done('regression', [
      `forwarded ${forwarded.count} connection(s) from ${iso(forwarded.firstSeenMs)} to ${iso(forwarded.lastSeenMs)}, before the drops began at ${iso(path.firstSeenMs)}`,
      dropped,
    ]);
  }
  if (forwarded !== undefined) {
    const simultaneous = Math.abs(forwarded.firstSeenMs - path.firstSeenMs) < options.regressionLeadMs;
    return done('expected-by-baseline', [
      `the same path is in the observed baseline: ${forwarded.count} connection(s) forwarded from ${iso(forwarded.firstSeenMs)} to ${iso(forwarded.lastSeenMs)}`,
      ...(simultaneous
        ? [
            "the forwarded records began with the drops: they may be the sending side's record of these same connections, denied at the destination",
          ]
        : []),
      dropped,
    ]);
  }
  const baseline = options.baseline?.(path);
  if (baseline !== undefined) return done('expected-by-baseline', [baseline, dropped]);
  const scan = scanEvidence(path, novelBySource, options.scan);
  if (scan !== undefined) return done('suspicious', [scan, dropped]);
  const related = relatedEvidence(path, index);
  if (path.count >= options.minRetries && related.length > 0) {
    return done('likely-legitimate', [
      `${path.count} attempts (≥ ${options.minRetries}): repeated retries`,
      ...related,
      dropped,
    ]);
  }
  const why =
    related.length > 0
      ? `only ${path.count} attempt(s) (< ${options.minRetries}), although ${related[0] ?? ''}`
      : `${describePeer(path.source)} was never seen talking to ${describePeer(path.destination)}, its namespace or its service`;
  return done('unknown', [why, dropped]);
}
