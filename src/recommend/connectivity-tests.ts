// Connectivity tests for verify.sh: every allowed workload path must connect, DNS must resolve,
// and a few unobserved paths (a workload of the namespace to another's observed port) must fail.
import type { ConnectivityTest } from './proposal.js';
import type { PortEvidence } from './proposal.js';
import type { RuleAcc, WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, type WorkloadIndex, type WorkloadInfo } from './workloads.js';

const MAX_ALLOW_TESTS = 50;
const MAX_DENY_TESTS = 3;

function selectable(workload: WorkloadInfo): boolean {
  return Object.keys(workload.selector.matchLabels).length > 0 && workload.selector.exact !== false;
}

/** Rules and ports in a fixed order, so the tests do not depend on the order edges arrived in. */
function sortedRules(rules: ReadonlyMap<string, RuleAcc>): RuleAcc[] {
  return [...rules.values()].sort((a, b) => compareText(a.target.key, b.target.key));
}

function sortedPorts(rule: RuleAcc): PortEvidence[] {
  return [...rule.ports.values()].sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port);
}

/**
 * `namespaceWorkloads`: the index's workloads of `namespace` in index order (the caller groups
 * them once; filtering the whole index per namespace was quadratic), all of them when omitted.
 */
export function connectivityTests(namespace: string, accs: readonly WorkloadPolicyAcc[], index: WorkloadIndex, namespaceWorkloads: Iterable<WorkloadInfo> = index.byKey.values()): ConnectivityTest[] {
  const tests: ConnectivityTest[] = [];
  const from = (w: WorkloadInfo) => ({ namespace: w.namespace, selector: w.selector.matchLabels });
  // DNS from the first selectable workload of the namespace, with or without allow rules of its own.
  const first = [...namespaceWorkloads]
    .filter((w) => w.namespace === namespace && w.connections > 0 && selectable(w) && !index.isHostNetwork(w))
    .sort((a, b) => compareText(a.key, b.key))[0];
  if (first !== undefined) {
    tests.push({ expect: 'allow', description: `${first.key} resolves names through the cluster DNS`, from: from(first), to: { kind: 'dns' }, protocol: 'UDP', port: 53 });
  }
  // Allowed: every egress rule of the namespace's workloads (UDP is not reliably testable with nc).
  for (const acc of accs) {
    if (tests.length >= MAX_ALLOW_TESTS) break; // nothing more can be added below
    if (!selectable(acc.workload) || index.isHostNetwork(acc.workload)) continue;
    for (const rule of sortedRules(acc.egress)) {
      for (const port of sortedPorts(rule)) {
        if (port.protocol !== 'TCP' || tests.length >= MAX_ALLOW_TESTS) continue;
        if (rule.target.type === 'workload') {
          if (!selectable(rule.target.workload)) continue;
          tests.push({ expect: 'allow', description: `${acc.workload.key} -> ${rule.target.workload.key}:${port.port}`, from: from(acc.workload), to: { kind: 'pod', namespace: rule.target.workload.namespace, selector: rule.target.workload.selector.matchLabels }, protocol: 'TCP', port: port.port });
        } else if (rule.target.type === 'cidr' && (rule.target.cidr.endsWith('/32') || rule.target.cidr.endsWith('/128'))) {
          const ip = rule.target.cidr.slice(0, rule.target.cidr.lastIndexOf('/'));
          tests.push({ expect: 'allow', description: `${acc.workload.key} -> ${ip}:${port.port}`, from: from(acc.workload), to: { kind: 'ip', ip }, protocol: 'TCP', port: port.port });
        }
      }
    }
  }
  // Denied: a workload of the namespace that was never seen reaching a destination's observed port.
  let denies = 0;
  for (const target of accs) {
    if (denies >= MAX_DENY_TESTS) break;
    if (!selectable(target.workload) || index.isHostNetwork(target.workload)) continue;
    const ports = sortedRules(target.ingress).flatMap(sortedPorts).filter((p) => p.protocol === 'TCP');
    const port = ports[0];
    if (port === undefined) continue;
    const sources = new Set([...target.ingress.values()].flatMap((rule) => (rule.target.type === 'workload' ? [rule.target.workload.key] : [])));
    const prober = accs.find((acc) => acc.workload !== target.workload && !sources.has(acc.workload.key) && selectable(acc.workload) && !index.isHostNetwork(acc.workload));
    if (prober === undefined) continue;
    tests.push({ expect: 'deny', description: `${prober.workload.key} -> ${target.workload.key}:${port.port} (never observed)`, from: from(prober.workload), to: { kind: 'pod', namespace, selector: target.workload.selector.matchLabels }, protocol: 'TCP', port: port.port });
    denies++;
  }
  return tests;
}
