// Calico Enterprise/Cloud flow log lines (`/var/log/calico/flowlogs/flows.log`, one JSON object
// per aggregated connection record; ../shared/docs/formats.md §3) → Flow.
//
// Counting a connection once: Felix writes a record on each end that hosts a Calico endpoint,
// `src` (the initiator's node) and `dst` (the receiver's node), plus `fwd` for traffic forwarded
// through a host endpoint. Which report counts is flows/calico-reporter.ts, the same rule the
// Goldmane adapter uses: the destination's report for pod destinations (it carries the verdict
// of the path, including an ingress deny after an egress allow); the source's report where the
// destination is a network, a NetworkSet or a host endpoint, or where the source denied it.
// Reports that do not count are still accepted with isConnectionStart false (their policy hits
// stay visible). Limit: when flow logs are collected from only some nodes, a pod-to-pod
// connection whose destination node is not collected is missed.
//
// Other choices: timeMs is `start_time` (seconds; `startTime` too); `num_flows_started` →
// connectionCount (absent → 1; 0 → not a connection start but, on the counting report of an
// allow, a connection established before observation (calico-reporter.ts recordRole); a deny
// stands for at least one blocked attempt); action allow → forwarded, deny → dropped with dropReason
// POLICY_DENIED; enforced policy hits (else the legacy `all_policies`, plus `transit_policies`)
// → policy refs, direction from the reporter (src → egress, dst → ingress); staged and profile
// hits are not policies and are skipped; an end-of-tier hit (rule index -1) already names the
// policy that selected the endpoint, so it is the policy at fault for a deny.
// Endpoint types: wep → pod (workload from the pod name or the aggregated `<generateName>*`);
// hep → host, named by its host; ns → the NetworkSet by namespace and name (with its labels);
// net → the network `pub`/`pvt` (flows/calico-entity.ts keeps these apart as peers).
import { MAX_LINE_BYTES_DEFAULT, reject } from './flow.js';
import type { Endpoint, EndpointKind, Flow, LineParser, ParseResult, Protocol, Verdict } from './flow.js';
import { addLabel, addNames, clip, isObjectName, isPort, isValidIp } from './bounds.js';
import { isRecord } from '../lib/is-record.js';
import type { DropCounter } from './bounds.js';
import { hostEndpointOf, isNetworkName, networkEndpoint, networkSetEndpoint } from './calico-entity.js';
import { connectionsOf, isCountingReport, recordRole, type CalicoEndpointType } from './calico-reporter.js';
import { policiesOf } from './calico-policy-hits.js';
import { Invalid } from './invalid.js';
import { WorkloadNames, workloadOfPodPrefix } from './workload-name.js';

const PROTOCOL_BY_NAME = new Map<string, Protocol>([
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['sctp', 'SCTP'],
  ['icmp', 'ICMP'],
  ['icmp6', 'ICMPv6'],
  ['icmpv6', 'ICMPv6'],
  ['ipv6-icmp', 'ICMPv6'],
  ['6', 'TCP'],
  ['17', 'UDP'],
  ['132', 'SCTP'],
  ['1', 'ICMP'],
  ['58', 'ICMPv6'],
]);

const KIND_BY_TYPE = new Map<string, EndpointKind>([
  ['wep', 'pod'],
  ['hep', 'host'],
  ['ns', 'world'],
  ['net', 'world'],
]);

type MutableEndpoint = { -readonly [K in keyof Endpoint]: Endpoint[K] };

/** `-` (not applicable / aggregated away) and `*` mean "no value" in flow logs. */
function present(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value !== '-' && value !== '*';
}

function labelsOf(value: unknown, side: string, counter: DropCounter): Record<string, string> {
  const labels: Record<string, string> = {};
  if (value === undefined || value === null || value === '-' || value === '') return labels;
  let list: unknown = value;
  if (isRecord(value) && value.labels !== undefined) list = value.labels;
  let count = 0;
  if (Array.isArray(list)) {
    for (const item of list as unknown[]) {
      if (typeof item !== 'string') throw new Invalid('invalid_field', `${side}_labels holds a non-string`);
      const eq = item.indexOf('=');
      if (eq <= 0) continue;
      count = addLabel(labels, count, item.slice(0, eq), item.slice(eq + 1), counter);
    }
  } else if (isRecord(list)) {
    for (const key of Object.keys(list)) {
      const v = list[key];
      if (typeof v !== 'string')
        throw new Invalid('invalid_field', `${side}_labels.${clip(key)} is not a string`);
      count = addLabel(labels, count, key, v, counter);
    }
  } else {
    throw new Invalid('invalid_field', `${side}_labels`);
  }
  return labels;
}

