// Hubble flows → Flow. Handles `hubble observe -o json|jsonpb` lines and Hubble exporter
// lines (`{"flow":{…},"node_name":…,"time":…}` or a bare Flow), and the same objects decoded
// by @grpc/proto-loader (keepCase, enums as names, `time` as {seconds, nanos}, `is_reply` as a
// {value} wrapper, oneof discriminator fields such as `l4.protocol`). Field facts:
// ../shared/docs/formats.md §1–2. One JSON.parse per line and plain property reads: this is
// the ingest hot path (no regex, no schema library).
//
// Mapping choices worth knowing:
// - Endpoint kind: reserved labels and reserved identities (formats.md §1.4); `cidr:`/`fqdn:`
//   identities are outside the cluster (world); health/ingress/init/unmanaged keep their own
//   kinds (Cilium entities NetworkPolicy cannot name; the recommender says what it does with them).
// - Labels keep only Kubernetes pod labels (`k8s:` source, prefix stripped); Cilium's own
//   `io.cilium.k8s.*` keys and `io.kubernetes.pod.namespace` are dropped (the namespace is a
//   field of the endpoint).
// - Connection starts and connections established before observation: hubble-connection.ts
//   (TCP flags, `is_reply` or the deprecated `reply`, and the ports when `is_reply` is unset).
//   SOCK events never start connections; a forwarded L7 record (HTTP, DNS, Kafka) is evidence
//   of its connection (`established`), never a start (the L3/L4 event of it counts that).
//   ICMP echo replies and ICMP errors are responses to other traffic and never start one.
// - DNS answers in L7 records name the *answered* addresses, not either endpoint of the DNS
//   flow, so they are not copied into `names`; Cilium already reports those names as
//   `destination_names` on later flows to the answered IPs.
import { MAX_LINE_BYTES_DEFAULT, NO_POLICIES, reject, validNonStart } from './flow.js';
import type {
  Endpoint,
  EndpointKind,
  Flow,
  IngestParser,
  IngestResult,
  LineParser,
  ParseResult,
  PolicyRefs,
  Protocol,
  TrafficDirection,
  ValidNonStart,
  Verdict,
} from './flow.js';
import {
  MAX_OBJECT_NAME_CHARS,
  MAX_POLICY_REFS,
  addLabel,
  addNames,
  clip,
  isObjectName,
  isPort,
  isValidIp,
} from './bounds.js';
import { isRecord } from '../lib/is-record.js';
import type { DropCounter } from './bounds.js';
import { Invalid, check } from './invalid.js';
import { WorkloadNames } from './workload-name.js';
import { dropReasonName, isPolicyDropReason } from './hubble-drop-reasons.js';
import { connectionRole, type ConnectionRole } from './hubble-connection.js';

const A_START: ConnectionRole = Object.freeze({ isConnectionStart: true });
const NOT_A_START: ConnectionRole = Object.freeze({
  isConnectionStart: false,
  noEdge: 'not-a-connection-start',
});
const SOCKET_EVENT: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'socket-event' });
const ICMP_REPLY: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'icmp-reply' });
const L7_REQUEST: ConnectionRole = Object.freeze({ isConnectionStart: false, established: 'forward' });

/** Envelope fields of a GetFlowsResponse / ExportEvent that a caller already unwrapped. */
export interface HubbleEnvelope {
  readonly nodeName?: string;
  readonly time?: unknown;
}

const VERDICT_BY_NAME = new Map<string, Verdict>([
  ['FORWARDED', 'forwarded'],
  ['REDIRECTED', 'forwarded'],
  ['TRACED', 'forwarded'],
  ['TRANSLATED', 'forwarded'],
  ['DROPPED', 'dropped'],
  ['AUDIT', 'audit'],
  ['ERROR', 'error'],
]);
const VERDICT_NAME_BY_NUMBER = [
  'VERDICT_UNKNOWN',
  'FORWARDED',
  'DROPPED',
  'ERROR',
  'AUDIT',
  'REDIRECTED',
  'TRACED',
  'TRANSLATED',
];

