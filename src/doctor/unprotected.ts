// Finding 6a, unprotected-pods: pods selected by no policy in a namespace that has some — every
// path to and from them is open while their neighbours are isolated. The fix protects their
// ingress: the recommender's allow-ingress policy from the observed traffic, or an ingress deny
// for a workload nobody was seen calling (egress is left alone: isolating it needs the DNS
// policy, which the recommender emits namespace-wide and would isolate the neighbours too).
import type { NetworkPolicy } from '../policy/model.js';
import { MANAGED_BY_LABELS } from '../recommend/namespace-policies.js';
import { policyName } from '../recommend/names.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import { inScope, limited, podKey, selectedPods, unique, type DoctorContext } from './context.js';
import type { Finding } from './types.js';

export function findUnprotectedPods(context: DoctorContext): Finding[] {
  const { snapshot } = context;
  const findings: Finding[] = [];
  const namespaces = unique(snapshot.policies.map((p) => p.metadata.namespace)).filter((ns) =>
    inScope(context, ns),
  );
  for (const namespace of namespaces) {
    const policies = snapshot.policies.filter((p) => p.metadata.namespace === namespace);
    const covered = new Set(policies.flatMap((p) => selectedPods(snapshot, p).map(podKey)));
    const unprotected = snapshot.pods.filter(
      (pod) => pod.namespace === namespace && !pod.hostNetwork && !covered.has(podKey(pod)),
    );
    if (unprotected.length === 0) continue;
    const workloads = unique(unprotected.map((pod) => `${namespace}/${pod.workload.name}`));
    const recommendation = recommendPolicies(context.edges, snapshot, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      namespace,
      excludedNamespaces: [],
      minConnections: 0,
      minObservedSec: 0,
    });
    const proposals = recommendation.namespaces.flatMap((ns) => ns.policies);
    const fix: NetworkPolicy[] = [];
    const notes: string[] = [];
    for (const workload of workloads) {
      const ingress = proposals.find((p) => p.role === 'allow-ingress' && p.workload === workload);
      if (ingress !== undefined) {
        fix.push(ingress.policy);
        continue;
      }
      const selector =
        recommendation.workloads.find((w) => `${w.namespace}/${w.name}` === workload)?.selector ?? {};
      if (Object.keys(selector).length === 0) {
        notes.push(`${workload} has no stable label to select it by`);
        continue;
      }
      const name = workload.slice(namespace.length + 1);
      fix.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: policyName('deny-ingress', name),
          namespace,
          labels: MANAGED_BY_LABELS,
          annotations: { 'netpol-advisor.io/why': 'no ingress to this workload was observed' },
        },
        spec: { podSelector: { matchLabels: { ...selector } }, policyTypes: ['Ingress'] },
      });
    }
    findings.push({
      kind: 'unprotected-pods',
      severity: 'low',
      namespace,
      objects: limited(unprotected.map(podKey)),
      summary: `${unprotected.length} pod(s) of ${namespace} are selected by no policy while ${policies.length} other polic${policies.length === 1 ? 'y isolates' : 'ies isolate'} their neighbours`,
      evidence: [
        `no podSelector of ${limited(
          policies.map((p) => `${namespace}/${p.metadata.name}`),
          10,
        ).join(', ')} matches ${limited(unprotected.map(podKey), 10).join(', ')}`,
        'every connection to and from these pods is allowed',
        ...notes,
      ],
      fix: fix.length > 0 ? fix : 'label the pods so a policy can select them, then protect them',
      ...(fix.length > 0
        ? {
            fixNote:
              'the policies admit the ingress observed so far; review before applying, egress stays open',
          }
        : {}),
    });
  }
  return findings;
}
