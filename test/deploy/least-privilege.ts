// What netpol-advisor may do in a cluster, as checkers over its manifests: the RBAC rules it is
// granted, and the traffic its own NetworkPolicies admit. Each returns its violations as sentences.
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';

/** apiGroup → resources readable with get/list/watch (what the live inventory reads). */
const READABLE: Readonly<Record<string, readonly string[]>> = {
  '': ['namespaces', 'pods', 'services', 'nodes'],
  'discovery.k8s.io': ['endpointslices'],
  'networking.k8s.io': ['networkpolicies'],
  'policy.networking.k8s.io': [
    'adminnetworkpolicies',
    'baselineadminnetworkpolicies',
    'clusternetworkpolicies',
  ],
  apps: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'],
  batch: ['jobs', 'cronjobs'],
};
/** apiGroup → resources that may be created (the token and access reviews of auth.mode kubernetes). */
const CREATABLE: Readonly<Record<string, readonly string[]>> = {
  'authentication.k8s.io': ['tokenreviews'],
  'authorization.k8s.io': ['subjectaccessreviews'],
};
const READ_VERBS = new Set(['get', 'list', 'watch']);

export function rbacViolations(rules: readonly IPolicyRule[]): string[] {
  const out: string[] = [];
  rules.forEach((rule, i) => {
    const where = `rule ${i}`;
    const fields = [
      ...(rule.apiGroups ?? []),
      ...(rule.resources ?? []),
      ...rule.verbs,
      ...(rule.resourceNames ?? []),
    ];
    if (fields.some((f) => f.includes('*'))) out.push(`${where} has a wildcard`);
    if ((rule.nonResourceURLs ?? []).length > 0) out.push(`${where} grants nonResourceURLs`);
    if ((rule.apiGroups ?? []).length === 0 || (rule.resources ?? []).length === 0)
      out.push(`${where} names no apiGroup or resource`);
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          const readable = READ_VERBS.has(verb) && (READABLE[group] ?? []).includes(resource);
          const creatable = verb === 'create' && (CREATABLE[group] ?? []).includes(resource);
          if (!readable && !creatable)
            out.push(`${where} grants ${verb} on ${resource}${group === '' ? '' : `.${group}`}`);
        }
      }
    }
  });
  return out;
}

/** Every rule the advisor's NetworkPolicies may contain, by name; anything else is a violation. */
export type AllowedEgress = 'dns' | 'kubernetes-api' | 'hubble-relay' | 'goldmane' | 'alerts-placeholder';

interface EgressShape {
  readonly name: AllowedEgress;
  /** undefined: the rule has no `to` (port-only). */
  readonly peer?:
    | { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> }
    | { readonly cidr: string };
  readonly ports: readonly string[];
}

const EGRESS_SHAPES: readonly EgressShape[] = [
  {
    name: 'dns',
    peer: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
    ports: ['UDP/53', 'TCP/53'],
  },
  { name: 'kubernetes-api', ports: ['TCP/443', 'TCP/6443'] },
  {
    name: 'hubble-relay',
    peer: { namespace: 'kube-system', podLabels: { 'k8s-app': 'hubble-relay' } },
    ports: ['TCP/80', 'TCP/4245'],
  },
  {
    name: 'goldmane',
    peer: { namespace: 'calico-system', podLabels: { 'k8s-app': 'goldmane' } },
    ports: ['TCP/7443'],
  },
  { name: 'alerts-placeholder', peer: { cidr: '192.0.2.0/24' }, ports: ['TCP/443'] },
];

export interface PolicySummary {
  readonly ingressPorts: string[];
  readonly egress: AllowedEgress[];
  readonly violations: string[];
}

/**
 * Classifies the rules of the NetworkPolicies that select the advisor's pod. Ingress may only open
 * the API port (from anywhere, or a namespace selector); each egress rule must match one allowed
 * shape exactly: same peer, ports a non-empty subset of the allowed ones.
 */
export function summarizePolicies(specs: readonly INetworkPolicySpec[], apiPort: number): PolicySummary {
  const summary: PolicySummary = { ingressPorts: [], egress: [], violations: [] };
  specs.forEach((spec, i) => {
    const where = `policy ${i}`;
    const types = spec.policyTypes ?? [];
    if (spec.ingress !== undefined && !types.includes('Ingress'))
      summary.violations.push(`${where} has ingress rules but no Ingress policyType`);
    if (spec.egress !== undefined && !types.includes('Egress'))
      summary.violations.push(`${where} has egress rules but no Egress policyType`);
    for (const rule of spec.ingress ?? []) {
      const ports = (rule.ports ?? []).map(portKey);
      if (ports.length === 0) summary.violations.push(`${where}: an ingress rule opens every port`);
      for (const port of ports) {
        if (port !== `TCP/${apiPort}`) summary.violations.push(`${where}: ingress to ${port}`);
        else summary.ingressPorts.push(port);
      }
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock !== undefined) summary.violations.push(`${where}: ingress from an ipBlock`);
      }
    }
    for (const rule of spec.egress ?? []) {
      const shape = EGRESS_SHAPES.find((s) => egressMatches(s, rule.to, rule.ports));
      if (shape === undefined)
        summary.violations.push(
          `${where}: egress rule ${JSON.stringify(rule)} is not one of ${EGRESS_SHAPES.map((s) => s.name).join(', ')}`,
        );
      else summary.egress.push(shape.name);
    }
  });
  return summary;
}

function egressMatches(
  shape: EgressShape,
  to: readonly INetworkPolicyPeer[] | undefined,
  ports: readonly INetworkPolicyPort[] | undefined,
): boolean {
  const keys = (ports ?? []).map(portKey);
  if (keys.length === 0 || !keys.every((k) => shape.ports.includes(k))) return false;
  if (shape.peer === undefined) return to === undefined || to.length === 0;
  if (to?.length !== 1) return false;
  const peer = to[0] as INetworkPolicyPeer;
  if ('cidr' in shape.peer) {
    return (
      peer.ipBlock?.cidr === shape.peer.cidr &&
      (peer.ipBlock.except ?? []).length === 0 &&
      peer.podSelector === undefined &&
      peer.namespaceSelector === undefined
    );
  }
  return (
    peer.ipBlock === undefined &&
    exactLabels(peer.namespaceSelector, { 'kubernetes.io/metadata.name': shape.peer.namespace }) &&
    exactLabels(peer.podSelector, shape.peer.podLabels)
  );
}

function exactLabels(
  selector: INetworkPolicyPeer['podSelector'],
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined || (selector.matchExpressions ?? []).length > 0) return false;
  const actual = selector.matchLabels ?? {};
  const expected = Object.entries(labels);
  return Object.keys(actual).length === expected.length && expected.every(([k, v]) => actual[k] === v);
}

function portKey(port: INetworkPolicyPort): string {
  const range = port.endPort !== undefined ? `-${port.endPort}` : '';
  return `${port.protocol ?? 'TCP'}/${String(port.port ?? '*')}${range}`;
}
