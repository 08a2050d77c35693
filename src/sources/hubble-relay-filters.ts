// The server-side filters sent with GetFlows, so the relay ships only events that can create or
// explain an edge: connection starts that are not replies, plus every drop. Everything else
// (ACKs, mid-stream packets, replies, L7 records of established connections) never leaves the
// relay, which is most of the bandwidth saving. FlowFilter semantics (formats.md §2.6): fields in
// one filter are ANDed, values in one field ORed, filters in the list ORed, and the result is
// whitelist − blacklist.

/** The subset of flow.FlowFilter this client sends (proto field names, enum names). */
export interface FlowFilter {
  readonly verdict?: readonly string[];
  readonly protocol?: readonly string[];
  readonly reply?: readonly boolean[];
  readonly tcp_flags?: readonly Readonly<Record<string, boolean>>[];
  readonly event_type?: readonly { readonly type: number; readonly match_sub_type?: boolean; readonly sub_type?: number }[];
  readonly source_pod?: readonly string[];
  readonly destination_pod?: readonly string[];
  readonly node_name?: readonly string[];
  readonly traffic_direction?: readonly string[];
}

export interface RelayFilters {
  readonly whitelist: readonly FlowFilter[];
  readonly blacklist: readonly FlowFilter[];
}

/**
 * - TCP: SYN set and not a reply. tcp_flags cannot say "ACK clear", so the SYN-ACK (which has
 *   SYN set too) is kept out by reply=false and, for agents that leave is_reply unset on it, by
 *   the blacklist entry for forwarded SYN+ACK.
 * - UDP, SCTP, ICMP (v4 and v6): every non-reply event; the normalizer decides which are starts.
 * - Every DROPPED flow, replies included: a dropped reply is still evidence for the drops view.
 */
export function connectionStartFilters(): RelayFilters {
  return {
    whitelist: [
      { protocol: ['tcp'], tcp_flags: [{ SYN: true }], reply: [false] },
      { protocol: ['udp', 'sctp', 'icmp'], reply: [false] },
      { verdict: ['DROPPED'] },
    ],
    blacklist: [{ verdict: ['FORWARDED'], tcp_flags: [{ SYN: true, ACK: true }] }],
  };
}

/** No filter at all: every flow the relay has (for debugging and benchmarks). */
export const NO_FILTERS: RelayFilters = Object.freeze({ whitelist: [], blacklist: [] });
