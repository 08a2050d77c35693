// Finding 2, dns-blocked: a namespace isolated for egress where some isolated pod cannot reach
// the cluster DNS on both UDP and TCP (TCP carries large answers and retries), or where DNS
// queries were observed dropping. The fix is the DNS egress policy, selecting exactly the pods
// already isolated for egress (a `{}` selector would isolate the others anew).
import { isPolicyDropEdge } from '../drops/detect.js';
import { describePath } from '../drops/classify.js';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  PodInfo,
  PolicyProtocol,
} from '../policy/model.js';
import { policyDirections } from '../policy/compile.js';
import { compileSelector } from '../policy/selectors.js';
import { dnsPolicy } from '../recommend/namespace-policies.js';
import { fixPolicyName } from '../recommend/names.js';
import { NAMESPACE_NAME_LABEL } from '../recommend/peers.js';
import { clean, inScope, isolatingPolicies, limited, podKey, unique, type DoctorContext } from './context.js';
import { findDnsTargets, isDnsEdge, type DnsTarget } from './dns-targets.js';
import { policyId, type Finding } from './types.js';

const PROTOCOLS: readonly PolicyProtocol[] = ['UDP', 'TCP'];

function dnsRule(target: DnsTarget): NetworkPolicyEgressRule {
  const ports = PROTOCOLS.map((protocol) => ({ protocol, port: target.port }));
  if ('ip' in target.peer) return { to: [{ ipBlock: { cidr: `${target.peer.ip}/32` } }], ports };
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: target.peer.namespace } },
        podSelector: { matchLabels: { ...target.peer.labels } },
      },
    ],
    ports,
  };
}

/** The recommender's DNS policy for the namespace, with the doctor's targets and selector. */
function dnsFixPolicy(
  namespace: string,
  podSelector: LabelSelector,
  name: string,
  targets: readonly DnsTarget[],
): NetworkPolicy {
  const base = dnsPolicy(
    namespace,
    {},
    targets.map((t) => t.description).join('; '),
    undefined,
    'netpol-advisor doctor',
  ).policy;
  return {
    ...base,
    metadata: { ...base.metadata, name },
    spec: { podSelector, policyTypes: ['Egress'], egress: targets.map(dnsRule) },
  };
}

export function findDnsBlocked(context: DoctorContext): Finding[] {
  const { snapshot, engine } = context;
  const targets = findDnsTargets(snapshot, context.edges);
  const namespaces = unique(snapshot.policies.map((p) => p.metadata.namespace)).filter((ns) =>
    inScope(context, ns),
  );
  const findings: Finding[] = [];
  for (const namespace of namespaces) {
    const isolating = isolatingPolicies(snapshot, namespace, 'egress');
    const isolated: PodInfo[] = [];
    const podsHere = snapshot.pods.filter((pod) => pod.namespace === namespace && !pod.hostNetwork);
    const selectors = isolating.map((p) => compileSelector(p.spec.podSelector));
    for (const pod of podsHere) if (selectors.some((selects) => selects(pod.labels))) isolated.push(pod);
    const denied: string[] = [];
    const deniedPods = new Set<string>();
    for (const pod of isolated) {
      for (const target of targets) {
        for (const protocol of PROTOCOLS) {
          const decision = engine.evaluate({
            from: { kind: 'pod', namespace, name: pod.name },
            to: target.endpoint,
            port: target.port,
            protocol,
          });
          if (decision.egress.allowed) continue;
          deniedPods.add(podKey(pod));
          if (denied.length < 10)
            denied.push(
              `${podKey(pod)} cannot reach ${target.description} over ${protocol}: ${clean(decision.egress.reason)}`,
            );
        }
      }
    }
    const drops = context.edges.filter(
      (edge) =>
        edge.verdict === 'dropped' &&
        edge.source.namespace === namespace &&
        isPolicyDropEdge(edge) &&
        isDnsEdge(snapshot, edge),
    );
    if (deniedPods.size === 0 && drops.length === 0) continue;
    // Select exactly the already isolated pods: the whole namespace when all are, else each isolating policy's pods.
    // Named fix-… (issue 15 item 9): recommend's allow-dns-egress admits the DNS it observed,
    // which may differ from these targets; applying one after the other must not replace it.
    const everyPod = isolated.length === podsHere.length;
    const fix = everyPod
      ? [dnsFixPolicy(namespace, {}, fixPolicyName('dns-egress'), targets)]
      : isolating
          .filter((p) => policyDirections(p).egress)
          .map((p) =>
            dnsFixPolicy(
              namespace,
              p.spec.podSelector,
              fixPolicyName('dns-egress', p.metadata.name),
              targets,
            ),
          );
    findings.push({
      kind: 'dns-blocked',
      severity: 'critical',
      namespace,
      objects: [...isolating.map(policyId), ...limited(unique(deniedPods))],
      summary:
        deniedPods.size > 0
          ? `${deniedPods.size} egress-isolated pod(s) of ${namespace} cannot query the cluster DNS: name resolution fails`
          : `DNS queries from ${namespace} were observed dropping by policy`,
      evidence: [
        ...(deniedPods.size > 0
          ? [`no egress rule of ${isolating.map(policyId).join(', ')} admits UDP and TCP to the cluster DNS`]
          : []),
        ...denied,
        ...limited(drops).map((edge) => `dropped DNS: ${clean(describePath(edge))} (${edge.count}x)`),
        ...(deniedPods.size === 0
          ? [
              "the snapshot's policies admit DNS: the drops come from a policy the snapshot lacks (a later change, or a CNI-specific policy)",
            ]
          : []),
        `DNS targets: ${targets.map((t) => t.description).join('; ')}`,
      ],
      fix,
    });
  }
  return findings;
}
