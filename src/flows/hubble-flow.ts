// One Hubble flow object → Flow, in the order its fields are checked: capture time, verdict,
// addresses, the L4 header, the reply flag, what the event says about a connection
// (hubble-connection.ts), direction and drop reason; then, unless the event can be skipped
// unbuilt, the two endpoints (hubble-endpoints.ts), the policies that decided it and the node.
// Malformed fields throw Invalid (the caller turns it into a rejection); the first problem in that
// order is the one reported. This is the ingest hot path: plain property reads, no regex.
import { NO_POLICIES, validNonStart } from './flow.js';
import type { Flow, PolicyRefs, Protocol, TrafficDirection, ValidNonStart, Verdict } from './flow.js';
import { MAX_OBJECT_NAME_CHARS, MAX_POLICY_REFS, clip, isObjectName, isPort, isValidIp } from './bounds.js';
import { isRecord } from '../lib/is-record.js';
import type { DropCounter } from './bounds.js';
import { Invalid, check } from './invalid.js';
import { WorkloadNames } from './workload-name.js';
import { dropReasonName, isPolicyDropReason } from './hubble-drop-reasons.js';
import { connectionRole, type ConnectionRole } from './hubble-connection.js';
import { endpointOf, isOptionalName, isPlainEndpoint, type EndpointMemo } from './hubble-endpoints.js';
import { timeMsOf, type MinuteMemo } from './hubble-time.js';
import { newKnownEndpoints, type KnownEndpoints } from './hubble-known-endpoints.js';

/**
 * What one parser instance remembers between events: the last minute's epoch ms, the parsed
 * labels per identity and the workloads per pod name. Each source creates its own parser
 * (hubbleParser, parserFor), so nothing is shared between sources, CLI runs or tests.
 */
export interface HubbleMemo extends MinuteMemo, EndpointMemo {
  /** Endpoint object texts of earlier lines, not parsed again (hubble-known-endpoints.ts). */
  readonly known: KnownEndpoints;
}

export function newMemo(): HubbleMemo {
  return {
    minute: '',
    minuteMs: Number.NaN,
    labels: new Map(),
    workloads: new WorkloadNames(),
    endpoints: new WeakMap(),
    known: newKnownEndpoints(),
  };
}

const A_START: ConnectionRole = Object.freeze({ isConnectionStart: true });
const NOT_A_START: ConnectionRole = Object.freeze({
  isConnectionStart: false,
  noEdge: 'not-a-connection-start',
});
const SOCKET_EVENT: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'socket-event' });
const ICMP_REPLY: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'icmp-reply' });
const L7_REQUEST: ConnectionRole = Object.freeze({ isConnectionStart: false, established: 'forward' });

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

/** ICMP types that answer other traffic (echo reply, unreachable, time exceeded, …). */
const ICMPV4_RESPONSE_TYPES = new Set([0, 3, 4, 5, 11, 12, 14, 16, 18]);
const ICMPV6_RESPONSE_TYPES = new Set([1, 2, 3, 4, 129]);

function enumName(value: unknown, names: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return names[value] ?? String(value);
  return undefined;
}

function boolOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (isRecord(value) && typeof value.value === 'boolean') return value.value;
  if (isRecord(value) && value.value === undefined) return false; // a wrapper at its zero value
  return undefined;
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

/**
 * The Flow of one Hubble flow object, or throws Invalid. With `startsOnly`, an event that starts
 * no connection and that nothing past this point could reject (plain endpoints, no policy lists:
 * the node name and DNS names never reject) returns the shared ValidNonStart instead of being
 * built (with why it makes no edge).
 */
