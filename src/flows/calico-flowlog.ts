// Calico Enterprise/Cloud flow log lines (`/var/log/calico/flowlogs/flows.log`, one JSON object
// per aggregated connection record; ../shared/docs/formats.md §3) → Flow.
//
// Counting a connection once. Felix writes a record on each end that hosts a Calico endpoint:
// `src` (the initiator's node) and `dst` (the receiver's node). The rule here:
//  - a `dst` report (also `"dst, fwd"`) always counts: it carries the final verdict, including
//    an ingress deny after an egress allow;
//  - a `src` report counts only when no `dst` report will exist: the destination is not a
//    workload or host endpoint (`net`/`ns`, e.g. the internet), or the source denied it (the
//    packet never left);
//  - a `fwd`-only report (traffic forwarded through a host endpoint) counts unless the
//    destination is a workload endpoint (whose node reports `dst`).
// Reports that do not count are still accepted with isConnectionStart false (their policy
// hits stay visible). Limit: when flow logs are collected from only some nodes, a pod-to-pod
// connection whose destination node is not collected is missed.
//
// Other choices: timeMs is `start_time` (seconds; `startTime` too); `num_flows_started` →
// connectionCount (absent → 1; 0 → not a connection start); action allow → forwarded, deny →
// dropped with dropReason POLICY_DENIED; enforced policy hits (else the legacy
// `all_policies`, plus `transit_policies`) → policy refs, direction from the reporter (src →
// egress, dst → ingress); staged and profile hits are not policies and are skipped.
// Endpoint types: wep → pod; hep → host; ns (NetworkSet) and net (`pub`/`pvt`) → world.
import { MAX_LINE_BYTES_DEFAULT, reject } from './flow.js';
import type { Endpoint, EndpointKind, Flow, ParseResult, PolicyRefs, Protocol, Verdict } from './flow.js';
import { MAX_POLICY_REFS, addLabel, addNames, clip, isObjectName, isPort, isRecord, isValidIp } from './bounds.js';
import type { DropCounter } from './bounds.js';
import { Invalid } from './invalid.js';
import { workloadOfPod, workloadOfPodPrefix } from './workload-name.js';

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
      if (typeof v !== 'string') throw new Invalid('invalid_field', `${side}_labels.${clip(key)} is not a string`);
      count = addLabel(labels, count, key, v, counter);
    }
  } else {
    throw new Invalid('invalid_field', `${side}_labels`);
  }
  return labels;
}

function endpointOf(record: Record<string, unknown>, side: 'source' | 'dest', counter: DropCounter): Endpoint {
  const type = record[`${side}_type`];
  const nameAggr = record[`${side}_name_aggr`];
  let kind: EndpointKind;
  if (typeof type === 'string') {
    const k = KIND_BY_TYPE.get(type);
    if (k === undefined) throw new Invalid('unknown_enum', `${side}_type ${clip(type)}`);
    kind = k;
  } else if (type === undefined || type === null) {
    // Some documented lines omit the type: infer from what is there.
    kind = nameAggr === 'pub' || nameAggr === 'pvt' ? 'world' : present(record[`${side}_namespace`]) ? 'pod' : 'unknown';
  } else {
    throw new Invalid('invalid_field', `${side}_type is not a string`);
  }
  const endpoint: MutableEndpoint = { kind, labels: {}, names: [] };
  const ip = record[`${side}_ip`];
  if (ip !== undefined && ip !== null && ip !== '' && ip !== '-') {
    if (typeof ip !== 'string' || !isValidIp(ip)) throw new Invalid('invalid_field', `${side}_ip: ${clip(ip)}`);
    endpoint.ip = ip;
  }
  const labels = labelsOf(record[`${side}_labels`], side, counter);
  if (side === 'dest') {
    const names: string[] = [];
    addNames(names, record.dest_domains, counter);
    endpoint.names = names;
  }
  if (kind !== 'pod') {
    endpoint.labels = kind === 'host' ? labels : {};
    return endpoint;
  }
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
    endpoint.workload = workloadOfPod(name, labels);
  } else if (typeof nameAggr === 'string' && nameAggr.endsWith('-*') && nameAggr.length > 2) {
    const prefix = nameAggr.slice(0, -1);
    if (!isObjectName(prefix)) throw new Invalid('invalid_field', `${side}_name_aggr`);
    endpoint.workload = workloadOfPodPrefix(prefix, labels);
  } else if (present(nameAggr)) {
    if (!isObjectName(nameAggr)) throw new Invalid('invalid_field', `${side}_name_aggr`);
    endpoint.workload = workloadOfPod(nameAggr, labels);
  }
  return endpoint;
}

