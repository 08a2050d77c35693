// Bounds on attacker-controlled values inside flow events (labels, names, ports, addresses).
// Every parser goes through these helpers so one flood of oversized labels or names cannot
// blow up memory downstream (edges keep labels and names per peer). Values over a bound are
// dropped and counted in `Flow.droppedValues`; structurally impossible values (a port of
// 70000, a namespace of 1 KiB) reject the whole line as `invalid_field`.
import { isIpAddress } from '../net/ip.js';

/** At most this many labels per endpoint; the rest are dropped (counted). */
export const MAX_LABELS = 64;
/** Kubernetes label key: optional DNS-subdomain prefix (≤ 253) + '/' + name (≤ 63). */
export const MAX_LABEL_KEY_CHARS = 317;
export const MAX_LABEL_VALUE_CHARS = 63;
/** DNS names kept per endpoint, and the length of one name. */
export const MAX_NAMES = 20;
export const MAX_NAME_CHARS = 253;
/** Pod, namespace, workload and node names (DNS subdomain length). */
export const MAX_OBJECT_NAME_CHARS = 253;
/** Policy references kept per list. */
export const MAX_POLICY_REFS = 20;
/** Longest piece of input echoed into a rejection detail. */
const DETAIL_CHARS = 64;

/** Mutable counter a parser threads through the bound helpers. */
export interface DropCounter {
  dropped: number;
}

/**
 * Adds a label within bounds and returns the new label count (`count` is the count before);
 * a dropped label is counted in `counter`.
 */
export function addLabel(
  labels: Record<string, string>,
  count: number,
  key: string,
  value: string,
  counter: DropCounter,
): number {
  if (
    key.length === 0 ||
    key.length > MAX_LABEL_KEY_CHARS ||
    value.length > MAX_LABEL_VALUE_CHARS ||
    key === '__proto__' // a plain object would take it as its prototype (prototype poisoning)
  ) {
    counter.dropped++;
    return count;
  }
  if (Object.prototype.hasOwnProperty.call(labels, key)) {
    labels[key] = value;
    return count;
  }
  if (count >= MAX_LABELS) {
    counter.dropped++;
    return count;
  }
  labels[key] = value;
  return count + 1;
}

/** Appends DNS names from an untrusted array, bounded in count and length. */
export function addNames(out: string[], values: unknown, counter: DropCounter): void {
  if (!Array.isArray(values)) return;
  for (const value of values as unknown[]) {
    if (typeof value !== 'string' || value.length === 0) continue;
    if (value.length > MAX_NAME_CHARS || out.length >= MAX_NAMES) {
      counter.dropped++;
      continue;
    }
    if (!out.includes(value)) out.push(value);
  }
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}

/** A name of a Kubernetes object (pod, namespace, node): non-empty string within 253 chars. */
export function isObjectName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_OBJECT_NAME_CHARS;
}

/**
 * IP validation on the hot path: dotted-quad IPv4 is checked with a char loop (same rules as
 * src/net/ip.ts: four decimal octets ≤ 255, no leading zeros); everything else goes to
 * src/net/ip.ts.
 */
export function isValidIp(text: string): boolean {
  const n = text.length;
  if (n >= 7 && n <= 15) {
    let octets = 0;
    let digits = 0;
    let value = 0;
    let first = 0;
    let plain = true;
    for (let i = 0; i <= n; i++) {
      const c = i === n ? 46 : text.charCodeAt(i);
      if (c === 46) {
        if (digits === 0 || value > 255 || (digits > 1 && first === 48)) return false;
        octets++;
        digits = 0;
        value = 0;
      } else if (c >= 48 && c <= 57) {
        if (digits === 0) first = c;
        digits++;
        if (digits > 3) return false;
        value = value * 10 + (c - 48);
      } else {
        plain = false;
        break;
      }
    }
    if (plain) return octets === 4;
  }
  return n <= 45 && isIpAddress(text);
}

/** Shortens attacker-controlled text before it goes into a rejection detail. */
export function clip(value: unknown): string {
  // Never stringify objects here: a deeply nested value could overflow the stack.
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value === null
          ? 'null'
          : Array.isArray(value)
            ? 'array'
            : typeof value;
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS)}…` : text;
}