/** A hep, ns or net endpoint with its Calico name (calico-entity.ts), when the record gives one. */
function namedEndpoint(
  record: Record<string, unknown>,
  side: 'source' | 'dest',
  type: unknown,
  endpoint: MutableEndpoint,
  labels: Record<string, string>,
): Endpoint {
  const nameAggr = record[`${side}_name_aggr`];
  const name = present(nameAggr) && isObjectName(nameAggr) ? nameAggr : undefined;
  const fields = { ...(endpoint.ip === undefined ? {} : { ip: endpoint.ip }), names: endpoint.names };
  if (endpoint.kind === 'host')
    return name === undefined ? { ...endpoint, labels } : hostEndpointOf(name, { ...fields, labels });
  // A known address is the more precise identity; `pub`/`pvt` only name an aggregated one.
  if (name !== undefined && isNetworkName(name) && type !== 'ns')
    return endpoint.ip === undefined ? networkEndpoint(name, fields) : { ...endpoint, labels: {} };
  if (name !== undefined && type === 'ns') {
    const namespace = record[`${side}_namespace`];
    if (present(namespace) && !isObjectName(namespace))
      throw new Invalid('invalid_field', `${side}_namespace`);
    return networkSetEndpoint(present(namespace) ? namespace : undefined, name, { ...fields, labels });
  }
  return { ...endpoint, labels: {} };
}

function endpointOf(
  record: Record<string, unknown>,
  side: 'source' | 'dest',
  counter: DropCounter,
  workloads: WorkloadNames,
): Endpoint {
  const type = record[`${side}_type`];
  const nameAggr = record[`${side}_name_aggr`];
  let kind: EndpointKind;
  if (typeof type === 'string') {
    const k = KIND_BY_TYPE.get(type);
    if (k === undefined) throw new Invalid('unknown_enum', `${side}_type ${clip(type)}`);
    kind = k;
  } else if (type === undefined || type === null) {
    // Some documented lines omit the type: infer from what is there.
    kind =
      nameAggr === 'pub' || nameAggr === 'pvt'
        ? 'world'
        : present(record[`${side}_namespace`])
          ? 'pod'
          : 'unknown';
  } else {
    throw new Invalid('invalid_field', `${side}_type is not a string`);
  }
  const endpoint: MutableEndpoint = { kind, labels: {}, names: [] };
  const ip = record[`${side}_ip`];
  if (ip !== undefined && ip !== null && ip !== '' && ip !== '-') {
    if (typeof ip !== 'string' || !isValidIp(ip))
      throw new Invalid('invalid_field', `${side}_ip: ${clip(ip)}`);
    endpoint.ip = ip;
  }
  const labels = labelsOf(record[`${side}_labels`], side, counter);
  if (side === 'dest') {
    const names: string[] = [];
    addNames(names, record.dest_domains, counter);
    endpoint.names = names;
  }
  if (kind !== 'pod') return namedEndpoint(record, side, type, endpoint, labels);
  endpoint.labels = labels;
  const namespace = record[`${side}_namespace`];
  if (present(namespace)) {
    if (!isObjectName(namespace)) throw new Invalid('invalid_field', `${side}_namespace`);
    endpoint.namespace = namespace;
  }
  const name = record[`${side}_name`];
  if (present(name)) {
    if (!isObjectName(name)) throw new Invalid('invalid_field', `${side}_name`);
    endpoint.pod = name;
    endpoint.workload = workloads.ofPod(name, labels);
  } else if (typeof nameAggr === 'string' && nameAggr.endsWith('-*') && nameAggr.length > 2) {
    const prefix = nameAggr.slice(0, -1);
    if (!isObjectName(prefix)) throw new Invalid('invalid_field', `${side}_name_aggr`);
    endpoint.workload = workloadOfPodPrefix(prefix, labels);
  } else if (present(nameAggr)) {
    if (!isObjectName(nameAggr)) throw new Invalid('invalid_field', `${side}_name_aggr`);
    endpoint.workload = workloads.ofPod(nameAggr, labels);
  }
  return endpoint;
}

function typeOf(type: unknown, endpoint: Endpoint): CalicoEndpointType {
  if (type === 'wep' || type === 'hep' || type === 'ns' || type === 'net') return type;
  // Lines without a type: what endpointOf inferred.
  return endpoint.kind === 'pod' ? 'wep' : endpoint.kind === 'world' ? 'net' : 'unknown';
}

function intField(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Invalid('invalid_field', `${key}: ${clip(value)}`);
  return value;
}

