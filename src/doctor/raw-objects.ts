// Reads what the typed snapshot leaves out of the raw Kubernetes objects (`kubectl get -o json`
// output, untrusted): CNI-specific policy kinds (Cilium, Calico), whose presence can explain
// traffic the NetworkPolicy engine would deny when the engine left them out, and each
// NetworkPolicy's creationTimestamp, to tell an observation that predates a policy. Lists are
// flattened; nothing here throws. The network-policy-api kinds (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, ClusterNetworkPolicy) are not listed: the engine evaluates them
// (src/policy/cluster/), and one it refuses is a snapshot problem, reported as such.
import { isRecord } from '../lib/is-record.js';
import type { ClusterExtras, CniPolicyRef } from './types.js';

const CNI_POLICY_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['CiliumNetworkPolicy', ['cilium.io/']],
  ['CiliumClusterwideNetworkPolicy', ['cilium.io/']],
  ['NetworkPolicy', ['projectcalico.org/', 'crd.projectcalico.org/']],
  ['GlobalNetworkPolicy', ['projectcalico.org/', 'crd.projectcalico.org/']],
  ['StagedNetworkPolicy', ['projectcalico.org/']],
  ['StagedGlobalNetworkPolicy', ['projectcalico.org/']],
]);
const MAX_OBJECTS = 500_000;
const MAX_DEPTH = 4;
const MAX_CNI_POLICIES = 10_000;

function flatten(objects: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (out.length >= MAX_OBJECTS || !isRecord(value)) return;
    const kind = value['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
      if (depth < MAX_DEPTH) for (const item of value['items'] as unknown[]) visit(item, depth + 1);
      return;
    }
    out.push(value);
  };
  for (const object of objects) visit(object, 0);
  return out;
}

export function scanClusterExtras(objects: readonly unknown[]): ClusterExtras {
  const cniPolicies: CniPolicyRef[] = [];
  const policyCreatedMs = new Map<string, number>();
  for (const object of flatten(objects)) {
    const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
    const name = typeof metadata['name'] === 'string' ? metadata['name'] : undefined;
    const namespace =
      typeof metadata['namespace'] === 'string' && metadata['namespace'] !== ''
        ? metadata['namespace']
        : undefined;
    if (name === undefined) continue;
    if (kind === 'NetworkPolicy' && apiVersion === 'networking.k8s.io/v1') {
      const created = metadata['creationTimestamp'];
      const ms = typeof created === 'string' ? Date.parse(created) : Number.NaN;
      if (namespace !== undefined && Number.isFinite(ms)) policyCreatedMs.set(`${namespace}/${name}`, ms);
      continue;
    }
    const groups = CNI_POLICY_KINDS.get(kind);
    if (groups === undefined || !groups.some((group) => apiVersion.startsWith(group))) continue;
    if (cniPolicies.length < MAX_CNI_POLICIES)
      cniPolicies.push({ kind, apiVersion, ...(namespace !== undefined ? { namespace } : {}), name });
  }
  return { cniPolicies, policyCreatedMs };
}
