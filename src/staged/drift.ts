// Drift of a staged set: when live traffic shows paths the set would drop, the proposal the
// recommender makes now (from all traffic, including what arrived since staging) is compared
// with the frozen set, policy by policy, so the user sees what re-staging would change.
import { policyId, type StagedObject } from './staged-set.js';

export type DriftChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DriftEntry {
  /** `namespace/name` (NetworkPolicy), `Kind namespace/name` (other flavours). */
  readonly policy: string;
  readonly change: DriftChange;
  /** The staged spec (absent when added) and the recomputed one (absent when removed). */
  readonly staged?: unknown;
  readonly recommended?: unknown;
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

/** What a policy says: its spec (a CiliumNetworkPolicy may say it as `specs`). */
function specOf(policy: StagedObject): unknown {
  return policy.spec ?? policy.specs;
}

export function policyDrift(
  staged: readonly StagedObject[],
  recommended: readonly StagedObject[],
): DriftEntry[] {
  const before = new Map(staged.map((p) => [policyId(p), p]));
  const out: DriftEntry[] = [];
  for (const policy of recommended) {
    const id = policyId(policy);
    const old = before.get(id);
    before.delete(id);
    const spec = specOf(policy);
    if (old === undefined) out.push({ policy: id, change: 'added', recommended: spec });
    else if (canonical(specOf(old)) === canonical(spec))
      out.push({ policy: id, change: 'unchanged', staged: specOf(old), recommended: spec });
    else out.push({ policy: id, change: 'changed', staged: specOf(old), recommended: spec });
  }
  for (const [id, old] of before) out.push({ policy: id, change: 'removed', staged: specOf(old) });
  return out;
}

export function hasDrift(entries: readonly DriftEntry[]): boolean {
  return entries.some((e) => e.change !== 'unchanged');
}
