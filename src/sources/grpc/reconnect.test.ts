import { describe, expect, it } from 'vitest';
import { Backoff } from '../../lib/backoff.js';
import { LogLimiter } from '../../lib/log-limiter.js';
import { newStreamHealth, nextAttemptDelay } from './reconnect.js';

function setup() {
  let now = 0;
  const warnings: { obj: object; msg: string | undefined }[] = [];
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const log = {
    logger: { info: () => undefined, warn: (obj: object, msg?: string) => warnings.push({ obj, msg }) },
    limiter: new LogLimiter(clock, 30_000),
    source: 'relay',
    message: 'stream lost; reconnecting',
  };
  // random() = 0.999…: each delay is at its ceiling, so the pace is visible.
  const backoff = new Backoff({ initialMs: 100, maxMs: 1600, factor: 2 }, () => 0.999999);
  return { health: newStreamHealth(), backoff, log, warnings, advance: (ms: number) => (now += ms) };
}

describe('nextAttemptDelay', () => {
  it('counts a retryable error, marks the source reconnecting and backs off step by step', () => {
    const { health, backoff, log } = setup();
    const first = nextAttemptDelay(
      health,
      { kind: 'error', message: 'UNAVAILABLE', retryable: true },
      backoff,
      log,
    );
    const second = nextAttemptDelay(health, { kind: 'ended' }, backoff, log);
    expect(health).toEqual({ state: 'reconnecting', errors: 1, reconnects: 2, lastError: 'UNAVAILABLE' });
    expect(first).toBeLessThan(second);
    expect(second).toBeLessThanOrEqual(200);
  });

  it('marks a permanent error failed and retries only at the cap from then on', () => {
    const { health, backoff, log } = setup();
    const delay = nextAttemptDelay(
      health,
      { kind: 'error', message: 'PERMISSION_DENIED', retryable: false },
      backoff,
      log,
    );
    expect(health.state).toBe('failed');
    expect(delay).toBeGreaterThan(1500);
    // A later clean end does not make a failed source look healthy.
    nextAttemptDelay(health, { kind: 'ended' }, backoff, log);
    expect(health.state).toBe('failed');
  });

  it('warns once per interval and reports how many warnings it held back', () => {
    const { health, backoff, log, warnings, advance } = setup();
    for (let i = 0; i < 3; i++) nextAttemptDelay(health, { kind: 'ended' }, backoff, log);
    expect(warnings).toHaveLength(1);
    advance(30_000);
    nextAttemptDelay(health, { kind: 'error', message: 'reset', retryable: true }, backoff, log);
    expect(warnings.map((w) => w.obj)).toEqual([
      expect.objectContaining({ source: 'relay', reason: 'stream ended', suppressed: 0 }),
      expect.objectContaining({ source: 'relay', reason: 'reset', suppressed: 2 }),
    ]);
    expect(warnings[0]?.msg).toBe('stream lost; reconnecting');
  });
});
