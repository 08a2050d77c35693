// Content identity of one Goldmane FlowResult, for the de-duplication at a reconnect boundary
// (FlowResult ids are not stable across Goldmane restarts). Goldmane aggregates per FlowKey and
// window, so two records are the same delivery exactly when every FlowKey field — including the
// dest_service_* fields and the whole policy trace — and the window are equal. Keying on fewer
// fields made two different flows of one window collide and one of them vanish as a "duplicate".
//
// The key is a canonical serialisation (object keys sorted, absent and default values alike, as
// proto3 cannot tell them apart) hashed to a fixed size: the cursor keeps up to maxDedupKeys of
// them, and a policy trace is attacker-sized.
import { createHash } from 'node:crypto';
import { isRecord } from '../lib/is-record.js';

const MAX_DEPTH = 8;

/** proto3 defaults: a field set to its default is indistinguishable from an absent one. */
function isDefault(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) return '…';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => !isDefault(value[k]))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], depth + 1)}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'null';
}

function int(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : 0;
}

/** `start|end|sha256(canonical FlowKey)`. */
export function goldmaneFingerprint(obj: Record<string, unknown>): string {
  const flow = isRecord(obj['flow']) ? obj['flow'] : obj;
  const key = isRecord(flow['Key']) ? flow['Key'] : {};
  const digest = createHash('sha256').update(canonical(key, 0)).digest('base64url');
  return `${int(flow['start_time'])}|${int(flow['end_time'])}|${digest}`;
}
