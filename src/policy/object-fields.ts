// Reading fields of untrusted Kubernetes API objects: strings, string maps, protocols, canonical
// IP addresses, the controlling owner, the API server's own endpoints. Nothing here throws; a
// field of the wrong type reads as absent.
import { formatIp, parseIp } from '../net/ip.js';
import { isRecord } from '../lib/is-record.js';
import type { PolicyProtocol } from './model.js';

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A name for a problem's object label: an untrusted name is cut short. */
export function shortName(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 64)}…`;
}

export function protocolOf(value: unknown): PolicyProtocol | undefined {
  if (value === undefined || value === null) return 'TCP';
  return value === 'TCP' || value === 'UDP' || value === 'SCTP' ? value : undefined;
}

/** The addresses of default/kubernetes in an EndpointSlice (`kubernetes.io/service-name`) or Endpoints object. */
export function apiServerAddressesOf(
  kind: string,
  name: string | undefined,
  metadata: Record<string, unknown>,
  object: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  if (kind === 'EndpointSlice') {
    const labels = isRecord(metadata['labels']) ? metadata['labels'] : {};
    if (labels['kubernetes.io/service-name'] !== 'kubernetes') return out;
    for (const endpoint of Array.isArray(object['endpoints']) ? (object['endpoints'] as unknown[]) : []) {
      if (!isRecord(endpoint)) continue;
      for (const address of Array.isArray(endpoint['addresses'])
        ? (endpoint['addresses'] as unknown[])
        : []) {
        const ip = canonical(address);
        if (ip !== undefined) out.push(ip);
      }
    }
    return out;
  }
  if (name !== 'kubernetes') return out;
  for (const subset of Array.isArray(object['subsets']) ? (object['subsets'] as unknown[]) : []) {
    if (!isRecord(subset)) continue;
    for (const address of Array.isArray(subset['addresses']) ? (subset['addresses'] as unknown[]) : []) {
      const ip = isRecord(address) ? canonical(address['ip']) : undefined;
      if (ip !== undefined) out.push(ip);
    }
  }
  return out;
}

export function canonical(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

export interface OwnerRef {
  kind: string;
  name: string;
}

export function controllerOf(metadata: Record<string, unknown>): OwnerRef | undefined {
  const refs = Array.isArray(metadata['ownerReferences']) ? (metadata['ownerReferences'] as unknown[]) : [];
  let first: OwnerRef | undefined;
  for (const ref of refs) {
    if (!isRecord(ref)) continue;
    const kind = str(ref['kind']);
    const name = str(ref['name']);
    if (kind === undefined || name === undefined) continue;
    if (ref['controller'] === true) return { kind, name };
    first ??= { kind, name };
  }
  return first;
}