/** Reserved identities (formats.md §1.4) → kind. */
const KIND_BY_IDENTITY: readonly (EndpointKind | undefined)[] = [
  undefined,
  'host',
  'world',
  'unmanaged',
  'health',
  'init',
  'remote-node',
  'kube-apiserver',
  'ingress',
  'world',
  'world',
];
/** Identities with bit 24 set are node-local CIDR/FQDN identities: addresses outside the cluster. */
const LOCAL_IDENTITY_MIN = 1 << 24;

/** `reserved:` label names → kind. */
const KIND_BY_RESERVED = new Map<string, EndpointKind>([
  ['kube-apiserver', 'kube-apiserver'],
  ['host', 'host'],
  ['remote-node', 'remote-node'],
  ['world', 'world'],
  ['world-ipv4', 'world'],
  ['world-ipv6', 'world'],
  ['health', 'health'],
  ['ingress', 'ingress'],
  ['init', 'init'],
  ['unmanaged', 'unmanaged'],
]);
/** When an endpoint carries several reserved labels (the API server on a node is both). */
// A pod name outranks init/unmanaged (a pod whose identity is not known yet is still that pod).
const KIND_PRIORITY: readonly EndpointKind[] = [
  'kube-apiserver',
  'host',
  'remote-node',
  'world',
  'ingress',
  'health',
  'pod',
  'init',
  'unmanaged',
  'cluster',
];

const MAX_LABEL_STRING_CHARS = 400;

/** ICMP types that answer other traffic (echo reply, unreachable, time exceeded, …). */
const ICMPV4_RESPONSE_TYPES = new Set([0, 3, 4, 5, 11, 12, 14, 16, 18]);
const ICMPV6_RESPONSE_TYPES = new Set([1, 2, 3, 4, 129]);

function enumName(value: unknown, names: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return names[value] ?? String(value);
  return undefined;
}

/**
 * What one parser instance remembers between events: the last minute's epoch ms, the parsed
 * labels per identity and the workloads per pod name. Each source creates its own parser
 * (hubbleParser, parserFor), so nothing is shared between sources, CLI runs or tests.
 */
interface HubbleMemo {
  minute: string;
  minuteMs: number;
  readonly labels: Map<number, LabelInfo>;
  readonly workloads: WorkloadNames;
  /** Endpoints built from deeply frozen endpoint objects (see endpointOf). */
  readonly endpoints: WeakMap<object, BuiltEndpoint>;
}

interface BuiltEndpoint {
  readonly ip: string | undefined;
  readonly endpoint: Endpoint;
  readonly dropped: number;
}

function newMemo(): HubbleMemo {
  return {
    minute: '',
    minuteMs: Number.NaN,
    labels: new Map(),
    workloads: new WorkloadNames(),
    endpoints: new WeakMap(),
  };
}

// Consecutive flows share their minute: remember the last `YYYY-MM-DDTHH:MM` prefix and its
// epoch ms, and read seconds and fraction by hand (as Date.parse does: the first three fraction
// digits, truncated). Anything else — other offsets, leap seconds, odd shapes — is Date.parse's.
function rfc3339Ms(text: string, memo: HubbleMemo): number {
  const n = text.length;
  if (
    n < 20 ||
    n > 30 ||
    text.charCodeAt(n - 1) !== 90 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(10) !== 84
  )
    return Date.parse(text);
  const tens = text.charCodeAt(17) - 48;
  const units = text.charCodeAt(18) - 48;
  if (tens < 0 || tens > 5 || units < 0 || units > 9) return Date.parse(text);
  let fraction = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 || n === 21) return Date.parse(text);
    for (let i = 20; i < n - 1; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Date.parse(text);
      if (i < 23) fraction += digit * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
  }
  if (memo.minute.length !== 16 || !text.startsWith(memo.minute)) {
    const minute = text.slice(0, 16);
    const ms = Date.parse(`${minute}:00Z`);
    if (Number.isNaN(ms)) return Date.parse(text);
    memo.minute = minute;
    memo.minuteMs = ms;
  }
  return memo.minuteMs + (tens * 10 + units) * 1000 + fraction;
}

