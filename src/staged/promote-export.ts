// What promoting a staged set hands back: the frozen policies as they were staged, as a
// multi-document YAML stream or as the kustomize folder (namespace file, kustomization.yaml,
// README.md), like the recommendations export. Serialised by the yaml library (export code).
import { namespaceFile } from '../recommend/export.js';
import { toYamlStream } from '../recommend/yaml-export.js';
import { isoTime } from './set-view.js';
import type { StagedFlavor, StagedSet } from './staged-set.js';

function items(set: StagedSet): { object: Readonly<Record<string, unknown>>; header: string }[] {
  return set.policies.map((policy) => ({
    object: policy as unknown as Readonly<Record<string, unknown>>,
    header: `${set.namespace}/${policy.metadata.name}, staged by netpol-advisor shadow mode (set ${set.id}, ${isoTime(set.stagedAtMs)})`,
  }));
}

export function promotedYaml(set: StagedSet): string {
  return toYamlStream(items(set));
}

const APPLY: Record<StagedFlavor, (file: string) => string> = {
  k8s: (file) => `Apply with \`kubectl apply -k .\` (or \`kubectl apply -f ${file}\`).`,
  cilium: (file) =>
    `CiliumNetworkPolicy objects (cilium.io/v2): apply with \`kubectl apply -k .\` (or \`kubectl apply -f ${file}\`) on a cluster running Cilium.`,
  calico: (file) =>
    `Calico NetworkPolicy objects (projectcalico.org/v3): apply with \`calicoctl apply -f ${file}\`, or \`kubectl apply -k .\` where the Calico API server is installed.`,
};

export function promotedFiles(set: StagedSet, readinessReason: string): Map<string, string> {
  const file = namespaceFile(set.namespace);
  const files = new Map<string, string>();
  files.set(file, promotedYaml(set));
  files.set(
    'kustomization.yaml',
    toYamlStream([
      { object: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [file] } },
    ]),
  );
  const readme = [
    `# ${set.flavor === 'k8s' ? 'NetworkPolicies' : set.flavor === 'cilium' ? 'CiliumNetworkPolicies' : 'Calico NetworkPolicies'} for ${set.namespace}, promoted from shadow mode`,
    '',
    `Staged set ${set.id}, staged ${isoTime(set.stagedAtMs)} by ${set.stagedBy}; promoted ${set.endedAtMs !== undefined ? isoTime(set.endedAtMs) : ''} by ${set.endedBy ?? ''}.`,
    `Readiness at promotion: ${readinessReason}.`,
    '',
    APPLY[set.flavor](file),
    '',
  ].join('\n');
  files.set('README.md', readme.replace(/(?!\n)\p{Cc}/gu, '?'));
  return files;
}
