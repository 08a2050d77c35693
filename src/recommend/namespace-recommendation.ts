// The last stage of the recommender: one namespace's proposal from the evidence gathered for its
// workloads: their policies (identical selectors merged), the namespace's DNS policy and default
// deny (reduced for k8s/calico when a peer only Cilium can name would be cut), the unsafe paths,
// the connectivity tests and the namespace's warnings.
import { connectivityTests, probeCandidates } from './connectivity-tests.js';
import type { DnsServers } from './dns-servers.js';
import type { EdgeEvidence } from './edge-evidence.js';
import { defaultDenyPolicy, dnsPolicyFor } from './namespace-policies.js';
import type { NamespaceRecommendation, ProposedPolicy } from './proposal.js';
import type { Warnings } from './recommend-warnings.js';
import { mergeSameSelector } from './same-selector.js';
import { workloadPolicy, type WorkloadPolicyAcc } from './workload-policies.js';
import { compareText, type WorkloadIndex, type WorkloadInfo } from './workloads.js';

/** What every namespace's proposal reads; grouped once (filtering per namespace was namespaces × workloads). */
export interface ProposalInputs {
  readonly index: WorkloadIndex;
  readonly evidence: EdgeEvidence;
  readonly dns: DnsServers;
  readonly lowConfidence: ReadonlySet<string>;
  readonly windowAnnotation: string;
  readonly warnings: Warnings;
  /** Taken (and released) by recommendNamespace. */
  readonly accsByNamespace: Map<string, WorkloadPolicyAcc[]>;
  readonly workloadsByNamespace: ReadonlyMap<string, WorkloadInfo[]>;
  readonly probers: ReturnType<typeof probeCandidates>;
}

export function proposalInputs(
  index: WorkloadIndex,
  evidence: EdgeEvidence,
  dns: DnsServers,
  lowConfidence: ReadonlySet<string>,
  windowAnnotation: string,
  warnings: Warnings,
): ProposalInputs {
  const accsByNamespace = new Map<string, WorkloadPolicyAcc[]>();
  for (const acc of evidence.accs.values()) {
    let list = accsByNamespace.get(acc.workload.namespace);
    if (list === undefined) accsByNamespace.set(acc.workload.namespace, (list = []));
    list.push(acc);
  }
  // The accumulators now live in their namespace's list only, released as each is proposed.
  evidence.accs.clear();
  const probers = probeCandidates(index);
  const workloadsByNamespace = new Map<string, WorkloadInfo[]>();
  for (const workload of index.byKey.values()) {
    let list = workloadsByNamespace.get(workload.namespace);
    if (list === undefined) workloadsByNamespace.set(workload.namespace, (list = []));
    list.push(workload);
  }
  return {
    index,
    evidence,
    dns,
    lowConfidence,
    windowAnnotation,
    warnings,
    accsByNamespace,
    workloadsByNamespace,
    probers,
  };
}

export function recommendNamespace(namespace: string, inputs: ProposalInputs): NamespaceRecommendation {
  const { evidence, warnings, windowAnnotation } = inputs;
  const workloadAccs = (inputs.accsByNamespace.get(namespace) ?? []).sort((a, b) =>
    compareText(a.workload.key, b.workload.key),
  );
  inputs.accsByNamespace.delete(namespace);
  const policies = workloadPolicies(workloadAccs, inputs);
  policies.push(dnsPolicyFor(namespace, inputs.dns, evidence.dnsEvidence.get(namespace), windowAnnotation));
  policies.push(...defaultDenies(namespace, workloadAccs, evidence, windowAnnotation));
  return {
    namespace,
    unsafe: [...evidence.unsafe.values()]
      .filter((u) => u.namespace === namespace)
      .sort((a, b) => compareText(a.path, b.path)),
    policies,
    tests: connectivityTests(
      namespace,
      workloadAccs,
      inputs.index,
      inputs.workloadsByNamespace.get(namespace) ?? [],
      inputs.probers,
    ),
    warnings: warnings.list.filter((w) => w.namespace === namespace),
  };
}

/** One policy per direction of each workload (workloads with identical selectors merged), by name. */
function workloadPolicies(workloadAccs: WorkloadPolicyAcc[], inputs: ProposalInputs): ProposedPolicy[] {
  const policies: ProposedPolicy[] = [];
  const same = mergeSameSelector(workloadAccs);
  for (const warning of same.warnings) inputs.warnings.add(warning);
  for (const acc of same.accs) {
    for (const direction of ['ingress', 'egress'] as const) {
      const proposed = workloadPolicy(
        acc,
        direction,
        inputs.windowAnnotation,
        inputs.lowConfidence.has(acc.workload.key),
      );
      if (proposed !== undefined) policies.push(proposed);
    }
  }
  policies.sort((a, b) => compareText(a.policy.metadata.name, b.policy.metadata.name));
  return policies;
}

/**
 * Cilium names every peer: its default deny is complete. k8s/calico cannot name a reserved
 * identity: their default deny leaves that direction out rather than cut the observed path.
 */
function defaultDenies(
  namespace: string,
  workloadAccs: readonly WorkloadPolicyAcc[],
  evidence: EdgeEvidence,
  windowAnnotation: string,
): ProposedPolicy[] {
  const open = (['ingress', 'egress'] as const).filter((direction) =>
    workloadAccs.some((acc) => evidence.unisolated[direction].has(acc.workload.key)),
  );
  const complete = defaultDenyPolicy(namespace, windowAnnotation) as ProposedPolicy;
  if (open.length === 0) return [complete];
  const reduced = defaultDenyPolicy(namespace, windowAnnotation, open);
  return reduced === undefined
    ? [{ ...complete, flavors: ['cilium'] }]
    : [
        { ...complete, flavors: ['cilium'] },
        { ...reduced, flavors: ['k8s', 'calico'] },
      ];
}
