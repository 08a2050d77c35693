// gRPC errors for the stream sources (Hubble Relay, Goldmane): classifying them into retry
// classes (house style §4, reliability.md R4) and describing them for logs and status.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isRecord } from '../../lib/is-record.js';

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
