// Which Calico report of a connection counts it, shared by the flow-log parser and the Goldmane
// adapter so both paths store one model.
//
// Felix on each node reports only its own endpoints' side of a connection: the initiator's node
// writes a `src` report, the receiver's node a `dst` report (flow logs may add a `fwd` report for
// traffic forwarded through a host endpoint). A pod-to-pod connection across nodes therefore
// arrives twice, with the verdict of each side. The rule, so each connection counts once and
// carries the verdict of the whole path:
//  - a destination pod (workload endpoint) has a node that reports: its `dst` report counts. It
//    holds the final verdict: an ingress deny after an egress allow is a drop at the destination;
//  - a `src` report counts when no counted `dst` report exists: the destination is a network, a
//    NetworkSet or a host endpoint, or the source denied it (the packet never left);
//  - a `dst` report for a destination that is not a pod counts only when the source has no Felix
//    report of its own (a network or NetworkSet source): otherwise the source's report counted it;
//  - a `fwd`-only report counts unless the destination is a workload endpoint.
// Limit: a host-endpoint destination's own ingress deny after a source allow is not seen as the
// path's verdict (the source's allow counted it); Calico reports such drops on the host's side.
//
// Connections established before observation: a counted allow record whose connections all
// started in an earlier interval (`num_flows_started` / `num_connections_started` 0: a connection
// still active, or completed, in this one) is evidence of its path, as a Hubble mid-stream packet
// is. Calico orients every record by the initiator, so it is the connection as written
// (`established: 'forward'`), one unit of evidence per record, never a connection count.

import type { NoEdgeReason } from './flow.js';

/** Calico's endpoint types, in flow-log spelling (Goldmane's enum maps onto these). */
export type CalicoEndpointType = 'wep' | 'hep' | 'ns' | 'net' | 'unknown';
export type CalicoReporter = 'src' | 'dst' | 'fwd';

export interface CalicoReport {
  readonly reporter: CalicoReporter;
  readonly denied: boolean;
  readonly sourceType: CalicoEndpointType;
  readonly destType: CalicoEndpointType;
}

/** True when this report is the one that counts its connections (see the module comment). */
export function isCountingReport(report: CalicoReport): boolean {
  const destIsPod = report.destType === 'wep';
  switch (report.reporter) {
    case 'dst':
      return destIsPod || !(report.sourceType === 'wep' || report.sourceType === 'hep');
    case 'src':
      return report.denied || !destIsPod;
    case 'fwd':
      return !destIsPod;
  }
}

/**
 * Connections a counted report stands for. A deny record may carry no started connection (the
 * attempt never got a conntrack entry): it still stands for at least one blocked attempt.
 */
export function connectionsOf(started: number, denied: boolean): number {
  return denied ? Math.max(1, started) : started;
}

/** What one Calico record contributes: connection starts, established evidence, or nothing (why). */
export type CalicoRecordRole =
  | { readonly isConnectionStart: true }
  | { readonly isConnectionStart: false; readonly established: 'forward' }
  | { readonly isConnectionStart: false; readonly noEdge: NoEdgeReason };

const START: CalicoRecordRole = Object.freeze({ isConnectionStart: true });
const ESTABLISHED: CalicoRecordRole = Object.freeze({ isConnectionStart: false, established: 'forward' });
const OTHER_END: CalicoRecordRole = Object.freeze({ isConnectionStart: false, noEdge: 'other-end-report' });
const NO_PORT: CalicoRecordRole = Object.freeze({ isConnectionStart: false, noEdge: 'missing-port' });

/**
 * The role of a record: `counts` from isCountingReport, `connections` from connectionsOf, and
 * `hasPort` whether the record names its destination port (always true for ICMP, which has none).
 * An allowed record without its port, started or established, makes no edge (`missing-port`),
 * never a portless one: no rule could name its port. A denied one still stands for one blocked
 * attempt.
 */
export function recordRole(
  counts: boolean,
  connections: number,
  hasPort: boolean,
  denied: boolean,
): CalicoRecordRole {
  if (!counts) return OTHER_END;
  if (!hasPort && !denied) return NO_PORT;
  return connections > 0 ? START : ESTABLISHED;
}
