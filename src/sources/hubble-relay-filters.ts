// The server-side filters sent with GetFlows. FlowFilter semantics (formats.md §2.6, and Hubble's
// pkg/hubble/filters): fields in one filter are ANDed, values in one field ORed, filters in the
// list ORed, and the result is whitelist − blacklist (an empty whitelist lets everything in).
//
// What the relay may leave out is only what can never create or explain an edge, so relay ingest
// stores the same edges as `ingest --format hubble` of the same flows (hubble-connection.ts):
// - Definite replies (is_reply true) are never evidence: blacklisted. Hubble's reply filter
//   rejects a flow whose is_reply is unset (a DROPPED one counts as is_reply false), so no
//   `reply` field is put in the whitelist: that would silently lose every connection start and
//   mid-stream packet reported at an observation point that leaves is_reply unset. Replies with
//   is_reply unset are decided on our side (TCP flags, then the ports).
// - Everything else passes: connection starts, drops, and the mid-stream packets of connections
//   established before observation (long-lived pools and streams show nothing else). With
//   Cilium's default monitor aggregation (medium) an established connection reports a packet
//   per flag change and per aggregation interval, not per packet, which bounds that volume.

/** The subset of flow.FlowFilter this client sends (proto field names, enum names). */
export interface FlowFilter {
  readonly verdict?: readonly string[];
  readonly protocol?: readonly string[];
  readonly reply?: readonly boolean[];
  readonly tcp_flags?: readonly Readonly<Record<string, boolean>>[];
  readonly event_type?: readonly {
    readonly type: number;
    readonly match_sub_type?: boolean;
    readonly sub_type?: number;
  }[];
  readonly source_pod?: readonly string[];
  readonly destination_pod?: readonly string[];
  readonly node_name?: readonly string[];
  readonly traffic_direction?: readonly string[];
}

export interface RelayFilters {
  readonly whitelist: readonly FlowFilter[];
  readonly blacklist: readonly FlowFilter[];
}

/** Every flow except definite replies (see the header for why nothing narrower is safe). */
export function connectionStartFilters(): RelayFilters {
  return {
    whitelist: [],
    blacklist: [{ reply: [true] }],
  };
}

/** No filter at all: every flow the relay has (for debugging and benchmarks). */
export const NO_FILTERS: RelayFilters = Object.freeze({ whitelist: [], blacklist: [] });
