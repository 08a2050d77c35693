// Calico Goldmane FlowResult → the normalized Flow (formats.md §4), with the same model as the
// Calico flow-log parser (src/flows/calico-flowlog.ts): one connection counted once, the verdict
// of the whole path, workloads and named external peers.
//
// Goldmane aggregates per 15 s window and per FlowKey, and names endpoints instead of addressing
// them (Felix's endpoint metadata, felix/collector/types/endpoint):
//  - WorkloadEndpoint: the pods' GenerateName plus `*` (`frontend-7d9f8b6c4-*`, `db-*`), or the
//    pod's own name when it has no GenerateName. The workload comes from the name by Kubernetes'
//    naming conventions (flows/workload-name.ts) or, with an inventory, from the real controller
//    (the `resolveWorkload` option);
//  - HostEndpoint: the host name; NetworkSet: its name, with its namespace (`-` for a
//    GlobalNetworkSet); Network: `pub` or `pvt`. These stay distinct peers (flows/calico-entity.ts);
//  - `-` means "no namespace".
// Which of the Src/Dst reports counts a connection, and what a counted record whose connections
// all started earlier (`num_connections_started` 0) is: flows/calico-reporter.ts (established
// before observation). A report that does not count is still accepted, with isConnectionStart false.
// Untrusted input: every field is narrowed and bounded; bad records become counted rejections.
import { MAX_OBJECT_NAME_CHARS, isObjectName } from '../flows/bounds.js';
import {
  hostEndpointOf,
  isNetworkName,
  networkEndpoint,
  networkSetEndpoint,
} from '../flows/calico-entity.js';
import {
  connectionsOf,
  isCountingReport,
  recordRole,
  type CalicoEndpointType,
} from '../flows/calico-reporter.js';
import type { Endpoint, Flow, ParseResult, Protocol, Workload } from '../flows/flow.js';
import { reject } from '../flows/flow.js';
import { workloadOfPod, workloadOfPodPrefix } from '../flows/workload-name.js';
import { refsOfTrace } from './goldmane-policy-trace.js';
import { isRecord } from '../lib/is-record.js';

const MAX_LABELS = 64;

const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  tcp: 'TCP',
  udp: 'UDP',
  sctp: 'SCTP',
  icmp: 'ICMP',
  icmp6: 'ICMPv6',
  icmpv6: 'ICMPv6',
  '6': 'TCP',
  '17': 'UDP',
  '132': 'SCTP',
  '1': 'ICMP',
  '58': 'ICMPv6',
};

const TYPES: Readonly<Record<string, CalicoEndpointType>> = {
  WorkloadEndpoint: 'wep',
  HostEndpoint: 'hep',
  NetworkSet: 'ns',
  Network: 'net',
};

/** The real workload behind `namespace` + GenerateName prefix, from an inventory, if known. */
export type AggregatedWorkloadResolver = (
  namespace: string,
  prefix: string,
) => { readonly workload: Workload; readonly labels: Readonly<Record<string, string>> } | undefined;

export interface GoldmaneMappingOptions {
  readonly resolveWorkload?: AggregatedWorkloadResolver;
}

class BadField extends Error {}

function int(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : 0;
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  let n = 0;
  for (const item of v as unknown[]) {
    if (n >= MAX_LABELS) break;
    if (typeof item !== 'string' || item.length > 400) continue;
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    if (eq <= 0 || key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) continue;
    out[key] = item.slice(eq + 1);
    n += 1;
  }
  return out;
}

/** An optional object name: absent, empty and `-` are "none"; anything else must be valid. */
function nameOf(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '' || v === '-') return undefined;
  if (typeof v !== 'string' || v.length > MAX_OBJECT_NAME_CHARS || !isObjectName(v))
    throw new BadField(field);
  return v;
}

function podEndpoint(
  name: string | undefined,
  namespace: string | undefined,
  labels: Record<string, string>,
  field: string,
  options: GoldmaneMappingOptions,
): Endpoint {
  const base = { kind: 'pod' as const, ...(namespace === undefined ? {} : { namespace }), names: [] };
  if (name === undefined) return { ...base, labels };
  if (!name.endsWith('-*')) {
    if (!isObjectName(name)) throw new BadField(field);
    return { ...base, labels, pod: name, workload: workloadOfPod(name, labels) };
  }
  const prefix = name.slice(0, -1);
  if (prefix.length < 2 || !isObjectName(prefix.slice(0, -1))) throw new BadField(field);
  const resolved = namespace === undefined ? undefined : options.resolveWorkload?.(namespace, prefix);
  // Goldmane's labels are the intersection over the aggregated pods; the inventory's are the pods'.
  if (resolved !== undefined)
    return {
      ...base,
      labels: Object.keys(labels).length > 0 ? labels : resolved.labels,
      workload: resolved.workload,
    };
  return { ...base, labels, workload: workloadOfPodPrefix(prefix, labels) };
}