/** Timestamp as RFC 3339 text (protojson) or {seconds, nanos} (proto-loader) → ms. */
function timeMsOf(value: unknown, memo: HubbleMemo): number | undefined {
  let ms: number;
  if (typeof value === 'string') {
    if (value.length < 20 || value.length > 40) return undefined;
    ms = rfc3339Ms(value, memo);
  } else if (isRecord(value)) {
    const seconds = typeof value.seconds === 'string' ? Number(value.seconds) : value.seconds;
    const nanos = value.nanos === undefined ? 0 : value.nanos;
    if (typeof seconds !== 'number' || typeof nanos !== 'number') return undefined;
    ms = seconds * 1000 + Math.floor(nanos / 1e6);
  } else {
    return undefined;
  }
  // Finite and between 1970 and 9999: anything else is not a capture time.
  return Number.isFinite(ms) && ms > 0 && ms < 253402300800000 ? Math.floor(ms) : undefined;
}

function boolOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (isRecord(value) && typeof value.value === 'boolean') return value.value;
  if (isRecord(value) && value.value === undefined) return false; // a wrapper at its zero value
  return undefined;
}

interface LabelInfo {
  readonly raw: readonly unknown[];
  readonly labels: Readonly<Record<string, string>>;
  /** Best kind the labels (and identity) imply, as an index into KIND_PRIORITY; -1 for none. */
  readonly rank: number;
  readonly dropped: number;
}

function rankOf(kind: EndpointKind): number {
  return KIND_PRIORITY.indexOf(kind);
}

function better(rank: number, kind: EndpointKind): number {
  const r = rankOf(kind);
  return rank < 0 || r < rank ? r : rank;
}

/** Parses a Cilium label list (and identity) into pod labels and the kind they imply. */
function labelInfoOf(
  side: string,
  identity: number | undefined,
  rawLabels: readonly unknown[],
): LabelInfo | Invalid {
  const counter: DropCounter = { dropped: 0 };
  const labels: Record<string, string> = {};
  let count = 0;
  let rank = -1;
  if (identity !== undefined) {
    const reserved = KIND_BY_IDENTITY[identity];
    if (reserved !== undefined) rank = better(rank, reserved);
    else if (identity >= LOCAL_IDENTITY_MIN) rank = better(rank, 'world');
  }
  for (const label of rawLabels) {
    if (typeof label !== 'string') return new Invalid('invalid_field', `${side}.labels holds a non-string`);
    if (label.length > MAX_LABEL_STRING_CHARS) {
      counter.dropped++;
      continue;
    }
    const eq = label.indexOf('=');
    const colon = label.indexOf(':');
    let keyStart = 0;
    if (colon >= 0 && (eq < 0 || colon < eq)) {
      const source = label.slice(0, colon);
      if (source === 'reserved') {
        const reserved = KIND_BY_RESERVED.get(eq < 0 ? label.slice(colon + 1) : label.slice(colon + 1, eq));
        if (reserved !== undefined) rank = better(rank, reserved);
        continue;
      }
      if (source === 'cidr' || source === 'fqdn') {
        rank = better(rank, 'world');
        continue;
      }
      if (source !== 'k8s') continue; // container:, unspec:, any: … are not Kubernetes labels
      keyStart = colon + 1;
    }
    if (eq < 0) continue;
    const key = label.slice(keyStart, eq);
    if (key.startsWith('io.cilium.') || key === 'io.kubernetes.pod.namespace') continue;
    count = addLabel(labels, count, key, label.slice(eq + 1), counter);
  }
  return { raw: rawLabels, labels: Object.freeze(labels), rank, dropped: counter.dropped };
}

// Endpoints of one identity repeat in almost every flow: remember the parsed labels per
// identity and reuse them when the raw label list is identical (checked string by string, so
// a different cluster reusing the number cannot get wrong labels). Bounded; cleared when full.
const LABEL_CACHE_MAX = 4096;
const EMPTY: readonly unknown[] = [];

