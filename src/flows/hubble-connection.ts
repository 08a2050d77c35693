// What one Hubble L3/L4 event says about a connection: it starts one, it is a packet of one that
// was established before we looked (and which way that connection goes), or it is a reply that
// never becomes an edge. Hubble leaves `is_reply` unset at some observation points, so when it is
// unset the TCP flags and the ports decide:
// - TCP: SYN without ACK starts a connection; SYN+ACK is the server's answer (a reply).
// - UDP/SCTP: a packet from a well-known port (< 1024: 53, 123 …) to a port >= 1024, or from a
//   non-ephemeral port to an ephemeral one (>= 32768, Linux's default ip_local_port_range), is
//   the server answering a client: a reply, never a new connection toward the client's port.
// - Mid-stream TCP (ACK, PSH, FIN …; RST is not evidence of a connection) seen forwarded is a
//   connection established before observation: with is_reply false it runs source → destination;
//   unset, the same port rule names the server, and when the ports cannot tell (both well-known,
//   both ephemeral or both in between) the lower port is taken as the server's.
// Definite replies (is_reply true) are never evidence here: the request direction of the same
// connection is reported too, and the relay source asks Hubble not to send them (its filters).
// The port an edge keys on (the server's) must be known: proto3 JSON omits a zero port, so an
// absent port reads as 0, and a start or established packet whose server port is 0 (or whose
// ports cannot name the server because one is 0 while is_reply is unset) makes no edge, with
// reason `missing-port`: never a port-0 edge, never a port-0 allow rule.

import type { NoEdgeReason } from './flow.js';

/** How a non-start event evidences an established connection: as seen, or reversed. */
export type EstablishedOrientation = 'forward' | 'reverse';

export interface ConnectionRole {
  readonly isConnectionStart: boolean;
  /** Set when the event is evidence of a connection established before observation. */
  readonly established?: EstablishedOrientation;
  /** Set when the event is neither: why it makes no edge (the ingest summary says it). */
  readonly noEdge?: NoEdgeReason;
}

const START: ConnectionRole = Object.freeze({ isConnectionStart: true });
const REPLY: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'reply' });
const RESET: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'tcp-reset' });
const BLOCKED: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'blocked-mid-connection' });
const FORWARD: ConnectionRole = Object.freeze({ isConnectionStart: false, established: 'forward' });
const REVERSE: ConnectionRole = Object.freeze({ isConnectionStart: false, established: 'reverse' });
const NO_PORT: ConnectionRole = Object.freeze({ isConnectionStart: false, noEdge: 'missing-port' });

export const WELL_KNOWN_PORT_MAX = 1023;
export const EPHEMERAL_PORT_MIN = 32768;

/**
 * Which end serves, from the ports alone: 'source' when the source port is the service side,
 * 'destination' when the destination port is, undefined when the ports do not tell (also when
 * either is 0: an absent port says nothing about which end serves).
 */
export function serverSideByPorts(
  sourcePort: number,
  destinationPort: number,
): 'source' | 'destination' | undefined {
  if (sourcePort <= 0 || destinationPort <= 0) return undefined;
  const sourceWellKnown = sourcePort > 0 && sourcePort <= WELL_KNOWN_PORT_MAX;
  const destinationWellKnown = destinationPort > 0 && destinationPort <= WELL_KNOWN_PORT_MAX;
  if (sourceWellKnown !== destinationWellKnown) return sourceWellKnown ? 'source' : 'destination';
  const sourceEphemeral = sourcePort >= EPHEMERAL_PORT_MIN;
  const destinationEphemeral = destinationPort >= EPHEMERAL_PORT_MIN;
  if (sourceEphemeral !== destinationEphemeral) return sourceEphemeral ? 'destination' : 'source';
  return undefined;
}

export interface L4Facts {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** TCP only: whether the event carried a flags object at all, and the flags that matter. */
  readonly hasFlags: boolean;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly rst: boolean;
  readonly isReply: boolean | undefined;
  readonly forwarded: boolean;
  readonly dropped: boolean;
}

/** The role of a TCP, UDP or SCTP L3/L4 event (L7, SOCK and ICMP are decided by the caller). */
export function connectionRole(facts: L4Facts): ConnectionRole {
  const role = roleOf(facts);
  // The edge keys on the server's port: destination for a start or a forward packet, source reversed.
  const serverPort =
    role.isConnectionStart || role.established === 'forward'
      ? facts.destinationPort
      : role.established === 'reverse'
        ? facts.sourcePort
        : 1;
  return serverPort > 0 ? role : NO_PORT;
}

function roleOf(facts: L4Facts): ConnectionRole {
  if (facts.isReply === true) return REPLY;
  const unset = facts.isReply === undefined;
  if (facts.protocol === 'TCP') {
    // Field-masked exporter output has no flags: a dropped one is an attempt (as before).
    if (!facts.hasFlags) return facts.dropped ? START : facts.forwarded ? midstream(facts, unset) : BLOCKED;
    if (facts.syn && !facts.ack) return START;
    if (!facts.forwarded) return BLOCKED;
    if (facts.rst) return RESET;
    if (facts.syn && facts.ack) return unset ? REVERSE : REPLY; // the server's SYN-ACK
    return midstream(facts, unset);
  }
  // UDP and SCTP: every non-reply packet starts a "connection", unless the ports say it answers one.
  if (unset && serverSideByPorts(facts.sourcePort, facts.destinationPort) === 'source')
    return facts.forwarded ? REVERSE : BLOCKED;
  return START;
}

function midstream(facts: L4Facts, unset: boolean): ConnectionRole {
  if (!unset) return FORWARD;
  const server = serverSideByPorts(facts.sourcePort, facts.destinationPort);
  if (server === 'source') return REVERSE;
  if (server === 'destination') return FORWARD;
  // An absent port cannot be the lower one: the ports cannot tell which end serves.
  if (facts.sourcePort <= 0 || facts.destinationPort <= 0) return NO_PORT;
  return facts.sourcePort < facts.destinationPort ? REVERSE : FORWARD;
}
