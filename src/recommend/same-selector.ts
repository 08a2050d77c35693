// Workloads whose chosen selectors are exactly the same select the same pods: one policy per
// direction for all of them, not several identical-selector policies that each look like the
// whole story. A warning names the label that would tell them apart (a key their labels give
// different values, or one only some of them carry), so the user can relabel and split them.
import type { Warning } from './proposal.js';
import type { RuleAcc, WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, type WorkloadInfo } from './workloads.js';

function selectorKey(workload: WorkloadInfo): string {
  return JSON.stringify(
    Object.entries(workload.selector.matchLabels).sort((a, b) => compareText(a[0], b[0])),
  );
}

/** A label key whose values differ between the workloads (or that not all of them have). */
function distinguishingLabel(workloads: readonly WorkloadInfo[]): string | undefined {
  const values = new Map<string, Set<string>>();
  const labelSets = workloads.map((w) => w.labelSets[0] ?? w.pods[0]?.labels ?? {});
  for (const labels of labelSets)
    for (const [key, value] of Object.entries(labels))
      (values.get(key) ?? values.set(key, new Set()).get(key))?.add(value);
  const keys = [...values.keys()].sort(compareText);
  return keys.find(
    (key) => (values.get(key)?.size ?? 0) > 1 || labelSets.some((labels) => labels[key] === undefined),
  );
}

function mergeRule(into: RuleAcc, from: RuleAcc): void {
  for (const [key, port] of from.ports) {
    if (!into.ports.has(key)) into.ports.set(key, port);
    into.portCounts.set(key, (into.portCounts.get(key) ?? 0) + (from.portCounts.get(key) ?? 0));
  }
  into.connections += from.connections;
  into.established += from.established;
  into.firstSeenMs = Math.min(into.firstSeenMs, from.firstSeenMs);
  into.lastSeenMs = Math.max(into.lastSeenMs, from.lastSeenMs);
  for (const pod of from.samplePods) into.samplePods.add(pod);
  for (const name of from.names) into.names.add(name);
  for (const reason of from.reasons) into.reasons.add(reason);
}

function copyRule(rule: RuleAcc): RuleAcc {
  return {
    ...rule,
    ports: new Map(rule.ports),
    portCounts: new Map(rule.portCounts),
    samplePods: new Set(rule.samplePods),
    names: new Set(rule.names),
    reasons: new Set(rule.reasons),
  };
}

/**
 * The accumulators to build policies from: one per distinct selector (the first workload by key
 * names the policy; the rules of the others are merged in), plus the warnings for each merge.
 */
export function mergeSameSelector(accs: readonly WorkloadPolicyAcc[]): {
  accs: WorkloadPolicyAcc[];
  warnings: Warning[];
} {
  const groups = new Map<string, WorkloadPolicyAcc[]>();
  for (const acc of accs) {
    const key = selectorKey(acc.workload);
    (groups.get(key) ?? groups.set(key, []).get(key))?.push(acc);
  }
  const out: WorkloadPolicyAcc[] = [];
  const warnings: Warning[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => compareText(a.workload.key, b.workload.key));
    const first = sorted[0] as WorkloadPolicyAcc;
    if (sorted.length === 1 || Object.keys(first.workload.selector.matchLabels).length === 0) {
      out.push(...sorted);
      continue;
    }
    const merged: WorkloadPolicyAcc = { workload: first.workload, ingress: new Map(), egress: new Map() };
    for (const acc of sorted) {
      for (const direction of ['ingress', 'egress'] as const) {
        for (const [key, rule] of acc[direction]) {
          const existing = merged[direction].get(key);
          if (existing === undefined) merged[direction].set(key, copyRule(rule));
          else mergeRule(existing, rule);
        }
      }
    }
    out.push(merged);
    const label = distinguishingLabel(sorted.map((acc) => acc.workload));
    const names = sorted.map((acc) => acc.workload.key).join(', ');
    warnings.push({
      code: 'same-selector',
      namespace: first.workload.namespace,
      subject: names,
      message: `${names} have exactly the same selector (${Object.entries(first.workload.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ',',
        )}), so they select the same pods: one policy per direction covers them all${label !== undefined ? `; the label ${label} would tell them apart if it were stable and selected` : ''}`,
    });
  }
  return { accs: out.sort((a, b) => compareText(a.workload.key, b.workload.key)), warnings };
}
