// Which policy objects a snapshot actually enforces, and which the engine leaves out. Calico
// Staged* objects are never enforced; asked to promote them, each `stagedAction: Set` replaces
// (or adds) the enforced object of the same kind and name and `Delete` removes it, as
// `calicoctl`/the API server do on promotion. One CNI enforces policy: when both Cilium and
// Calico policies are present, the smaller family is reported as ignored. Policies of a Calico
// tier the snapshot does not define are ignored too (Calico refuses them).
import type { CalicoPolicy, CniPolicies, IgnoredObject } from './cni-objects.js';
import { objectName } from './cni-objects.js';
import type { ClusterSnapshot, NetworkPolicy } from './model.js';

export interface EffectivePolicies {
  readonly snapshot: ClusterSnapshot;
  readonly family: 'k8s' | 'cilium' | 'calico';
  readonly ignored: readonly IgnoredObject[];
  /** Staged objects left unenforced (counted for the output; not "ignored": they are understood). */
  readonly stagedNotEnforced: number;
}

const ENFORCED_KIND = {
  StagedNetworkPolicy: 'NetworkPolicy',
  StagedGlobalNetworkPolicy: 'GlobalNetworkPolicy',
} as const;

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${namespace ?? ''}|${name}`;
}

function promote(
  cni: CniPolicies,
  policies: readonly NetworkPolicy[],
): { calico: CalicoPolicy[]; policies: NetworkPolicy[] } {
  const enforced = new Map<string, CalicoPolicy>();
  for (const p of cni.calico)
    if (p.stagedAction === undefined) enforced.set(key(p.kind, p.namespace, p.name), p);
  for (const p of cni.calico) {
    if (p.stagedAction === undefined) continue;
    const kind = ENFORCED_KIND[p.kind as keyof typeof ENFORCED_KIND];
    const k = key(kind, p.namespace, p.name);
    if (p.stagedAction === 'Delete') enforced.delete(k);
    else {
      const { stagedAction: _s, ...rest } = p;
      enforced.set(k, { ...rest, kind });
    }
  }
  const nps = new Map(policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  for (const { policy, stagedAction } of cni.stagedKubernetes) {
    const k = `${policy.metadata.namespace}/${policy.metadata.name}`;
    if (stagedAction === 'Delete') nps.delete(k);
    else nps.set(k, policy);
  }
  return { calico: [...enforced.values()], policies: [...nps.values()] };
}

export function effectivePolicies(snapshot: ClusterSnapshot, promoteStaged: boolean): EffectivePolicies {
  const cni = snapshot.cni;
  if (cni === undefined) return { snapshot, family: 'k8s', ignored: [], stagedNotEnforced: 0 };
  const ignored: IgnoredObject[] = [...cni.ignored];
  let calico = cni.calico;
  let policies = snapshot.policies;
  const staged = cni.calico.filter((p) => p.stagedAction !== undefined).length + cni.stagedKubernetes.length;
  if (promoteStaged) ({ calico, policies } = promote(cni, snapshot.policies));
  else calico = calico.filter((p) => p.stagedAction === undefined);
  let cilium = cni.cilium;
  const tiers = new Set(['default', ...cni.tiers.map((t) => t.name)]);
  calico = calico.filter((p) => {
    if (tiers.has(p.tier)) return true;
    ignored.push({
      kind: p.kind,
      namespace: p.namespace,
      name: p.name,
      reason: `tier "${p.tier}" is not in the snapshot (add its Tier object)`,
      appliesTo: { kind: 'calico', selector: p.selector },
    });
    return false;
  });
  if (cilium.length > 0 && calico.length > 0) {
    const dropCilium = calico.length >= cilium.length;
    const reason = `the snapshot has both Cilium and Calico policies; one CNI enforces policy, evaluated as ${dropCilium ? 'Calico' : 'Cilium'}`;
    if (dropCilium) {
      for (const p of cilium)
        ignored.push({
          kind: p.kind,
          namespace: p.namespace,
          name: p.name,
          reason,
          appliesTo:
            p.nodeSelector !== undefined
              ? { kind: 'none' }
              : { kind: 'cilium', selector: p.endpointSelector },
        });
      cilium = [];
    } else {
      for (const p of calico)
        ignored.push({
          kind: p.kind,
          namespace: p.namespace,
          name: p.name,
          reason,
          appliesTo: { kind: 'calico', selector: p.selector },
        });
      calico = [];
    }
  }
  // Ignored host policies alone still make it a Cilium cluster: the engine must say which host
  // paths they leave undecided.
  const ignoredHosts = calico.length === 0 && ignored.some((o) => o.appliesTo.kind === 'cilium-nodes');
  const family = cilium.length > 0 || ignoredHosts ? 'cilium' : calico.length > 0 ? 'calico' : 'k8s';
  return {
    snapshot: { ...snapshot, policies, cni: { ...cni, cilium, calico } },
    family,
    ignored: dedupe(ignored),
    stagedNotEnforced: promoteStaged ? 0 : staged,
  };
}

function dedupe(list: IgnoredObject[]): IgnoredObject[] {
  const seen = new Set<string>();
  return list.filter((o) => {
    const k = `${objectName(o)}|${o.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
