// Hubble's server-side flow filters, as cilium's pkg/hubble/filters applies them, for the fake
// relay: on flows as proto-loader decodes them (keepCase, enum names, wrappers as {value}).
// - whitelist/blacklist: a flow passes when the whitelist is empty or one of its filters matches,
//   and no blacklist filter matches (filters.Apply: MatchOne && MatchNone). Inside one filter
//   every non-empty field must match (AND); the values of one field are ORed.
// - verdict: the flow's verdict is one of the values.
// - protocol: l4 oneof member (tcp, udp, sctp, icmpv4, icmpv6, vrrp, igmp; `icmp` matches both
//   ICMP versions) or L7 record (dns, http); an unknown name is an InvalidArgument error.
// - reply: is_reply unset never matches, except on a DROPPED flow where unset counts as false
//   (compatibility with the deprecated `reply` field); a set wrapper compares its value.
// - tcp_flags: the flow must be TCP with flags; a filter entry matches when every flag it sets is
//   set on the flow (extra flags on the flow are fine); entries are ORed.

type Obj = Record<string, unknown>;

const L4_PROTOCOLS = new Map<string, readonly string[]>([
  ['tcp', ['TCP']],
  ['udp', ['UDP']],
  ['sctp', ['SCTP']],
  ['icmpv4', ['ICMPv4']],
  ['icmpv6', ['ICMPv6']],
  ['icmp', ['ICMPv4', 'ICMPv6']],
  ['vrrp', ['VRRP']],
  ['igmp', ['IGMP']],
]);
const L7_PROTOCOLS = new Map<string, string>([
  ['dns', 'dns'],
  ['http', 'http'],
]);
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];

export class InvalidFilterError extends Error {}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** Throws InvalidFilterError for a filter Hubble refuses to build (unknown protocol name). */
export function validateFilters(filters: readonly unknown[]): void {
  for (const filter of filters) {
    for (const p of (isObj(filter) ? list(filter['protocol']) : undefined) ?? []) {
      const name = String(p).toLowerCase();
      if (!L4_PROTOCOLS.has(name) && !L7_PROTOCOLS.has(name))
        throw new InvalidFilterError(`invalid protocol filter: unknown protocol: "${String(p)}"`);
    }
  }
}

function matchesVerdict(values: unknown[], flow: Obj): boolean {
  return values.some((v) => v === flow['verdict']);
}

function matchesProtocol(values: unknown[], flow: Obj): boolean {
  const l4 = isObj(flow['l4']) ? flow['l4'] : undefined;
  const l7 = isObj(flow['l7']) ? flow['l7'] : undefined;
  // The set oneof member: proto-loader reports it in `protocol` (oneofs: true); else the one key.
  const member =
    l4 === undefined
      ? undefined
      : typeof l4['protocol'] === 'string'
        ? l4['protocol']
        : Object.keys(l4).find((k) => isObj(l4[k]));
  for (const value of values) {
    const name = String(value).toLowerCase();
    if (member !== undefined && (L4_PROTOCOLS.get(name) ?? []).includes(member)) return true;
    const record = L7_PROTOCOLS.get(name);
    if (record !== undefined && l7 !== undefined && isObj(l7[record])) return true;
  }
  return false;
}

function matchesReply(values: unknown[], flow: Obj): boolean {
  const wrapper = flow['is_reply'];
  if (!isObj(wrapper) && flow['verdict'] !== 'DROPPED') return false;
  const reply = isObj(wrapper) && wrapper['value'] === true;
  return values.some((v) => v === reply);
}

function matchesTcpFlags(values: unknown[], flow: Obj): boolean {
  const l4 = isObj(flow['l4']) ? flow['l4'] : {};
  const tcp = isObj(l4['TCP']) ? l4['TCP'] : undefined;
  const flags = tcp !== undefined && isObj(tcp['flags']) ? tcp['flags'] : undefined;
  if (flags === undefined) return false;
  return values.some(
    (want) => isObj(want) && TCP_FLAGS.every((flag) => want[flag] !== true || flags[flag] === true),
  );
}

/** One FlowFilter against one flow: every field the filter sets must match. */
export function matchesFilter(filter: Obj, flow: Obj): boolean {
  const verdicts = list(filter['verdict']);
  if (verdicts !== undefined && !matchesVerdict(verdicts, flow)) return false;
  const protocols = list(filter['protocol']);
  if (protocols !== undefined && !matchesProtocol(protocols, flow)) return false;
  const replies = list(filter['reply']);
  if (replies !== undefined && !matchesReply(replies, flow)) return false;
  const flags = list(filter['tcp_flags']);
  if (flags !== undefined && !matchesTcpFlags(flags, flow)) return false;
  return true;
}

/** filters.Apply(whitelist, blacklist, flow). */
export function passesFilters(
  whitelist: readonly unknown[],
  blacklist: readonly unknown[],
  flow: Obj,
): boolean {
  const wl = whitelist.filter(isObj);
  const bl = blacklist.filter(isObj);
  if (wl.length > 0 && !wl.some((f) => matchesFilter(f, flow))) return false;
  return !bl.some((f) => matchesFilter(f, flow));
}
