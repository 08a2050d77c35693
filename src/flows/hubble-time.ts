// Hubble capture times → epoch ms: RFC 3339 text (protojson) or {seconds, nanos} (proto-loader).
// Part of the ingest hot path: consecutive flows share their minute, which a parser remembers.
import { isRecord } from '../lib/is-record.js';

/** The last minute a parser read: `YYYY-MM-DDTHH:MM` and its epoch ms. */
export interface MinuteMemo {
  minute: string;
  minuteMs: number;
}

// Consecutive flows share their minute: remember the last `YYYY-MM-DDTHH:MM` prefix and its
// epoch ms, and read seconds and fraction by hand (as Date.parse does: the first three fraction
// digits, truncated). Anything else — other offsets, leap seconds, odd shapes — is Date.parse's.
function rfc3339Ms(text: string, memo: MinuteMemo): number {
  const n = text.length;
  if (
    n < 20 ||
    n > 30 ||
    text.charCodeAt(n - 1) !== 90 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(10) !== 84
  )
    return Date.parse(text);
  const tens = text.charCodeAt(17) - 48;
  const units = text.charCodeAt(18) - 48;
  if (tens < 0 || tens > 5 || units < 0 || units > 9) return Date.parse(text);
  let fraction = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 || n === 21) return Date.parse(text);
    for (let i = 20; i < n - 1; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Date.parse(text);
      if (i < 23) fraction += digit * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
  }
  if (memo.minute.length !== 16 || !text.startsWith(memo.minute)) {
    const minute = text.slice(0, 16);
    const ms = Date.parse(`${minute}:00Z`);
    if (Number.isNaN(ms)) return Date.parse(text);
    memo.minute = minute;
    memo.minuteMs = ms;
  }
  return memo.minuteMs + (tens * 10 + units) * 1000 + fraction;
}

/** Timestamp as RFC 3339 text (protojson) or {seconds, nanos} (proto-loader) → ms. */
export function timeMsOf(value: unknown, memo: MinuteMemo): number | undefined {
  let ms: number;
  if (typeof value === 'string') {
    if (value.length < 20 || value.length > 40) return undefined;
    ms = rfc3339Ms(value, memo);
  } else if (isRecord(value)) {
    const seconds = typeof value.seconds === 'string' ? Number(value.seconds) : value.seconds;
    const nanos = value.nanos === undefined ? 0 : value.nanos;
    if (typeof seconds !== 'number' || typeof nanos !== 'number') return undefined;
    ms = seconds * 1000 + Math.floor(nanos / 1e6);
  } else {
    return undefined;
  }
  // Finite and between 1970 and 9999: anything else is not a capture time.
  return Number.isFinite(ms) && ms > 0 && ms < 253402300800000 ? Math.floor(ms) : undefined;
}
