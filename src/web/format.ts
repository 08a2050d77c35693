// Text formatting of API values: peers, times, counts. Returns strings only (rendered as text).
import { isObj, num, obj, optStr, str, strs } from './json.js';

/** `ns/workload` for a pod side, the first DNS name or the IP for anything else. */
export function peerLabel(value: unknown): string {
  const peer = obj(value);
  const namespace = optStr(peer['namespace']);
  if (namespace !== undefined)
    return `${namespace}/${optStr(peer['workload']) ?? optStr(peer['name']) ?? '?'}`;
  const names = strs(peer['names']);
  const ip = optStr(peer['ip']);
  const kind = optStr(peer['kind']) ?? 'external';
  if (names[0] !== undefined) return names[0];
  if (ip !== undefined) return ip;
  // A Calico-named peer: NetworkSet, `pub`/`pvt` network, host endpoint.
  const entity = isObj(peer['entity']) ? peer['entity'] : undefined;
  const entityName = entity === undefined ? undefined : optStr(entity['name']);
  if (entity !== undefined && entityName !== undefined) {
    const entityNamespace = optStr(entity['namespace']);
    return `${optStr(entity['kind']) ?? kind} ${entityNamespace !== undefined ? `${entityNamespace}/` : ''}${entityName}`;
  }
  return kind;
}

export function peerNamespace(value: unknown): string | undefined {
  return isObj(value) ? optStr(value['namespace']) : undefined;
}

export function portLabel(port: unknown, protocol: unknown): string {
  const p = num(port);
  const proto = str(protocol, 'TCP');
  return p === undefined ? proto : `${p}/${proto}`;
}

export function formatCount(value: unknown): string {
  const n = num(value);
  if (n === undefined) return '–';
  return n.toLocaleString('en-US');
}

export function formatTime(value: unknown): string {
  const text = typeof value === 'number' ? new Date(value).toISOString() : str(value);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return '–';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function timeAgo(value: unknown, nowMs = Date.now()): string {
  const ms = typeof value === 'number' ? value : Date.parse(str(value));
  if (Number.isNaN(ms)) return '–';
  const sec = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (sec < 60) return `${sec}s ago`;
  if (sec < 3600) return `${Math.round(sec / 60)}m ago`;
  if (sec < 86_400) return `${Math.round(sec / 3600)}h ago`;
  return `${Math.round(sec / 86_400)}d ago`;
}

export function percent(value: number | undefined): string {
  return value === undefined ? '–' : `${Math.round(value * 100)}%`;
}
