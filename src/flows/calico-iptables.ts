// Kernel log lines written by a Calico `Log` policy rule (iptables/nftables data plane,
// ../shared/docs/formats.md §5) → Flow. The line holds addresses, protocol, ports and TCP
// flags only: endpoints come out as `cluster` (the interface is a Calico workload veth, `cali…`)
// or `unknown`, with just the IP; an inventory names the pods later.
//
// Verdict. A `Log` rule fires before the verdict, so a `calico-packet:` line does not say what
// happened next. It is reported as `forwarded` (the packet was attempted; the recommender
// treats observed attempts as intended traffic). A prefix containing `drop` or `deny` (Calico
// Enterprise's `calico-drop:` from DropActionOverride=LogAndDrop, or a custom `logPrefix` put
// on a Log rule just before a Deny) is reported as `dropped` by policy.
//
// Connection starts. Calico's policy chains only see packets conntrack did not already accept
// (new connections), so a logged UDP/SCTP packet or ICMP request starts a connection; TCP
// still requires SYN without ACK, and ICMP replies/errors never do.
//
// Time. RFC 3339 (rsyslog, `journalctl -o short-iso`) is used as is. The classic syslog stamp
// (`May 18 18:42:44`) has no year and no zone: pass `{ year }` (the core has no clock); it is
// read as UTC. Without a year such lines are rejected `missing_field`, not guessed.
import { MAX_LINE_BYTES_DEFAULT, NO_POLICIES, reject } from './flow.js';
import type {
  Endpoint,
  EndpointKind,
  Flow,
  LineParser,
  ParseResult,
  Protocol,
  TrafficDirection,
} from './flow.js';
import { clip, isPort, isValidIp } from './bounds.js';

export interface CalicoIptablesOptions {
  /** Year for classic syslog timestamps, which have none. */
  readonly year?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CLASSIC_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? /;
const PROTOCOL_BY_TOKEN = new Map<string, Protocol>([
  ['TCP', 'TCP'],
  ['UDP', 'UDP'],
  ['SCTP', 'SCTP'],
  ['ICMP', 'ICMP'],
  ['ICMPv6', 'ICMPv6'],
  ['6', 'TCP'],
  ['17', 'UDP'],
  ['132', 'SCTP'],
  ['1', 'ICMP'],
  ['58', 'ICMPv6'],
]);
const ICMPV4_RESPONSE_TYPES = new Set([0, 3, 4, 5, 11, 12, 14, 16, 18]);
const ICMPV6_RESPONSE_TYPES = new Set([1, 2, 3, 4, 129]);
const MAX_TOKENS = 64;

function timeOf(line: string, year: number | undefined): number | ParseResult {
  const first = line.indexOf(' ');
  if (first > 0 && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84) {
    // RFC 3339; journald's short-iso writes the offset without a colon (+0100).
    let stamp = line.slice(0, first);
    if (/[+-]\d{4}$/.test(stamp)) stamp = `${stamp.slice(0, -2)}:${stamp.slice(-2)}`;
    const ms = Date.parse(stamp);
    if (!Number.isFinite(ms) || ms <= 0) return reject('invalid_field', `timestamp ${clip(stamp)}`);
    return ms;
  }
  const match = CLASSIC_RE.exec(line);
  if (match === null) return reject('missing_field', 'no syslog timestamp');
  if (year === undefined) return reject('missing_field', 'syslog timestamp has no year (pass { year })');
  const month = MONTHS.indexOf(match[1] ?? '');
  if (month < 0) return reject('invalid_field', `month ${clip(match[1])}`);
  const fraction = (match[6] ?? '').padEnd(3, '0').slice(0, 3);
  const ms = Date.UTC(
    year,
    month,
    Number(match[2]),
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(fraction),
  );
  return Number.isFinite(ms) && ms > 0 ? ms : reject('invalid_field', 'timestamp out of range');
}

function interfaceKind(name: string | undefined): EndpointKind {
  return name !== undefined && name.startsWith('cali') ? 'cluster' : 'unknown';
}

function endpoint(kind: EndpointKind, ip: string): Endpoint {
  return { kind, ip, labels: {}, names: [] };
}

function parseLine(line: string, options: CalicoIptablesOptions): ParseResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  const inAt = line.indexOf(': IN=');
  if (inAt < 0) return reject('unparseable_line', 'no netfilter LOG fields (": IN=")');
  const prefixStart = line.lastIndexOf(' ', inAt) + 1;
  const prefix = line.slice(prefixStart, inAt).toLowerCase();
  const time = timeOf(line, options.year);
  if (typeof time !== 'number') return time;

