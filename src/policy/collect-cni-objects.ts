// Sorting the policy objects of other API groups out of a snapshot's objects: Cilium and Calico
// kinds go to their parsers, Tiers are kept, StagedKubernetesNetworkPolicies are validated as
// NetworkPolicies, and every other policy-like object (another group's policy kinds, Calico
// network sets, Cilium CIDR groups …) is recorded as ignored, so the commands that replay can say
// what their verdict left out. parse-objects.ts calls `accept` for each object before its own
// kind switch; anything accepted here is not a core Kubernetes object.
import { parseCalicoPolicy, parseCalicoTier } from './calico/parse-calico.js';
import { parseCiliumPolicy } from './cilium/parse-cilium.js';
import type { ClusterPolicy, ClusterPolicyKind } from './cluster/cluster-policy.js';
import { parseClusterPolicy } from './cluster/parse-cluster-policy.js';
import type {
  CalicoKind,
  CalicoPolicy,
  CalicoTier,
  CiliumPolicy,
  CniPolicies,
  IgnoredObject,
} from './cni-objects.js';
import type { NetworkPolicy } from './model.js';
import { isRecord } from '../lib/is-record.js';
import { validateNetworkPolicy, type FieldProblem } from './validate-policy.js';
import { formatCidr, parseCidr } from '../net/ip.js';

const CALICO_GROUPS = new Set(['projectcalico.org', 'crd.projectcalico.org']);
const CALICO_POLICY_KINDS = new Set<string>([
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
]);
/** Kinds of these groups that carry no policy (or none that filters pod traffic): not reported. */
const INERT_KINDS = new Set([
  'CiliumEndpoint',
  'CiliumIdentity',
  'CiliumNode',
  'CiliumEndpointSlice',
  'IPPool',
  'BGPConfiguration',
  'BGPPeer',
  'FelixConfiguration',
  'ClusterInformation',
  'IPAMBlock',
  'BlockAffinity',
  'IPAMHandle',
  'KubeControllersConfiguration',
  'CiliumLoadBalancerIPPool',
  'CiliumBGPPeeringPolicy',
  'CiliumNodeConfig',
  'CiliumL2AnnouncementPolicy',
  'CiliumPodIPPool',
]);
const CLUSTER_POLICY_KINDS = new Set<string>([
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
]);
const POLICY_GROUPS = new Set(['cilium.io', 'policy.networking.k8s.io', ...CALICO_GROUPS]);

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || !apiVersion.includes('/')) return undefined;
  return apiVersion.slice(0, apiVersion.indexOf('/'));
}

const MAX_NETS = 1024;

/** A network set's labels and its valid CIDRs (invalid entries are left out, never guessed). */
function networkSetOf(object: Record<string, unknown>): { labels: Record<string, string>; nets: string[] } {
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const labels: Record<string, string> = {};
  if (isRecord(metadata['labels'])) {
    for (const [k, v] of Object.entries(metadata['labels']))
      if (typeof v === 'string' && k !== '__proto__') labels[k] = v;
  }
  const nets: string[] = [];
  for (const net of Array.isArray(spec['nets']) ? (spec['nets'] as unknown[]).slice(0, MAX_NETS) : []) {
    const cidr =
      typeof net === 'string'
        ? parseCidr(net.includes('/') ? net : `${net}/${net.includes(':') ? 128 : 32}`)
        : undefined;
    if (cidr !== undefined) nets.push(formatCidr(cidr));
  }
  return { labels, nets };
}

export class CniObjectCollector {
  private readonly cilium: CiliumPolicy[] = [];
  private readonly calico: CalicoPolicy[] = [];
  private readonly tiers: CalicoTier[] = [];
  private readonly stagedKubernetes: { policy: NetworkPolicy; stagedAction: 'Set' | 'Delete' }[] = [];
  private readonly ignored: IgnoredObject[] = [];
  private readonly clusterPolicies: ClusterPolicy[] = [];

