// Sorting and searching the flows the Flows page loaded: pure functions over the API's items, so
// they are unit-tested without a browser. Search matches every word (case-insensitive) against a
// flow's names, labels, DNS names, IPs, port, protocol, verdict and drop reasons.
import { num, obj, optStr, str, strs, type JsonObject } from './json.js';
import { peerLabel } from './format.js';

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
export function dropReasons(flow: JsonObject): string[] {
  return Object.entries(obj(flow['dropReasons']))
    .map(([reason, count]) => [reason, num(count) ?? 0] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason]) => reason);
}

function sortValue(flow: JsonObject, key: SortKey): string | number {
  switch (key) {
    case 'source':
      return peerLabel(flow['source']);
    case 'destination':
      return peerLabel(flow['destination']);
    case 'port':
      return num(flow['port']) ?? -1;
    case 'verdict':
      return str(flow['verdict']);
    case 'reason':
      return dropReasons(flow).join(',');
    case 'count':
      return num(flow['count']) ?? 0;
    case 'firstSeen':
      return Date.parse(str(flow['firstSeen'])) || 0;
    case 'lastSeen':
      return Date.parse(str(flow['lastSeen'])) || 0;
  }
}

/** A stable sort (ties keep the API's order). */
export function sortFlows(
  flows: readonly JsonObject[],
  key: SortKey,
  direction: SortDirection,
): JsonObject[] {
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

function peerText(value: unknown): string {
  const peer = obj(value);
  const labels = Object.entries(obj(peer['labels'])).map(([k, v]) => `${k}=${str(v)}`);
  return [
    peerLabel(peer),
    optStr(peer['namespace']),
    optStr(peer['workload']),
    optStr(peer['kind']),
    optStr(peer['ip']),
    ...strs(peer['names']),
    ...strs(peer['pods']),
    ...labels,
  ]
    .filter((t): t is string => t !== undefined)
    .join(' ');
}

/** The text search looks in, lower-cased. */
export function searchText(flow: JsonObject): string {
  return [
    peerText(flow['source']),
    peerText(flow['destination']),
    str(flow['port']),
    str(flow['protocol']),
    str(flow['verdict']),
    ...dropReasons(flow),
  ]
    .join(' ')
    .toLowerCase();
}

export function searchFlows(flows: readonly JsonObject[], query: string): JsonObject[] {
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