function sameStrings(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cachedLabelInfo(
  side: string,
  identity: number | undefined,
  rawLabels: readonly unknown[],
  memo: HubbleMemo,
): LabelInfo | Invalid {
  if (identity === undefined) return labelInfoOf(side, identity, rawLabels);
  const labelCache = memo.labels;
  const hit = labelCache.get(identity);
  if (hit !== undefined && sameStrings(hit.raw, rawLabels)) return hit;
  const info = labelInfoOf(side, identity, rawLabels);
  if (info instanceof Invalid) return info;
  if (labelCache.size >= LABEL_CACHE_MAX) labelCache.clear();
  labelCache.set(identity, info);
  return info;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

type MutableEndpoint = { -readonly [K in keyof Endpoint]: Endpoint[K] };

const NO_NAMES: readonly string[] = Object.freeze([]);

/** An absent or valid Cilium security identity. */
function isIdentity(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
}

/** An absent or empty name, or a valid object name. */
function isOptionalName(value: unknown): boolean {
  return value === undefined || value === '' || isObjectName(value);
}

/** A frozen object whose label list and workloads (what endpointOf reads) are frozen too. */
function isDeeplyFrozen(value: Record<string, unknown>): boolean {
  const { labels, workloads } = value;
  if (labels !== undefined && !Object.isFrozen(labels)) return false;
  if (workloads === undefined) return true;
  if (!Array.isArray(workloads) || !Object.isFrozen(workloads)) return false;
  const first: unknown = workloads[0];
  return first === undefined || Object.isFrozen(first);
}

/**
 * The Endpoint of one side of a flow. An endpoint object that cannot change (deeply frozen: the
 * relay decoder hands out one per distinct encoding, src/sources/hubble-relay-decode.ts) seen
 * again with the same address and no DNS names gets the Endpoint built the first time: the
 * build is a function of those alone (labels, workload names and bounds are pure), and the
 * result is frozen. Objects of JSON.parse are never frozen and are built every time.
 */
function endpointOf(
  side: string,
  value: unknown,
  ip: string | undefined,
  names: unknown,
  counter: DropCounter,
  memo: HubbleMemo,
): Endpoint | Invalid {
  if (names !== undefined || typeof value !== 'object' || value === null || !Object.isFrozen(value))
    return buildEndpoint(side, value, ip, names, counter, memo);
  const built = memo.endpoints.get(value);
  if (built !== undefined && built.ip === ip) {
    counter.dropped += built.dropped;
    return built.endpoint;
  }
  const before = counter.dropped;
  const endpoint = buildEndpoint(side, value, ip, names, counter, memo);
  if (!(endpoint instanceof Invalid) && isDeeplyFrozen(value as Record<string, unknown>)) {
    const dropped = counter.dropped - before;
    memo.endpoints.set(value, { ip, endpoint: Object.freeze(endpoint), dropped });
  }
  return endpoint;
}

function buildEndpoint(
  side: string,
  value: unknown,
  ip: string | undefined,
  names: unknown,
  counter: DropCounter,
  memo: HubbleMemo,
): Endpoint | Invalid {
  let outNames = NO_NAMES;
  if (names !== undefined) {
    const added: string[] = [];
    addNames(added, names, counter);
    if (added.length > 0) outNames = added;
  }
  if (value === undefined || value === null) {
    const endpoint: MutableEndpoint = { kind: 'unknown', labels: NO_LABELS, names: outNames };
    if (ip !== undefined) endpoint.ip = ip;
    return endpoint;
  }
  if (!isRecord(value)) return new Invalid('invalid_field', `${side} is not an object`);
  const identity = value.identity;
  if (!isIdentity(identity)) return new Invalid('invalid_field', `${side}.identity`);
  const rawLabels = value.labels ?? EMPTY;
  if (!Array.isArray(rawLabels)) return new Invalid('invalid_field', `${side}.labels is not an array`);
  const info = cachedLabelInfo(side, identity, rawLabels as unknown[], memo);
  if (info instanceof Invalid) return info;
  counter.dropped += info.dropped;
  let rank = info.rank;

  const namespace = value.namespace;
  const pod = value.pod_name;
  if (!isOptionalName(namespace)) return new Invalid('invalid_field', `${side}.namespace`);
  if (!isOptionalName(pod)) return new Invalid('invalid_field', `${side}.pod_name`);
  const hasNamespace = typeof namespace === 'string' && namespace !== '';
  const hasPod = typeof pod === 'string' && pod !== '';
  if (hasNamespace || hasPod) rank = better(rank, 'pod');
  const kind: EndpointKind = rank < 0 ? 'unknown' : (KIND_PRIORITY[rank] ?? 'unknown');
  const endpoint: MutableEndpoint = {
    kind,
    labels: kind === 'pod' ? info.labels : NO_LABELS,
    names: outNames,
  };
  if (ip !== undefined) endpoint.ip = ip;
  if (kind !== 'pod') return endpoint;

  if (hasNamespace) endpoint.namespace = namespace;
  const workloads = value.workloads;
  if (workloads !== undefined) {
    if (!Array.isArray(workloads)) return new Invalid('invalid_field', `${side}.workloads is not an array`);
    const first: unknown = workloads[0];
    if (
      isRecord(first) &&
      isObjectName(first.name) &&
      typeof first.kind === 'string' &&
      first.kind.length > 0 &&
      first.kind.length <= 63
    ) {
      endpoint.workload = { kind: first.kind, name: first.name };
    }
  }
  if (hasPod) {
    endpoint.pod = pod;
    if (endpoint.workload === undefined) endpoint.workload = memo.workloads.ofPod(pod, info.labels);
  }
  return endpoint;
}

function policyRefsOf(value: unknown, field: string, counter: DropCounter): readonly string[] | Invalid {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return new Invalid('invalid_field', `${field} is not an array`);
  const refs: string[] = [];
  for (const policy of value as unknown[]) {
    if (!isRecord(policy)) return new Invalid('invalid_field', `${field} holds a non-object`);
    const { name, namespace } = policy;
    if (!isObjectName(name) || !isOptionalName(namespace) || refs.length >= MAX_POLICY_REFS) {
      counter.dropped++;
      continue;
    }
    const ref = typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
    if (!refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

function ipOf(value: unknown, field: string): string | undefined | Invalid {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isValidIp(value))
    return new Invalid('invalid_field', `${field}: ${clip(value)}`);
  return value;
}

function portOf(value: unknown, field: string): number | undefined | Invalid {
  if (value === undefined) return undefined;
  if (!isPort(value)) return new Invalid('invalid_field', `${field}: ${clip(value)}`);
  return value;
}

const NON_FLOW_EVENTS = ['node_status', 'lost_events', 'agent_event', 'debug_event'] as const;

/** HubbleParser.normalize with a parser of its own (nothing remembered); sources use hubbleParser(). */
export function normalizeHubbleFlow(obj: unknown, envelope?: HubbleEnvelope): ParseResult {
  return hubbleParser().normalize(obj, envelope);
}

function normalize(
  obj: unknown,
  envelope: HubbleEnvelope | undefined,
  startsOnly: boolean,
  memo: HubbleMemo,
): IngestResult {
  if (!isRecord(obj)) return reject('invalid_field', 'event is not a JSON object');
  let flow: Record<string, unknown> = obj;
  let nodeName: unknown = envelope?.nodeName;
  let envelopeTime: unknown = envelope?.time;
  if (obj.flow !== undefined && obj.flow !== null) {
    if (!isRecord(obj.flow)) return reject('invalid_field', 'flow is not an object');
    flow = obj.flow;
    nodeName ??= obj.node_name;
    envelopeTime ??= obj.time;
  } else {
    for (const key of NON_FLOW_EVENTS) {
      if (obj[key] !== undefined && obj[key] !== null) return reject('unsupported_event', `${key} event`);
    }
    if (
      obj.verdict === undefined &&
      obj.IP === undefined &&
      obj.l4 === undefined &&
      obj.source === undefined
    ) {
      return reject('missing_field', 'no flow in event');
    }
  }
  try {
    const built = buildFlow(flow, nodeName, envelopeTime, startsOnly, memo);
    return 'ok' in built ? built : { ok: true, flow: built };
  } catch (error) {
    if (error instanceof Invalid) return reject(error.reason, error.detail);
    throw error;
  }
}

/**
 * True when endpointOf cannot reject `value` (a sufficient condition, not a necessary one): no
 * wrong type for identity, labels, namespace, pod name or workloads. Reading it builds nothing.
 */
function isPlainEndpoint(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!isRecord(value)) return false;
  if (!isIdentity(value.identity)) return false;
  const labels = value.labels;
  if (labels !== undefined && labels !== null) {
    if (!Array.isArray(labels)) return false;
    for (let i = 0; i < labels.length; i++) if (typeof labels[i] !== 'string') return false;
  }
  const { namespace, pod_name: pod, workloads } = value;
  if (!isOptionalName(namespace) || !isOptionalName(pod)) return false;
  return workloads === undefined || Array.isArray(workloads);
}

/**
 * The Flow of one Hubble flow object, or throws Invalid. With `startsOnly`, an event that starts
 * no connection and that nothing past this point could reject (plain endpoints, no policy lists:
 * the node name and DNS names never reject) returns the shared ValidNonStart instead of being
 * built (with why it makes no edge).
 */
function buildFlow(
  flow: Record<string, unknown>,
  envelopeNode: unknown,
  envelopeTime: unknown,
  startsOnly: boolean,
  memo: HubbleMemo,
): Flow | ValidNonStart {
  const counter: DropCounter = { dropped: 0 };
  // A present but malformed flow time is an error, not a reason to use the envelope's.
  const timeMs =
    flow.time !== undefined && flow.time !== null ? timeMsOf(flow.time, memo) : timeMsOf(envelopeTime, memo);
  if (timeMs === undefined) {
    throw flow.time === undefined && envelopeTime === undefined
      ? new Invalid('missing_field', 'time')
      : new Invalid('invalid_field', `time: ${clip(flow.time ?? envelopeTime)}`);
  }

  const verdictName = enumName(flow.verdict, VERDICT_NAME_BY_NUMBER);
  if (verdictName === undefined) {
    throw flow.verdict === undefined
      ? new Invalid('missing_field', 'verdict')
      : new Invalid('invalid_field', 'verdict is not an enum');
  }
  const verdict = VERDICT_BY_NAME.get(verdictName);
  if (verdict === undefined) throw new Invalid('unknown_enum', `verdict ${clip(verdictName)}`);

  let sourceIp: string | undefined;
  let destinationIp: string | undefined;
  const ipHeader = flow.IP;
  if (ipHeader !== undefined && ipHeader !== null) {
    if (!isRecord(ipHeader)) throw new Invalid('invalid_field', 'IP is not an object');
    sourceIp = check(ipOf(ipHeader.source, 'IP.source'));
    destinationIp = check(ipOf(ipHeader.destination, 'IP.destination'));
  }

  const l4 = flow.l4;
  if (l4 === undefined || l4 === null) throw new Invalid('missing_field', 'l4');
  if (!isRecord(l4)) throw new Invalid('invalid_field', 'l4 is not an object');
  let protocol: Protocol;
  let layer: unknown;
  if (l4.TCP !== undefined && l4.TCP !== null) [protocol, layer] = ['TCP', l4.TCP];
  else if (l4.UDP !== undefined && l4.UDP !== null) [protocol, layer] = ['UDP', l4.UDP];
  else if (l4.ICMPv4 !== undefined && l4.ICMPv4 !== null) [protocol, layer] = ['ICMP', l4.ICMPv4];
  else if (l4.ICMPv6 !== undefined && l4.ICMPv6 !== null) [protocol, layer] = ['ICMPv6', l4.ICMPv6];
  else if (l4.SCTP !== undefined && l4.SCTP !== null) [protocol, layer] = ['SCTP', l4.SCTP];
  else if (l4.VRRP !== undefined || l4.IGMP !== undefined)
    throw new Invalid('unknown_enum', 'l4 protocol VRRP/IGMP is not modelled');
  else throw new Invalid('missing_field', 'l4 protocol');
  if (!isRecord(layer)) throw new Invalid('invalid_field', `l4.${protocol} is not an object`);

  let sourcePort: number | undefined;
  let destinationPort: number | undefined;
  let isIcmpResponse = false;
  let syn = false;
  let ack = false;
  let rst = false;
  let hasFlags = false;
  if (protocol === 'ICMP' || protocol === 'ICMPv6') {
    const type = layer.type ?? 0;
    if (typeof type !== 'number') throw new Invalid('invalid_field', `l4.${protocol}.type`);
    isIcmpResponse = (protocol === 'ICMP' ? ICMPV4_RESPONSE_TYPES : ICMPV6_RESPONSE_TYPES).has(type);
  } else {
    // proto3 JSON omits zero values: an absent port is port 0.
    sourcePort = check(portOf(layer.source_port, 'source_port')) ?? 0;
    destinationPort = check(portOf(layer.destination_port, 'destination_port')) ?? 0;
    const flags = layer.flags;
    if (flags !== undefined && flags !== null) {
      if (!isRecord(flags)) throw new Invalid('invalid_field', 'l4.TCP.flags is not an object');
      syn = flags.SYN === true;
      ack = flags.ACK === true;
      rst = flags.RST === true;
      for (const _ in flags) {
        hasFlags = true;
        break;
      }
    }
  }

  let isReply = boolOf(flow.is_reply);
  if (flow.is_reply !== undefined && isReply === undefined)
    throw new Invalid('invalid_field', 'is_reply is not a boolean');
  if (isReply === undefined && flow.reply !== undefined) {
    if (typeof flow.reply !== 'boolean') throw new Invalid('invalid_field', 'reply is not a boolean');
    if (flow.reply) isReply = true;
  }

  const type = flow.Type;
  const isL7 = type === 'L7' || type === 2;
  const isSock = type === 'SOCK' || type === 3;
  let role: ConnectionRole;
  if (isSock) role = SOCKET_EVENT;
  else if (protocol === 'ICMP' || protocol === 'ICMPv6')
    role = isL7 ? NOT_A_START : isReply !== true && !isIcmpResponse ? A_START : ICMP_REPLY;
  else {
    // An L7 record (HTTP, DNS, Kafka) carries no TCP flags: read as a packet without them.
    role = connectionRole({
      protocol,
      sourcePort: sourcePort ?? 0,
      destinationPort: destinationPort ?? 0,
      hasFlags: hasFlags && !isL7,
      syn,
      ack,
      rst,
      isReply,
      forwarded: verdict === 'forwarded',
      dropped: verdict === 'dropped',
    });
    // A forwarded L7 record proves the connection between its two ends on its port; the L3/L4
    // event of the same connection counts the start, so the record is evidence, never a count.
    if (isL7 && role.isConnectionStart && verdict === 'forwarded') role = L7_REQUEST;
  }
  const isConnectionStart = role.isConnectionStart;

  let direction: TrafficDirection = 'unknown';
  const td = flow.traffic_direction;
  if (td === 'INGRESS' || td === 1) direction = 'ingress';
  else if (td === 'EGRESS' || td === 2) direction = 'egress';

  let dropReason: string | undefined;
  if (verdict === 'dropped')
    dropReason = dropReasonName(flow.drop_reason_desc) ?? dropReasonName(flow.drop_reason);
  const isPolicyDrop = dropReason !== undefined && isPolicyDropReason(dropReason);

  if (
    startsOnly &&
    !isConnectionStart &&
    role.established === undefined &&
    flow.ingress_allowed_by === undefined &&
    flow.egress_allowed_by === undefined &&
    flow.ingress_denied_by === undefined &&
    flow.egress_denied_by === undefined &&
    isPlainEndpoint(flow.source) &&
    isPlainEndpoint(flow.destination)
  ) {
    return validNonStart(role.noEdge);
  }

  const source = check(endpointOf('source', flow.source, sourceIp, flow.source_names, counter, memo));
  const destination = check(
    endpointOf('destination', flow.destination, destinationIp, flow.destination_names, counter, memo),
  );

  let policies: PolicyRefs = NO_POLICIES;
  if (
    flow.ingress_allowed_by !== undefined ||
    flow.egress_allowed_by !== undefined ||
    flow.ingress_denied_by !== undefined ||
    flow.egress_denied_by !== undefined
  ) {
    policies = {
      ingressAllowedBy: check(policyRefsOf(flow.ingress_allowed_by, 'ingress_allowed_by', counter)),
      egressAllowedBy: check(policyRefsOf(flow.egress_allowed_by, 'egress_allowed_by', counter)),
      ingressDeniedBy: check(policyRefsOf(flow.ingress_denied_by, 'ingress_denied_by', counter)),
      egressDeniedBy: check(policyRefsOf(flow.egress_denied_by, 'egress_denied_by', counter)),
    };
  }

  let node: string | undefined;
  const nodeCandidate = envelopeNode ?? flow.node_name;
  if (typeof nodeCandidate === 'string' && nodeCandidate.length > 0) {
    if (nodeCandidate.length <= MAX_OBJECT_NAME_CHARS) node = nodeCandidate;
    else counter.dropped++;
  }

  const result: { -readonly [K in keyof Flow]: Flow[K] } = {
    timeMs,
    source,
    destination,
    protocol,
    direction,
    verdict,
    isPolicyDrop,
    policies,
    isReply,
    isConnectionStart,
  };
  if (role.established !== undefined) result.established = role.established;
  else if (!isConnectionStart) result.noEdge = role.noEdge ?? 'not-a-connection-start';
  if (node !== undefined) result.node = node;
  if (sourcePort !== undefined) result.sourcePort = sourcePort;
  if (destinationPort !== undefined) result.destinationPort = destinationPort;
  if (dropReason !== undefined) result.dropReason = dropReason;
  if (counter.dropped > 0) result.droppedValues = counter.dropped;
  return result;
}

function parseLine(line: string, startsOnly: boolean, memo: HubbleMemo): IngestResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return reject('invalid_json', 'line is not valid JSON');
  }
  return normalize(value, undefined, startsOnly, memo);
}

/** One Hubble parser: its three entry points share one memo (see HubbleMemo). */
export interface HubbleParser {
  /** Parses one line of `hubble observe -o json|jsonpb` output or a Hubble exporter file. */
  readonly parseLine: LineParser;
  /**
   * parseLine for the store's ingest path: a valid event that starts no connection comes back as
   * a shared ValidNonStart (with why it makes no edge), validated but not built. Accepts and
   * rejects exactly what parseLine does.
   */
  readonly ingestLine: IngestParser;
  /**
   * Normalizes one Hubble event that is already a JS object: a GetFlowsResponse/ExportEvent
   * envelope, or a bare Flow (then pass `envelope` for the response's node_name and time).
   */
  readonly normalize: (obj: unknown, envelope?: HubbleEnvelope) => ParseResult;
}

/** A new parser with its own memo; a source creates one and keeps it. Never throws. */
export function hubbleParser(): HubbleParser {
  const memo = newMemo();
  return {
    // Without startsOnly every valid event is built.
    parseLine: (line) => parseLine(line, false, memo) as ParseResult,
    ingestLine: (line) => parseLine(line, true, memo),
    normalize: (obj, envelope) => normalize(obj, envelope, false, memo) as ParseResult,
  };
}

/** One line, with a parser of its own (nothing remembered); sources use hubbleParser(). */
export function parseHubbleLine(line: string): ParseResult {
  return hubbleParser().parseLine(line);
}

/** ingestLine of a parser of its own (nothing remembered); sources use hubbleParser(). */
export function ingestHubbleLine(line: string): IngestResult {
  return hubbleParser().ingestLine(line);
}