export function buildFlow(
  flow: Record<string, unknown>,
  envelopeNode: unknown,
  envelopeTime: unknown,
  startsOnly: boolean,
  memo: HubbleMemo,
): Flow | ValidNonStart {
  const timeMs = captureTimeOf(flow, envelopeTime, memo);
  const verdict = verdictOf(flow);
  const ipHeader = ipHeaderOf(flow);
  const sourceIp = ipHeader === undefined ? undefined : check(ipOf(ipHeader.source, 'IP.source'));
  const destinationIp =
    ipHeader === undefined ? undefined : check(ipOf(ipHeader.destination, 'IP.destination'));
  const l4 = transportOf(flow);
  const isReply = isReplyOf(flow);
  const role = connectionRoleOf(flow.Type, l4, isReply, verdict);
  const direction = directionOf(flow.traffic_direction);
  const dropReason =
    verdict === 'dropped'
      ? (dropReasonName(flow.drop_reason_desc) ?? dropReasonName(flow.drop_reason))
      : undefined;

  if (startsOnly && !role.isConnectionStart && role.established === undefined && isSkippable(flow))
    return validNonStart(role.noEdge);

  const counter: DropCounter = { dropped: 0 };
  const source = check(endpointOf('source', flow.source, sourceIp, flow.source_names, counter, memo));
  const destination = check(
    endpointOf('destination', flow.destination, destinationIp, flow.destination_names, counter, memo),
  );
  const policies = decidingPoliciesOf(flow, counter);
  const node = nodeNameOf(envelopeNode ?? flow.node_name, counter);

  const isConnectionStart = role.isConnectionStart;
  const result: { -readonly [K in keyof Flow]: Flow[K] } = {
    timeMs,
    source,
    destination,
    protocol: l4.protocol,
    direction,
    verdict,
    isPolicyDrop: dropReason !== undefined && isPolicyDropReason(dropReason),
    policies,
    isReply,
    isConnectionStart,
  };
  if (role.established !== undefined) result.established = role.established;
  else if (!isConnectionStart) result.noEdge = role.noEdge ?? 'not-a-connection-start';
  if (node !== undefined) result.node = node;
  if (l4.sourcePort !== undefined) result.sourcePort = l4.sourcePort;
  if (l4.destinationPort !== undefined) result.destinationPort = l4.destinationPort;
  if (dropReason !== undefined) result.dropReason = dropReason;
  if (counter.dropped > 0) result.droppedValues = counter.dropped;
  return result;
}

/** A present but malformed flow time is an error, not a reason to use the envelope's. */
function captureTimeOf(flow: Record<string, unknown>, envelopeTime: unknown, memo: MinuteMemo): number {
  const timeMs =
    flow.time !== undefined && flow.time !== null ? timeMsOf(flow.time, memo) : timeMsOf(envelopeTime, memo);
  if (timeMs === undefined) {
    throw flow.time === undefined && envelopeTime === undefined
      ? new Invalid('missing_field', 'time')
      : new Invalid('invalid_field', `time: ${clip(flow.time ?? envelopeTime)}`);
  }
  return timeMs;
}

function verdictOf(flow: Record<string, unknown>): Verdict {
  const verdictName = enumName(flow.verdict, VERDICT_NAME_BY_NUMBER);
  if (verdictName === undefined) {
    throw flow.verdict === undefined
      ? new Invalid('missing_field', 'verdict')
      : new Invalid('invalid_field', 'verdict is not an enum');
  }
  const verdict = VERDICT_BY_NAME.get(verdictName);
  if (verdict === undefined) throw new Invalid('unknown_enum', `verdict ${clip(verdictName)}`);
  return verdict;
}

function ipHeaderOf(flow: Record<string, unknown>): Record<string, unknown> | undefined {
  const ipHeader = flow.IP;
  if (ipHeader === undefined || ipHeader === null) return undefined;
  if (!isRecord(ipHeader)) throw new Invalid('invalid_field', 'IP is not an object');
  return ipHeader;
}

/** What the L4 header says: protocol, ports (absent reads as 0), ICMP response, TCP flags. */
interface Transport {
  readonly protocol: Protocol;
  readonly sourcePort: number | undefined;
  readonly destinationPort: number | undefined;
  readonly isIcmpResponse: boolean;
  readonly hasFlags: boolean;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly rst: boolean;
}

function transportOf(flow: Record<string, unknown>): Transport {
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

  if (protocol === 'ICMP' || protocol === 'ICMPv6') {
    const type = layer.type ?? 0;
    if (typeof type !== 'number') throw new Invalid('invalid_field', `l4.${protocol}.type`);
    const isIcmpResponse = (protocol === 'ICMP' ? ICMPV4_RESPONSE_TYPES : ICMPV6_RESPONSE_TYPES).has(type);
    return {
      protocol,
      sourcePort: undefined,
      destinationPort: undefined,
      isIcmpResponse,
      hasFlags: false,
      syn: false,
      ack: false,
      rst: false,
    };
  }
  // proto3 JSON omits zero values: an absent port is port 0.
  const sourcePort = check(portOf(layer.source_port, 'source_port')) ?? 0;
  const destinationPort = check(portOf(layer.destination_port, 'destination_port')) ?? 0;
  let syn = false;
  let ack = false;
  let rst = false;
  let hasFlags = false;
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
  return { protocol, sourcePort, destinationPort, isIcmpResponse: false, hasFlags, syn, ack, rst };
}