interface PolicyHit {
  readonly index: number;
  readonly ref: string;
  readonly action: string;
}

/** `<index>|<tier>|<name>|<action>|<rule>` → a hit with a `namespace/name` ref, or undefined. */
function policyHitOf(text: string): PolicyHit | undefined {
  const parts = text.split('|');
  if (parts.length !== 5) return undefined;
  const [indexText, , name, action] = parts as [string, string, string, string, string];
  if (name.startsWith('__PROFILE__') || name.includes('staged:')) return undefined;
  let ref = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const namespace = name.slice(0, slash);
    let policy = name.slice(slash + 1);
    // Kubernetes NetworkPolicies appear as `<ns>/knp.default.<name>`.
    if (policy.startsWith('knp.default.')) policy = policy.slice('knp.default.'.length);
    if (!isObjectName(namespace) || !isObjectName(policy)) return undefined;
    ref = `${namespace}/${policy}`;
  } else if (!isObjectName(name)) {
    return undefined;
  }
  const index = Number(indexText);
  return { index: Number.isFinite(index) ? index : 0, ref, action };
}

function policiesOf(value: unknown, reporter: string, counter: DropCounter): PolicyRefs {
  const none: PolicyRefs = { ingressAllowedBy: [], egressAllowedBy: [], ingressDeniedBy: [], egressDeniedBy: [] };
  if (value === undefined || value === null) return none;
  if (!isRecord(value)) throw new Invalid('invalid_field', 'policies is not an object');
  const lists: unknown[] = [value.enforced_policies ?? value.all_policies, value.transit_policies];
  const hits: PolicyHit[] = [];
  for (const list of lists) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new Invalid('invalid_field', 'policies list is not an array');
    for (const item of list as unknown[]) {
      if (typeof item !== 'string') throw new Invalid('invalid_field', 'policy hit is not a string');
      const hit = policyHitOf(item);
      if (hit !== undefined) hits.push(hit);
    }
  }
  hits.sort((a, b) => a.index - b.index);
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const hit of hits) {
    const target = hit.action === 'allow' ? allowed : hit.action === 'deny' ? denied : undefined;
    if (target === undefined || target.includes(hit.ref)) continue;
    if (target.length >= MAX_POLICY_REFS) counter.dropped++;
    else target.push(hit.ref);
  }
  const ingress = reporter === 'dst';
  return {
    ingressAllowedBy: ingress ? allowed : [],
    egressAllowedBy: ingress ? [] : allowed,
    ingressDeniedBy: ingress ? denied : [],
    egressDeniedBy: ingress ? [] : denied,
  };
}

function intField(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Invalid('invalid_field', `${key}: ${clip(value)}`);
  return value;
}

function buildFlow(record: Record<string, unknown>): Flow {
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

  const source = endpointOf(record, 'source', counter);
  const destination = endpointOf(record, 'dest', counter);

  const sourcePort = intField(record, 'source_port');
  const destinationPort = intField(record, 'dest_port');
  if (sourcePort !== undefined && !isPort(sourcePort)) throw new Invalid('invalid_field', 'source_port');
  if (destinationPort !== undefined && !isPort(destinationPort)) throw new Invalid('invalid_field', 'dest_port');

  const started = intField(record, 'num_flows_started');
  const connectionCount = started ?? 1;
  const destHasReporter = record.dest_type === 'wep' || record.dest_type === 'hep' || (record.dest_type === undefined && destination.kind === 'pod');
  let counts: boolean;
  if (reporter === 'dst') counts = true;
  else if (reporter === 'src') counts = verdict === 'dropped' || !destHasReporter;
  else counts = record.dest_type !== 'wep';

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
    isConnectionStart: counts && connectionCount > 0,
    connectionCount,
  };
  if (verdict === 'dropped') flow.dropReason = 'POLICY_DENIED';
  if (sourcePort !== undefined) flow.sourcePort = sourcePort;
  if (destinationPort !== undefined && protocol !== 'ICMP' && protocol !== 'ICMPv6') flow.destinationPort = destinationPort;
  if (typeof record.host === 'string' && isObjectName(record.host)) flow.node = record.host;
  if (counter.dropped > 0) flow.droppedValues = counter.dropped;
  return flow;
}

/** Parses one Calico flow log line. Never throws. */
export function parseCalicoFlowLogLine(line: string): ParseResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return reject('invalid_json', 'line is not valid JSON');
  }
  if (!isRecord(value)) return reject('invalid_field', 'line is not a JSON object');
  try {
    return { ok: true, flow: buildFlow(value) };
  } catch (error) {
    if (error instanceof Invalid) return reject(error.reason, error.detail);
    throw error;
  }
}

