// Drift of a staged set: when live traffic shows paths the set would drop, the proposal the
// recommender makes now (from all traffic, including what arrived since staging) is compared
// with the frozen set, policy by policy, so the user sees what re-staging would change.
import type { NetworkPolicy } from '../policy/model.js';
import { policyId } from './staged-set.js';

export type DriftChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DriftEntry {
  /** `namespace/name`. */
  readonly policy: string;
  readonly change: DriftChange;
  /** The staged spec (absent when added) and the recomputed one (absent when removed). */
  readonly staged?: NetworkPolicy['spec'];
  readonly recommended?: NetworkPolicy['spec'];
}

/** A canonical JSON text (keys sorted) so property order never shows as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  // JSON.stringify gives undefined (typed string) for undefined, functions and symbols.
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
    ? 'null'
    : JSON.stringify(value);
}

export function policyDrift(
  staged: readonly NetworkPolicy[],
  recommended: readonly NetworkPolicy[],
): DriftEntry[] {
  const before = new Map(staged.map((p) => [policyId(p), p]));
  const out: DriftEntry[] = [];
  for (const policy of recommended) {
    const id = policyId(policy);
    const old = before.get(id);
    before.delete(id);
    if (old === undefined) out.push({ policy: id, change: 'added', recommended: policy.spec });
    else if (canonical(old.spec) === canonical(policy.spec))
      out.push({ policy: id, change: 'unchanged', staged: old.spec, recommended: policy.spec });
    else out.push({ policy: id, change: 'changed', staged: old.spec, recommended: policy.spec });
  }
  for (const [id, old] of before) out.push({ policy: id, change: 'removed', staged: old.spec });
  return out;
}

export function hasDrift(entries: readonly DriftEntry[]): boolean {
  return entries.some((e) => e.change !== 'unchanged');
}