/** `is_reply` (a bool or its wrapper), else the deprecated `reply`; undefined when unset. */
function isReplyOf(flow: Record<string, unknown>): boolean | undefined {
  let isReply = boolOf(flow.is_reply);
  if (flow.is_reply !== undefined && isReply === undefined)
    throw new Invalid('invalid_field', 'is_reply is not a boolean');
  if (isReply === undefined && flow.reply !== undefined) {
    if (typeof flow.reply !== 'boolean') throw new Invalid('invalid_field', 'reply is not a boolean');
    if (flow.reply) isReply = true;
  }
  return isReply;
}

/** Whether the event starts a connection, evidences an established one, or neither (and why). */
function connectionRoleOf(
  type: unknown,
  l4: Transport,
  isReply: boolean | undefined,
  verdict: Verdict,
): ConnectionRole {
  const isL7 = type === 'L7' || type === 2;
  const isSock = type === 'SOCK' || type === 3;
  if (isSock) return SOCKET_EVENT;
  const protocol = l4.protocol;
  if (protocol === 'ICMP' || protocol === 'ICMPv6')
    return isL7 ? NOT_A_START : isReply !== true && !l4.isIcmpResponse ? A_START : ICMP_REPLY;
  // An L7 record (HTTP, DNS, Kafka) carries no TCP flags: read as a packet without them.
  const role = connectionRole({
    protocol,
    sourcePort: l4.sourcePort ?? 0,
    destinationPort: l4.destinationPort ?? 0,
    hasFlags: l4.hasFlags && !isL7,
    syn: l4.syn,
    ack: l4.ack,
    rst: l4.rst,
    isReply,
    forwarded: verdict === 'forwarded',
    dropped: verdict === 'dropped',
  });
  // A forwarded L7 record proves the connection between its two ends on its port; the L3/L4
  // event of the same connection counts the start, so the record is evidence, never a count.
  return isL7 && role.isConnectionStart && verdict === 'forwarded' ? L7_REQUEST : role;
}

function directionOf(td: unknown): TrafficDirection {
  if (td === 'INGRESS' || td === 1) return 'ingress';
  if (td === 'EGRESS' || td === 2) return 'egress';
  return 'unknown';
}

function hasPolicyLists(flow: Record<string, unknown>): boolean {
  return (
    flow.ingress_allowed_by !== undefined ||
    flow.egress_allowed_by !== undefined ||
    flow.ingress_denied_by !== undefined ||
    flow.egress_denied_by !== undefined
  );
}

/** Nothing past this point could reject the event: no policy lists, plain endpoints. */
function isSkippable(flow: Record<string, unknown>): boolean {
  return !hasPolicyLists(flow) && isPlainEndpoint(flow.source) && isPlainEndpoint(flow.destination);
}

function decidingPoliciesOf(flow: Record<string, unknown>, counter: DropCounter): PolicyRefs {
  if (!hasPolicyLists(flow)) return NO_POLICIES;
  return {
    ingressAllowedBy: check(policyRefsOf(flow.ingress_allowed_by, 'ingress_allowed_by', counter)),
    egressAllowedBy: check(policyRefsOf(flow.egress_allowed_by, 'egress_allowed_by', counter)),
    ingressDeniedBy: check(policyRefsOf(flow.ingress_denied_by, 'ingress_denied_by', counter)),
    egressDeniedBy: check(policyRefsOf(flow.egress_denied_by, 'egress_denied_by', counter)),
  };
}

/** The envelope's node name, else the flow's; an overlong one is dropped and counted. */
function nodeNameOf(candidate: unknown, counter: DropCounter): string | undefined {
  if (typeof candidate !== 'string' || candidate.length === 0) return undefined;
  if (candidate.length <= MAX_OBJECT_NAME_CHARS) return candidate;
  counter.dropped++;
  return undefined;
}
