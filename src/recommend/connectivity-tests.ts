// Connectivity tests for verify.sh: every allowed workload path must connect, DNS must resolve,
// and unobserved paths must fail: a workload of the namespace to another's observed port, a
// workload of another namespace to it (cross-namespace), and egress to an address outside the
// cluster. Every namespace gets at least one deny check when it has a selectable workload.
import { cidrContains, parseCidr, parseIp } from '../net/ip.js';
import type { ConnectivityTest } from './proposal.js';
import type { PortEvidence } from './proposal.js';
import type { RuleAcc, WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, type WorkloadIndex, type WorkloadInfo } from './workloads.js';

const MAX_ALLOW_TESTS = 50;
const MAX_DENY_TESTS = 3;
const MAX_CROSS_NAMESPACE_DENY_TESTS = 2;
/**
 * The outside address of the world deny check: a well-known anycast resolver on 443, reachable from
 * most clusters that have egress at all (README: where there is none, the check proves nothing).
 */
export const WORLD_PROBE_IP = '1.1.1.1';
export const WORLD_PROBE_PORT = 443;

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
export function connectivityTests(
  namespace: string,
  accs: readonly WorkloadPolicyAcc[],
  index: WorkloadIndex,
  namespaceWorkloads: Iterable<WorkloadInfo> = index.byKey.values(),
  probers: readonly WorkloadInfo[] = probeCandidates(index),
): ConnectivityTest[] {
  const tests: ConnectivityTest[] = [];
  const from = (w: WorkloadInfo) => ({ namespace: w.namespace, selector: w.selector.matchLabels });
  // DNS from the first selectable workload of the namespace, with or without allow rules of its own.
  const first = [...namespaceWorkloads]
    .filter((w) => w.namespace === namespace && w.connections > 0 && selectable(w) && !index.isHostNetwork(w))
    .sort((a, b) => compareText(a.key, b.key))[0];
  if (first !== undefined) {
    tests.push({
      expect: 'allow',
      description: `${first.key} resolves names through the cluster DNS`,
      from: from(first),
      to: { kind: 'dns' },
      protocol: 'UDP',
      port: 53,
    });
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
          tests.push({
            expect: 'allow',
            description: `${acc.workload.key} -> ${rule.target.workload.key}:${port.port}`,
            from: from(acc.workload),
            to: {
              kind: 'pod',
              namespace: rule.target.workload.namespace,
              selector: rule.target.workload.selector.matchLabels,
            },
            protocol: 'TCP',
            port: port.port,
          });
        } else if (
          rule.target.type === 'cidr' &&
          (rule.target.cidr.endsWith('/32') || rule.target.cidr.endsWith('/128'))
        ) {
          const ip = rule.target.cidr.slice(0, rule.target.cidr.lastIndexOf('/'));
          tests.push({
            expect: 'allow',
            description: `${acc.workload.key} -> ${ip}:${port.port}`,
            from: from(acc.workload),
            to: { kind: 'ip', ip },
            protocol: 'TCP',
            port: port.port,
          });
        }
      }
    }
  }
  // Denied: a workload of the namespace that was never seen reaching a destination's observed port.
  let denies = 0;
  for (const target of accs) {
    if (denies >= MAX_DENY_TESTS) break;
    if (!selectable(target.workload) || index.isHostNetwork(target.workload)) continue;
    const ports = sortedRules(target.ingress)
      .flatMap(sortedPorts)
      .filter((p) => p.protocol === 'TCP');
    const port = ports[0];
    if (port === undefined) continue;
    const sources = new Set(
      [...target.ingress.values()].flatMap((rule) =>
        rule.target.type === 'workload' ? [rule.target.workload.key] : [],
      ),
    );
    const prober = accs.find(
      (acc) =>
        acc.workload !== target.workload &&
        !sources.has(acc.workload.key) &&
        selectable(acc.workload) &&
        !index.isHostNetwork(acc.workload),
    );
    if (prober === undefined) continue;
    tests.push({
      expect: 'deny',
      description: `${prober.workload.key} -> ${target.workload.key}:${port.port} (never observed)`,
      from: from(prober.workload),
      to: { kind: 'pod', namespace, selector: target.workload.selector.matchLabels },
      protocol: 'TCP',
      port: port.port,
    });
    denies++;
  }
  tests.push(...crossNamespaceDenies(namespace, accs, index, probers));
  const world = worldDeny(accs, index);
  if (world !== undefined) tests.push(world);
  return tests;
}