function buildFlow(record: Record<string, unknown>, workloads: WorkloadNames): Flow {
  const counter: DropCounter = { dropped: 0 };
  const startSec = intField(record, 'start_time') ?? intField(record, 'startTime');
  if (startSec === undefined) throw new Invalid('missing_field', 'start_time');
  const timeMs = startSec * 1000;
  if (timeMs <= 0 || timeMs >= 253402300800000) throw new Invalid('invalid_field', 'start_time out of range');

  const proto = record.proto;
  if (proto === undefined || proto === null) throw new Invalid('missing_field', 'proto');
  if (typeof proto !== 'string' && typeof proto !== 'number') throw new Invalid('invalid_field', 'proto');
  const protocol = PROTOCOL_BY_NAME.get(String(proto).toLowerCase());
  if (protocol === undefined) throw new Invalid('unknown_enum', `proto ${clip(proto)}`);

  const action = record.action;
  if (action === undefined || action === null) throw new Invalid('missing_field', 'action');
  if (typeof action !== 'string') throw new Invalid('invalid_field', 'action');
  let verdict: Verdict;
  if (action === 'allow') verdict = 'forwarded';
  else if (action === 'deny') verdict = 'dropped';
  else throw new Invalid('unknown_enum', `action ${clip(action)}`);

  const reporterText = record.reporter;
  if (reporterText === undefined || reporterText === null) throw new Invalid('missing_field', 'reporter');
  if (typeof reporterText !== 'string') throw new Invalid('invalid_field', 'reporter');
  const parts = reporterText.split(',').map((p) => p.trim());
  const isDst = parts.includes('dst');
  const isSrc = parts.includes('src');
  const isFwd = parts.includes('fwd');
  if (!isDst && !isSrc && !isFwd) throw new Invalid('unknown_enum', `reporter ${clip(reporterText)}`);
  const reporter = isDst ? 'dst' : isSrc ? 'src' : 'fwd';

  const source = endpointOf(record, 'source', counter, workloads);
  const destination = endpointOf(record, 'dest', counter, workloads);

  const sourcePort = intField(record, 'source_port');
  const destinationPort = intField(record, 'dest_port');
  if (sourcePort !== undefined && !isPort(sourcePort)) throw new Invalid('invalid_field', 'source_port');
  if (destinationPort !== undefined && !isPort(destinationPort))
    throw new Invalid('invalid_field', 'dest_port');

  const started = intField(record, 'num_flows_started');
  const connectionCount = connectionsOf(started ?? 1, verdict === 'dropped');
  const counts = isCountingReport({
    reporter,
    denied: verdict === 'dropped',
    sourceType: typeOf(record.source_type, source),
    destType: typeOf(record.dest_type, destination),
  });
  const isIcmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  const role = recordRole(
    counts,
    connectionCount,
    isIcmp || (destinationPort ?? 0) > 0,
    verdict === 'dropped',
  );

  const flow: { -readonly [K in keyof Flow]: Flow[K] } = {
    timeMs,
    source,
    destination,
    protocol,
    direction: reporter === 'dst' ? 'ingress' : reporter === 'src' ? 'egress' : 'unknown',
    verdict,
    isPolicyDrop: verdict === 'dropped',
    policies: policiesOf(record.policies, reporter, counter),
    // A flow log record is oriented by the initiator of the connection: never a reply.
    isReply: false,
    isConnectionStart: role.isConnectionStart,
    connectionCount,
  };
  if ('established' in role) flow.established = role.established;
  else if ('noEdge' in role) flow.noEdge = role.noEdge;
  if (verdict === 'dropped') flow.dropReason = 'POLICY_DENIED';
  if (sourcePort !== undefined) flow.sourcePort = sourcePort;
  if (destinationPort !== undefined && !isIcmp) flow.destinationPort = destinationPort;
  if (typeof record.host === 'string' && isObjectName(record.host)) flow.node = record.host;
  if (counter.dropped > 0) flow.droppedValues = counter.dropped;
  return flow;
}

/**
 * A Calico flow log line parser with its own memo of workloads per pod name (a source creates
 * one and keeps it; nothing is shared between sources). Never throws.
 */
export function calicoFlowLogParser(): LineParser {
  const workloads = new WorkloadNames();
  return (line) => parseLine(line, workloads);
}

/** Parses one Calico flow log line with a parser of its own. Never throws. */
export function parseCalicoFlowLogLine(line: string): ParseResult {
  return parseLine(line, new WorkloadNames());
}

function parseLine(line: string, workloads: WorkloadNames): ParseResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return reject('invalid_json', 'line is not valid JSON');
  }
  if (!isRecord(value)) return reject('invalid_field', 'line is not a JSON object');
  try {
    return { ok: true, flow: buildFlow(value, workloads) };
  } catch (error) {
    if (error instanceof Invalid) return reject(error.reason, error.detail);
    throw error;
  }
}
