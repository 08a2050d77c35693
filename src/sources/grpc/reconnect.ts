// The reconnect bookkeeping shared by the long-lived gRPC stream sources (Hubble Relay,
// Goldmane): after each attempt ends, count it, decide the pace and say so in the log.
import type { Backoff } from '../../lib/backoff.js';
import type { SourceLogger } from '../../lib/logger.js';
import type { LogLimiter } from '../../lib/log-limiter.js';
import type { SourceState } from '../source.js';

/** How one attempt at the stream ended. */
export type StreamOutcome =
  { kind: 'ended' } | { kind: 'stopped' } | { kind: 'error'; message: string; retryable: boolean };

/** What a stream source reports of its connection in status(). */
export interface StreamHealth {
  state: SourceState;
  errors: number;
  reconnects: number;
  lastError: string | undefined;
}

export function newStreamHealth(): StreamHealth {
  return { state: 'stopped', errors: 0, reconnects: 0, lastError: undefined };
}

/**
 * After an attempt ended (and the source was not stopped): counts an error — a permanent one
 * (bad request, bad credentials) marks the source failed and keeps retrying only at the backoff's
 * cap — marks it reconnecting, logs a rate-limited warning, and returns the delay before the next
 * attempt.
 */
export function nextAttemptDelay(
  health: StreamHealth,
  outcome: StreamOutcome,
  backoff: Backoff,
  log: {
    readonly logger: SourceLogger;
    readonly limiter: LogLimiter;
    readonly source: string;
    readonly message: string;
  },
): number {
  if (outcome.kind === 'error') {
    health.errors += 1;
    health.lastError = outcome.message;
    if (!outcome.retryable) {
      health.state = 'failed';
      while (backoff.ceilingMs() < backoff.options.maxMs) backoff.nextDelayMs();
    }
  }
  if (health.state !== 'failed') health.state = 'reconnecting';
  const delayMs = backoff.nextDelayMs();
  health.reconnects += 1;
  if (log.limiter.allow('reconnect')) {
    log.logger.warn(
      {
        source: log.source,
        delayMs,
        reason: outcome.kind === 'error' ? outcome.message : 'stream ended',
        suppressed: log.limiter.suppressed('reconnect'),
      },
      log.message,
    );
  }
  return delayMs;
}
