// Small helpers shared by the gRPC sources (Hubble Relay, Goldmane): narrowing decoded messages,
// classifying gRPC errors into retry classes (house style §4, reliability.md R4), and
// rate-limiting repeated warnings into counted summaries.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Clock } from './backoff.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function grpcCode(err: unknown): number | undefined {
  if (!isRecord(err)) return undefined;
  const code = err['code'];
  return typeof code === 'number' ? code : undefined;
}

const RETRYABLE_CODES: ReadonlySet<number> = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
  GrpcStatus.CANCELLED,
]);

/**
 * Transient: the server may come back (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED,
 * ABORTED, INTERNAL for resets, UNKNOWN). Not transient: UNAUTHENTICATED, PERMISSION_DENIED,
 * INVALID_ARGUMENT, UNIMPLEMENTED … these are retried only at the backoff cap and mark the
 * source failed.
 */
export function isRetryableGrpcError(err: unknown): boolean {
  const code = grpcCode(err);
  if (code === undefined) return true;
  return RETRYABLE_CODES.has(code);
}

export function describeGrpcError(err: unknown): string {
  const code = grpcCode(err);
  const name = code === undefined ? 'ERROR' : (GrpcStatus[code] ?? String(code));
  const details =
    isRecord(err) && typeof err['details'] === 'string'
      ? err['details']
      : err instanceof Error
        ? err.message
        : String(err);
  return `${name}: ${details.slice(0, 300)}`;
}

/** Allows one log line per key per interval and counts what it suppressed. */
export class LogLimiter {
  private readonly last = new Map<string, number>();
  private readonly dropped = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  allow(key: string): boolean {
    const now = this.clock.now();
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.intervalMs) {
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
      return false;
    }
    if (this.last.size > 1000) this.last.clear();
    this.last.set(key, now);
    return true;
  }

  /** How many lines for key were suppressed since the last allowed one (and resets it). */
  suppressed(key: string): number {
    const n = this.dropped.get(key) ?? 0;
    this.dropped.delete(key);
    return n;
  }
}
