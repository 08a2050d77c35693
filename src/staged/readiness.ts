// Readiness of a staged set: has it been clean long enough, on enough traffic, to enforce?
// `would-break` while a would-drop happened within the clean period (what it would break is
// recent), `ready` once it has been clean for the whole period and has judged at least the
// minimum traffic, `watching` otherwise. Pure: `nowMs` is the daemon's clock, the same clock
// that stamped the staging time and each would-drop's evaluation.
import type { StagedSet, StagedTraffic } from './staged-set.js';

export type ReadinessVerdict = 'ready' | 'watching' | 'would-break';
export const READINESS_VERDICTS: readonly ReadinessVerdict[] = ['ready', 'watching', 'would-break'];

export interface ReadinessOptions {
  /** How long a set must have been clean (default 7 days). */
  readonly cleanPeriodMs: number;
  /** Connection starts judged since staging needed before `ready`. */
  readonly minConnections: number;
  /** Distinct paths judged since staging needed before `ready`. */
  readonly minPaths: number;
}

export const DAY_MS = 86_400_000;
export const DEFAULT_READINESS: ReadinessOptions = Object.freeze({
  cleanPeriodMs: 7 * DAY_MS,
  minConnections: 100,
  minPaths: 1,
});

export interface Readiness {
  readonly verdict: ReadinessVerdict;
  /** The time of the last would-drop, or the staging time. */
  readonly cleanSinceMs: number;
  readonly cleanForMs: number;
  /** Time still to wait before the clean period is over (0 when over). */
  readonly remainingMs: number;
  /** Why this verdict, in one sentence. */
  readonly reason: string;
}

function days(ms: number): string {
  const d = ms / DAY_MS;
  return d >= 1 ? `${Math.floor(d * 10) / 10} days` : `${Math.floor(ms / 3_600_000)} hours`;
}

export function readinessOf(
  set: Pick<StagedSet, 'stagedAtMs'>,
  traffic: StagedTraffic,
  options: ReadinessOptions,
  nowMs: number,
): Readiness {
  const cleanSinceMs = Math.max(set.stagedAtMs, traffic.lastWouldDropAtMs ?? Number.NEGATIVE_INFINITY);
  const cleanForMs = Math.max(0, nowMs - cleanSinceMs);
  const remainingMs = Math.max(0, options.cleanPeriodMs - cleanForMs);
  const base = { cleanSinceMs, cleanForMs, remainingMs };
  if (traffic.lastWouldDropAtMs !== undefined && remainingMs > 0) {
    return {
      ...base,
      verdict: 'would-break',
      reason: `it would have dropped ${traffic.wouldDropPaths} observed paths, the last ${days(cleanForMs)} ago`,
    };
  }
  if (remainingMs > 0)
    return {
      ...base,
      verdict: 'watching',
      reason: `clean for ${days(cleanForMs)} of the ${days(options.cleanPeriodMs)} required`,
    };
  if (traffic.connections < options.minConnections || traffic.paths < options.minPaths) {
    return {
      ...base,
      verdict: 'watching',
      reason: `clean for ${days(cleanForMs)}, but only ${traffic.connections} connections on ${traffic.paths} paths judged (at least ${options.minConnections} on ${options.minPaths} needed)`,
    };
  }
  return {
    ...base,
    verdict: 'ready',
    reason: `clean for ${days(cleanForMs)} over ${traffic.connections} connections on ${traffic.paths} paths`,
  };
}