function endpointOf(
  key: Record<string, unknown>,
  flow: Record<string, unknown>,
  side: 'source' | 'dest',
  options: GoldmaneMappingOptions,
): { endpoint: Endpoint; type: CalicoEndpointType } {
  const typeName = key[`${side}_type`];
  const type = typeof typeName === 'string' ? (TYPES[typeName] ?? 'unknown') : 'unknown';
  const rawName = key[`${side}_name`];
  const namespace = nameOf(key[`${side}_namespace`], `${side}_namespace`);
  const labels = labelsOf(flow[`${side}_labels`]);
  if (type === 'wep') {
    const name = rawName === undefined || rawName === '' || rawName === '-' ? undefined : rawName;
    if (name !== undefined && (typeof name !== 'string' || name.length > MAX_OBJECT_NAME_CHARS))
      throw new BadField(`${side}_name`);
    return { endpoint: podEndpoint(name, namespace, labels, `${side}_name`, options), type };
  }
  if (type === 'net') {
    const name = typeof rawName === 'string' && isNetworkName(rawName) ? rawName : undefined;
    return {
      endpoint: name === undefined ? { kind: 'world', labels: {}, names: [] } : networkEndpoint(name),
      type,
    };
  }
  const name = nameOf(rawName, `${side}_name`);
  if (type === 'ns' && name !== undefined)
    return { endpoint: networkSetEndpoint(namespace, name, { labels }), type };
  if (type === 'hep' && name !== undefined) return { endpoint: hostEndpointOf(name, { labels }), type };
  return {
    endpoint: { kind: type === 'ns' ? 'world' : type === 'hep' ? 'host' : 'unknown', labels: {}, names: [] },
    type,
  };
}

function build(obj: Record<string, unknown>, options: GoldmaneMappingOptions): ParseResult {
  const flow = isRecord(obj['flow']) ? obj['flow'] : obj;
  const key = flow['Key'];
  if (!isRecord(key)) return reject('missing_field', 'Key');
  const startS = int(flow['start_time']);
  if (startS <= 0) return reject('missing_field', 'start_time');
  const protoText = typeof key['proto'] === 'string' ? key['proto'].toLowerCase() : '';
  const protocol = PROTOCOLS[protoText];
  if (protocol === undefined) return reject('unknown_enum', `proto ${protoText.slice(0, 16)}`);
  const action = key['action'];
  if (action !== 'Allow' && action !== 'Deny')
    return reject('unknown_enum', `action ${String(action).slice(0, 32)}`);
  const reporterName = key['reporter'];
  if (reporterName !== 'Src' && reporterName !== 'Dst')
    return reject('unknown_enum', `reporter ${String(reporterName).slice(0, 32)}`);
  const reporter = reporterName === 'Src' ? 'src' : 'dst';
  const denied = action === 'Deny';
  const port = int(key['dest_port']);

  const source = endpointOf(key, flow, 'source', options);
  const destination = endpointOf(key, flow, 'dest', options);
  const counts = isCountingReport({ reporter, denied, sourceType: source.type, destType: destination.type });
  const connections = connectionsOf(Math.max(0, int(flow['num_connections_started'])), denied);
  const isIcmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  const hasPort = !isIcmp && port > 0 && port <= 65535;
  const role = recordRole(counts, connections, isIcmp || hasPort, denied);
  const refs = refsOfTrace(key['policies']);
  const ingress = reporter === 'dst';

  const result: Flow = {
    timeMs: startS * 1000,
    source: source.endpoint,
    destination: destination.endpoint,
    protocol,
    ...(hasPort ? { destinationPort: port } : {}),
    direction: ingress ? 'ingress' : 'egress',
    verdict: denied ? 'dropped' : 'forwarded',
    ...(denied ? { dropReason: 'POLICY_DENIED' } : {}),
    isPolicyDrop: denied,
    policies: {
      ingressAllowedBy: ingress ? refs.allowed : [],
      egressAllowedBy: ingress ? [] : refs.allowed,
      ingressDeniedBy: ingress ? refs.denied : [],
      egressDeniedBy: ingress ? [] : refs.denied,
    },
    // Goldmane keys flows by the initiator: never a reply.
    isReply: false,
    isConnectionStart: role.isConnectionStart,
    connectionCount: connections,
    ...('established' in role ? { established: role.established } : {}),
    ...('noEdge' in role ? { noEdge: role.noEdge } : {}),
  };
  return { ok: true, flow: result };
}

/** Converts one decoded goldmane.FlowResult (or bare Flow). Never throws. */
export function normalizeGoldmaneFlow(obj: unknown, options: GoldmaneMappingOptions = {}): ParseResult {
  if (!isRecord(obj)) return reject('invalid_field', 'flow result is not an object');
  try {
    return build(obj, options);
  } catch (error) {
    if (error instanceof BadField) return reject('invalid_field', error.message);
    throw error;
  }
}

export { goldmaneFingerprint } from './goldmane-fingerprint.js';