  const fields = new Map<string, string>();
  const flags = new Set<string>();
  const tokens = line.slice(inAt + 2).split(' ');
  if (tokens.length > MAX_TOKENS * 2) return reject('invalid_field', 'too many fields');
  for (const token of tokens) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq < 0) flags.add(token);
    else {
      const key = token.slice(0, eq);
      // Keys repeat (LEN, ID for ICMP); the first one is the IP header's.
      if (!fields.has(key)) fields.set(key, token.slice(eq + 1));
    }
  }
  const src = fields.get('SRC');
  const dst = fields.get('DST');
  const protoToken = fields.get('PROTO');
  if (src === undefined) return reject('missing_field', 'SRC');
  if (dst === undefined) return reject('missing_field', 'DST');
  if (protoToken === undefined) return reject('missing_field', 'PROTO');
  if (!isValidIp(src)) return reject('invalid_field', `SRC ${clip(src)}`);
  if (!isValidIp(dst)) return reject('invalid_field', `DST ${clip(dst)}`);
  const protocol = PROTOCOL_BY_TOKEN.get(protoToken);
  if (protocol === undefined) return reject('unknown_enum', `PROTO ${clip(protoToken)}`);

  let sourcePort: number | undefined;
  let destinationPort: number | undefined;
  let isConnectionStart: boolean;
  if (protocol === 'ICMP' || protocol === 'ICMPv6') {
    const typeText = fields.get('TYPE');
    const type = typeText === undefined ? Number.NaN : Number(typeText);
    if (!Number.isInteger(type)) return reject('invalid_field', `ICMP TYPE ${clip(typeText ?? '')}`);
    isConnectionStart = !(protocol === 'ICMP' ? ICMPV4_RESPONSE_TYPES : ICMPV6_RESPONSE_TYPES).has(type);
  } else {
    const spt = fields.get('SPT');
    const dpt = fields.get('DPT');
    if (dpt === undefined) return reject('missing_field', 'DPT');
    sourcePort = spt === undefined ? undefined : Number(spt);
    destinationPort = Number(dpt);
    if (!isPort(destinationPort) || (sourcePort !== undefined && !isPort(sourcePort)) || !/^\d+$/.test(dpt)) {
      return reject('invalid_field', `ports ${clip(spt ?? '')} ${clip(dpt)}`);
    }
    isConnectionStart = protocol === 'TCP' ? flags.has('SYN') && !flags.has('ACK') : true;
  }

  const inIf = fields.get('IN');
  const outIf = fields.get('OUT');
  const fromWorkload = interfaceKind(inIf) === 'cluster';
  const toWorkload = interfaceKind(outIf) === 'cluster';
  let direction: TrafficDirection = 'unknown';
  if (fromWorkload && !toWorkload) direction = 'egress';
  else if (toWorkload && !fromWorkload) direction = 'ingress';

  const dropped = prefix.includes('drop') || prefix.includes('deny');
  const flow: { -readonly [K in keyof Flow]: Flow[K] } = {
    timeMs: time,
    source: endpoint(interfaceKind(inIf), src),
    destination: endpoint(interfaceKind(outIf), dst),
    protocol,
    direction,
    verdict: dropped ? 'dropped' : 'forwarded',
    isPolicyDrop: dropped,
    policies: NO_POLICIES,
    isReply: undefined,
    isConnectionStart,
  };
  if (!isConnectionStart)
    flow.noEdge = protocol === 'ICMP' || protocol === 'ICMPv6' ? 'icmp-reply' : 'mid-connection';
  if (sourcePort !== undefined) flow.sourcePort = sourcePort;
  if (destinationPort !== undefined) flow.destinationPort = destinationPort;
  if (dropped) flow.dropReason = 'POLICY_DENIED';
  const kernelAt = line.indexOf(' kernel:');
  if (kernelAt > 0 && kernelAt < inAt) {
    const host = line.slice(line.lastIndexOf(' ', kernelAt - 1) + 1, kernelAt);
    if (/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(host)) flow.node = host;
  }
  return { ok: true, flow };
}

/** A line parser for Calico Log-rule kernel lines; `year` completes classic syslog stamps. */
export function calicoIptablesParser(options: CalicoIptablesOptions = {}): LineParser {
  return (line) => parseLine(line, options);
}

/** The parser without options (RFC 3339 timestamps only). */
export const parseCalicoIptablesLine: LineParser = calicoIptablesParser();
