// Sorting and searching the flows the Flows page loaded: pure functions over the API's items, so
// they are unit-tested without a browser. Search matches every word (case-insensitive) against a
// flow's names, labels, DNS names, IPs, port, protocol, verdict and drop reasons.
import type { EdgeJson } from '../api/common.js';
import { peerLabel, type PeerView } from './format.js';

/** What sorting and search read of a flow (GET /api/v1/flows items). */
export type FlowJson = Pick<
  EdgeJson,
  'source' | 'destination' | 'port' | 'protocol' | 'verdict' | 'count' | 'firstSeen' | 'lastSeen'
> &
  Partial<Pick<EdgeJson, 'dropReasons'>>;

export const SORT_KEYS = [
  'source',
  'destination',
  'port',
  'verdict',
  'reason',
  'count',
  'firstSeen',
  'lastSeen',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export function isSortKey(value: string | undefined): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value ?? '');
}

/** The drop reasons of a flow, most frequent first. */
export function dropReasons(flow: Pick<FlowJson, 'dropReasons'>): string[] {
  return Object.entries(flow.dropReasons ?? {})
    .map(([reason, count]) => [reason, count] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason]) => reason);
}

function sortValue(flow: FlowJson, key: SortKey): string | number {
  switch (key) {
    case 'source':
      return peerLabel(flow.source);
    case 'destination':
      return peerLabel(flow.destination);
    case 'port':
      return flow.port ?? -1;
    case 'verdict':
      return flow.verdict;
    case 'reason':
      return dropReasons(flow).join(',');
    case 'count':
      return flow.count;
    case 'firstSeen':
      return Date.parse(flow.firstSeen) || 0;
    case 'lastSeen':
      return Date.parse(flow.lastSeen) || 0;
  }
}

/** A stable sort (ties keep the API's order). */
export function sortFlows<F extends FlowJson>(
  flows: readonly F[],
  key: SortKey,
  direction: SortDirection,
): F[] {
  const sign = direction === 'asc' ? 1 : -1;
  return flows
    .map((flow, index) => ({ flow, index, value: sortValue(flow, key) }))
    .sort((a, b) => {
      const order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return order !== 0 ? sign * order : a.index - b.index;
    })
    .map((entry) => entry.flow);
}

function peerText(peer: PeerView): string {
  const labels = Object.entries(peer.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    peerLabel(peer),
    peer.namespace,
    peer.workload,
    peer.kind,
    peer.ip,
    ...(peer.names ?? []),
    ...(peer.pods ?? []),
    ...labels,
  ]
    .filter((t): t is string => typeof t === 'string' && t !== '')
    .join(' ');
}

/** The text search looks in, lower-cased. */
export function searchText(flow: FlowJson): string {
  return [
    peerText(flow.source),
    peerText(flow.destination),
    flow.port === null ? '' : String(flow.port),
    flow.protocol,
    flow.verdict,
    ...dropReasons(flow),
  ]
    .join(' ')
    .toLowerCase();
}

export function searchFlows<F extends FlowJson>(flows: readonly F[], query: string): F[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return [...flows];
  return flows.filter((flow) => {
    const text = searchText(flow);
    return words.every((w) => text.includes(w));
  });
}
