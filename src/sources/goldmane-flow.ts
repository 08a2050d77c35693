// Calico Goldmane FlowResult → the normalized Flow (formats.md §4). Goldmane aggregates per 15 s
// window and per FlowKey: it names endpoints by namespace + GenerateName prefix + labels, never by
// IP or pod, so the flow carries namespace and labels (what NetworkPolicy selects on) and
// connectionCount = num_connections_started. Untrusted input: every field is narrowed and bounded;
// bad records become counted rejections, never exceptions.
import type { Endpoint, EndpointKind, Flow, ParseResult, Protocol } from '../flows/flow.js';
import { reject } from '../flows/flow.js';
import { isRecord } from './hubble-relay-grpc.js';

const MAX_LABELS = 64;
const MAX_POLICY_REFS = 16;
const MAX_NAME = 253;

const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmp: 'ICMP', icmp6: 'ICMPv6', icmpv6: 'ICMPv6', '6': 'TCP', '17': 'UDP', '132': 'SCTP', '1': 'ICMP', '58': 'ICMPv6',
};

function str(v: unknown, max = MAX_NAME): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
}

function int(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : 0;
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  let n = 0;
  for (const item of v) {
    if (n >= MAX_LABELS) break;
    if (typeof item !== 'string') continue;
    const eq = item.indexOf('=');
    if (eq <= 0 || item.length > 400) continue;
    out[item.slice(0, eq)] = item.slice(eq + 1);
    n += 1;
  }
  return out;
}

function endpointOf(type: unknown, name: string | undefined, namespace: string | undefined, labels: Record<string, string>): Endpoint {
  const kind: EndpointKind = type === 'WorkloadEndpoint' ? 'pod' : type === 'HostEndpoint' ? 'host' : type === 'NetworkSet' || type === 'Network' ? 'world' : 'unknown';
  return {
    kind,
    ...(namespace === undefined ? {} : { namespace }),
    labels,
    // Network endpoints are "pub"/"pvt"; NetworkSets and host endpoints have real names worth keeping.
    names: kind === 'pod' || name === undefined ? [] : [name],
  };
}

function policyRef(hit: Record<string, unknown>): string | undefined {
  const name = str(hit['name']);
  if (name === undefined) return undefined;
  const ns = str(hit['namespace']);
  return ns === undefined ? name : `${ns}/${name}`;
}

/** Converts one decoded goldmane.FlowResult (or bare Flow). Never throws. */
export function normalizeGoldmaneFlow(obj: unknown): ParseResult {
  if (!isRecord(obj)) return reject('invalid_field', 'flow result is not an object');
  const flow = isRecord(obj['flow']) ? obj['flow'] : obj;
  const key = flow['Key'];
  if (!isRecord(key)) return reject('missing_field', 'Key');
  const startS = int(flow['start_time']);
  if (startS <= 0) return reject('missing_field', 'start_time');
  const protoText = typeof key['proto'] === 'string' ? key['proto'].toLowerCase() : '';
  const protocol = PROTOCOLS[protoText];
  if (protocol === undefined) return reject('unknown_enum', `proto ${protoText.slice(0, 16)}`);
  const action = key['action'];
  if (action !== 'Allow' && action !== 'Deny' && action !== 'Pass') return reject('unknown_enum', 'action');
  const reporter = key['reporter'];
  const direction = reporter === 'Src' ? 'egress' : reporter === 'Dst' ? 'ingress' : 'unknown';
  const denied = action === 'Deny';
  const started = Math.max(0, int(flow['num_connections_started']));
  const port = int(key['dest_port']);

  const allowed: string[] = [];
  const deniedBy: string[] = [];
  const policies = isRecord(key['policies']) ? key['policies'] : {};
  const hits = Array.isArray(policies['enforced_policies']) ? policies['enforced_policies'] : [];
  for (const hit of hits.slice(0, 64)) {
    if (!isRecord(hit)) continue;
    const ref = policyRef(hit);
    if (ref === undefined) continue;
    if (hit['action'] === 'Allow' && allowed.length < MAX_POLICY_REFS) allowed.push(ref);
    if (hit['action'] === 'Deny' && deniedBy.length < MAX_POLICY_REFS) deniedBy.push(ref);
  }

  const result: Flow = {
    timeMs: startS * 1000,
    source: endpointOf(key['source_type'], str(key['source_name']), str(key['source_namespace']), labelsOf(flow['source_labels'])),
    destination: endpointOf(key['dest_type'], str(key['dest_name']), str(key['dest_namespace']), labelsOf(flow['dest_labels'])),
    protocol,
    ...(protocol !== 'ICMP' && protocol !== 'ICMPv6' && port > 0 && port <= 65535 ? { destinationPort: port } : {}),
    direction,
    verdict: denied ? 'dropped' : 'forwarded',
    ...(denied ? { dropReason: 'POLICY_DENIED' } : {}),
    isPolicyDrop: denied,
    policies: {
      ingressAllowedBy: direction === 'ingress' ? allowed : [],
      egressAllowedBy: direction === 'egress' ? allowed : [],
      ingressDeniedBy: direction === 'ingress' ? deniedBy : [],
      egressDeniedBy: direction === 'egress' ? deniedBy : [],
    },
    isReply: false,
    // Goldmane keys flows by initiator; a window with no new connection only carries live ones.
    isConnectionStart: started > 0 || denied,
    connectionCount: denied ? Math.max(1, started) : started,
  };
  return { ok: true, flow: result };
}

/** Content identity of one aggregated record (ids are not stable across Goldmane restarts). */
export function goldmaneFingerprint(obj: Record<string, unknown>): string {
  const flow = isRecord(obj['flow']) ? obj['flow'] : obj;
  const key = isRecord(flow['Key']) ? flow['Key'] : {};
  const parts = ['source_namespace', 'source_name', 'source_type', 'dest_namespace', 'dest_name', 'dest_type', 'dest_port', 'proto', 'reporter', 'action'].map((k) => {
    const v = key[k];
    return typeof v === 'string' ? v.slice(0, MAX_NAME) : typeof v === 'number' ? String(v) : '';
  });
  return `${int(flow['start_time'])}|${int(flow['end_time'])}|${parts.join('|')}`;
}