function probeable(workload: WorkloadInfo, index: WorkloadIndex): boolean {
  return selectable(workload) && !index.isHostNetwork(workload);
}

/**
 * Probeable workloads outside the system namespaces, sorted by key: the cross-namespace deny
 * probers. The caller computes this once per index (sorting it for every namespace was
 * quadratic in a whole-cluster recommendation) and passes it to connectivityTests.
 */
export function probeCandidates(index: WorkloadIndex): readonly WorkloadInfo[] {
  return [...index.byKey.values()]
    .filter((w) => !w.namespace.startsWith('kube-') && probeable(w, index))
    .sort((a, b) => compareText(a.key, b.key));
}

/** A workload of another namespace, never seen reaching the target, to the target's observed port. */
function crossNamespaceDenies(
  namespace: string,
  accs: readonly WorkloadPolicyAcc[],
  index: WorkloadIndex,
  candidates: readonly WorkloadInfo[],
): ConnectivityTest[] {
  const out: ConnectivityTest[] = [];
  // Not from the system namespaces: a probe there runs next to (or, as a probe pod, as) DNS and
  // other cluster services, which a connectivity check has no business touching.
  // Lazily: the first few candidates of other namespaces are all a namespace ever needs.
  function* others(): Generator<WorkloadInfo> {
    for (const w of candidates) if (w.namespace !== namespace) yield w;
  }
  for (const target of accs) {
    if (out.length >= MAX_CROSS_NAMESPACE_DENY_TESTS) break;
    if (!probeable(target.workload, index)) continue;
    const rules = [...target.ingress.values()];
    // An address rule (public, CIDR) may admit pod addresses too: no deny to claim there.
    if (rules.some((rule) => rule.target.type !== 'workload' && rule.target.type !== 'entity')) continue;
    const port = sortedRules(target.ingress)
      .flatMap(sortedPorts)
      .find((p) => p.protocol === 'TCP');
    if (port === undefined) continue;
    const sources = new Set(
      rules.flatMap((rule) => (rule.target.type === 'workload' ? [rule.target.workload.key] : [])),
    );
    let prober: WorkloadInfo | undefined;
    for (const w of others())
      if (!sources.has(w.key)) {
        prober = w;
        break;
      }
    if (prober === undefined) continue;
    out.push({
      expect: 'deny',
      description: `${prober.key} -> ${target.workload.key}:${port.port} (cross-namespace, never observed)`,
      from: { namespace: prober.namespace, selector: prober.selector.matchLabels },
      to: { kind: 'pod', namespace, selector: target.workload.selector.matchLabels },
      protocol: 'TCP',
      port: port.port,
    });
  }
  return out;
}

/** Egress to an outside address from a workload whose rules do not cover it. */
function worldDeny(accs: readonly WorkloadPolicyAcc[], index: WorkloadIndex): ConnectivityTest | undefined {
  const address = parseIp(WORLD_PROBE_IP);
  if (address === undefined) return undefined;
  const covers = (acc: WorkloadPolicyAcc): boolean =>
    [...acc.egress.values()].some((rule) => {
      if (rule.target.type === 'public') return true;
      const cidrs =
        rule.target.type === 'cidr'
          ? [rule.target.cidr]
          : rule.target.type === 'nodes'
            ? rule.target.cidrs
            : [];
      return cidrs.some((text) => {
        const cidr = parseCidr(text);
        return cidr !== undefined && cidrContains(cidr, address);
      });
    });
  const prober = [...accs]
    .sort((a, b) => compareText(a.workload.key, b.workload.key))
    .find((acc) => probeable(acc.workload, index) && !covers(acc));
  if (prober === undefined) return undefined;
  return {
    expect: 'deny',
    description: `${prober.workload.key} -> ${WORLD_PROBE_IP}:${WORLD_PROBE_PORT} (outside the cluster, never observed)`,
    from: { namespace: prober.workload.namespace, selector: prober.workload.selector.matchLabels },
    to: { kind: 'ip', ip: WORLD_PROBE_IP },
    protocol: 'TCP',
    port: WORLD_PROBE_PORT,
  };
}
