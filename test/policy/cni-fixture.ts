// A small cluster as API objects, for the Cilium and Calico semantic tests: two namespaces, a few
// pods with IPs, container ports and service accounts, a node, and the API server's Service.
// Tests add policy objects and parse the lot through parseClusterObjects, as a snapshot file is.
import { expect } from 'vitest';
import {
  compilePolicies,
  type ConnectionQuery,
  type Decision,
  type EngineOptions,
  type QueryEndpoint,
} from '../../src/policy/engine.js';
import type { ClusterSnapshot } from '../../src/policy/model.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels },
    spec: {
      nodeName: 'n1',
      serviceAccountName: `${name}-sa`,
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }],
      ...extra,
    },
    status: { phase: 'Running', podIP: ip },
  };
}

export const BASE_OBJECTS: Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { env: 'prod' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { env: 'dev' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: {} } },
  pod('a', 'web', { app: 'web' }, '10.0.0.1'),
  pod('a', 'api', { app: 'api', tier: 'be' }, '10.0.0.2'),
  pod('b', 'client', { app: 'client' }, '10.0.1.1'),
  pod('b', 'other', {}, '10.0.1.2'),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.0.2.10'),
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.0.9' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n2' },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.0.10' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name: 'kubernetes' },
    spec: { clusterIP: '10.96.0.1', ports: [{ port: 443 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'a', name: 'api' },
    spec: { clusterIP: '10.96.0.20', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] },
  },
];

export function snapshotWith(objects: readonly unknown[]): ClusterSnapshot {
  const parsed = parseClusterObjects([...BASE_OBJECTS, ...objects]);
  expect(parsed.problems).toEqual([]);
  return parsed.snapshot;
}

export const P = (namespace: string, name: string): QueryEndpoint => ({ kind: 'pod', namespace, name });
export const IP = (ip: string, names?: string[], hint?: string): QueryEndpoint => ({
  kind: 'ip',
  ip,
  ...(names !== undefined ? { names } : {}),
  ...(hint !== undefined ? { hint } : {}),
});

/** Evaluates one query and checks that the verdict-only path agrees. */
export function decide(
  objects: readonly unknown[],
  from: QueryEndpoint,
  to: QueryEndpoint,
  port = 80,
  protocol: ConnectionQuery['protocol'] = 'TCP',
  options: EngineOptions = {},
): Decision {
  const engine = compilePolicies(snapshotWith(objects), options);
  const query = { from, to, port, protocol };
  const decision = engine.evaluate(query);
  expect(engine.isAllowed(query)).toBe(decision.verdict === 'allow');
  return decision;
}

export function cnp(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace, name }, spec };
}
export function ccnp(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}
export function knp(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}
export function calicoNp(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  kind = 'NetworkPolicy',
): Record<string, unknown> {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { namespace, name }, spec };
}
export function gnp(
  name: string,
  spec: Record<string, unknown>,
  kind = 'GlobalNetworkPolicy',
): Record<string, unknown> {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec };
}
export function tier(
  name: string,
  order: number | undefined,
  defaultAction?: 'Deny' | 'Pass',
): Record<string, unknown> {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Tier',
    metadata: { name },
    spec: {
      ...(order !== undefined ? { order } : {}),
      ...(defaultAction !== undefined ? { defaultAction } : {}),
    },
  };
}
