// Replies read backwards: with `is_reply` unset, a mid-stream packet is oriented by its ports (the
// well-known or non-ephemeral side serves, else the lower port), and when the client's port is
// the lower one the replies of a connection become "evidence" of a connection the other way,
// toward the client's ephemeral port. Such an edge is recognisable only together with the pair
// seen starting the other way, so the stores' consumers (the recommender over every edge, shadow
// mode over each batch) share the rule here: an edge that started nothing in view, whose every
// established event was oriented from ports and flags (none with its direction reported: Hubble
// `is_reply` false, Calico and Goldmane records), toward an ephemeral port, is a candidate; it is
// a reply when its reverse pair (pairKey of destination, source) had connection starts.
import { peerKey, type ObservedEdge } from './edge.js';
import { EPHEMERAL_PORT_MIN } from './hubble-connection.js';

type EdgeEvidenceCounts = Pick<ObservedEdge, 'source' | 'destination' | 'port' | 'count'> & {
  readonly establishedObserved?: number;
};

/** Whether the edge (or one batch's delta of it) may be replies read backwards: see above. */
export function mayBeReplyReadBackwards(edge: EdgeEvidenceCounts): boolean {
  return (
    edge.count === 0 &&
    (edge.establishedObserved ?? 0) === 0 &&
    edge.port !== null &&
    edge.port >= EPHEMERAL_PORT_MIN
  );
}

/** The key of the pair source → destination: the start of each of its edges' keys, before `|`. */
export function pairKeyOf(edge: Pick<ObservedEdge, 'source' | 'destination'>): string {
  return `${peerKey(edge.source)}>${peerKey(edge.destination)}`;
}

/** The key of the pair running the other way (destination → source). */
export function reversePairKeyOf(edge: Pick<ObservedEdge, 'source' | 'destination'>): string {
  return `${peerKey(edge.destination)}>${peerKey(edge.source)}`;
}