  /**
   * Takes the object when it belongs to a policy group this module handles; returns undefined
   * when it does not (the caller goes on), else the problems found (empty when it was fine).
   */
  accept(
    object: Record<string, unknown>,
    kind: string,
    name: string | undefined,
    namespace: string | undefined,
  ): readonly FieldProblem[] | undefined {
    const group = groupOf(object['apiVersion']);
    if (group === undefined || !POLICY_GROUPS.has(group)) return undefined;
    if (INERT_KINDS.has(kind)) return [];
    if (name === undefined || name === '') return [{ path: 'metadata.name', message: 'required' }];
    const namespaced =
      kind === 'CiliumNetworkPolicy' ||
      kind === 'NetworkPolicy' ||
      kind === 'StagedNetworkPolicy' ||
      kind === 'StagedKubernetesNetworkPolicy';
    if (namespaced && (namespace === undefined || namespace === ''))
      return [{ path: 'metadata.namespace', message: 'required' }];
    const ns = namespaced ? namespace : undefined;
    if (
      group === 'cilium.io' &&
      (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy')
    ) {
      const parsed = parseCiliumPolicy(object, kind, name, ns);
      this.cilium.push(...parsed.policies);
      if (parsed.ignored !== undefined) this.ignored.push(parsed.ignored);
      return parsed.problems;
    }
    if (CALICO_GROUPS.has(group) && CALICO_POLICY_KINDS.has(kind)) {
      const parsed = parseCalicoPolicy(object, kind as CalicoKind, name, ns);
      if (parsed.policy !== undefined) this.calico.push(parsed.policy);
      if (parsed.ignored !== undefined) this.ignored.push(parsed.ignored);
      return parsed.problems;
    }
    if (group === 'policy.networking.k8s.io' && CLUSTER_POLICY_KINDS.has(kind)) {
      const parsed = parseClusterPolicy(object, kind as ClusterPolicyKind, name);
      if (parsed.policy !== undefined) this.clusterPolicies.push(parsed.policy);
      return parsed.problems;
    }
    if (CALICO_GROUPS.has(group) && kind === 'Tier') {
      const parsed = parseCalicoTier(object, name);
      if (parsed.tier !== undefined) this.tiers.push(parsed.tier);
      return parsed.problems;
    }
    if (CALICO_GROUPS.has(group) && kind === 'StagedKubernetesNetworkPolicy') {
      const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
      const spec = isRecord(object['spec']) ? object['spec'] : {};
      const stagedAction = spec['stagedAction'] ?? 'Set';
      if (stagedAction !== 'Set' && stagedAction !== 'Delete')
        return [{ path: 'spec.stagedAction', message: 'must be Set or Delete' }];
      const { stagedAction: _drop, ...npSpec } = spec;
      const result = validateNetworkPolicy(
        { ...object, spec: npSpec, metadata },
        name,
        ns as string,
        undefined,
        undefined,
      );
      if (result.policy !== undefined) this.stagedKubernetes.push({ policy: result.policy, stagedAction });
      return result.problems;
    }
    const why =
      group === 'policy.networking.k8s.io'
        ? `${kind} (${group}) is not evaluated by this engine`
        : kind === 'NetworkSet' || kind === 'GlobalNetworkSet'
          ? 'network sets are not modelled: Calico selectors that match them are evaluated without their nets'
          : kind === 'HostEndpoint'
            ? 'host endpoints are not modelled'
            : `${kind} (${group}) is not evaluated by this engine`;
    const appliesTo =
      kind === 'NetworkSet' ||
      kind === 'GlobalNetworkSet' ||
      kind === 'HostEndpoint' ||
      kind === 'CiliumCIDRGroup'
        ? { kind: 'none' as const }
        : { kind: 'unknown' as const };
    const networkSet =
      kind === 'NetworkSet' || kind === 'GlobalNetworkSet' ? networkSetOf(object) : undefined;
    this.ignored.push({
      kind,
      namespace:
        ns ??
        (kind !== 'GlobalNetworkSet' && typeof namespace === 'string' && namespace !== ''
          ? namespace
          : undefined),
      name,
      reason: why,
      appliesTo,
      ...(networkSet === undefined ? {} : { networkSet }),
    });
    return [];
  }

  result(): CniPolicies | undefined {
    if (
      this.cilium.length +
        this.calico.length +
        this.tiers.length +
        this.stagedKubernetes.length +
        this.ignored.length +
        this.clusterPolicies.length ===
      0
    )
      return undefined;
    return {
      cilium: this.cilium,
      calico: this.calico,
      tiers: this.tiers,
      stagedKubernetes: this.stagedKubernetes,
      ignored: this.ignored,
      ...(this.clusterPolicies.length > 0 ? { clusterPolicies: this.clusterPolicies } : {}),
    };
  }
}

/** Merges the CNI policies of several snapshots (a given policy set on top of a cluster's). */
export function mergeCni(
  base: CniPolicies | undefined,
  extra: CniPolicies | undefined,
): CniPolicies | undefined {
  if (base === undefined) return extra;
  if (extra === undefined) return base;
  const key = (o: { kind: string; namespace: string | undefined; name: string }) =>
    `${o.kind}|${o.namespace ?? ''}|${o.name}`;
  // A given object replaces the cluster's object of the same kind and name, as kubectl apply would.
  const replacedCilium = new Set(extra.cilium.map(key));
  const replacedCalico = new Set(extra.calico.map(key));
  const replacedTiers = new Set(extra.tiers.map((t) => t.name));
  const replacedCluster = new Set((extra.clusterPolicies ?? []).map((p) => `${p.kind}|${p.name}`));
  const clusterPolicies = [
    ...(base.clusterPolicies ?? []).filter((p) => !replacedCluster.has(`${p.kind}|${p.name}`)),
    ...(extra.clusterPolicies ?? []),
  ];
  return {
    cilium: [...base.cilium.filter((p) => !replacedCilium.has(key(p))), ...extra.cilium],
    calico: [...base.calico.filter((p) => !replacedCalico.has(key(p))), ...extra.calico],
    tiers: [...base.tiers.filter((t) => !replacedTiers.has(t.name)), ...extra.tiers],
    stagedKubernetes: [...base.stagedKubernetes, ...extra.stagedKubernetes],
    ignored: [...base.ignored, ...extra.ignored],
    ...(clusterPolicies.length > 0 ? { clusterPolicies } : {}),
  };
}
