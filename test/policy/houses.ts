// The "houses" cluster of kubernetes-sigs/network-policy-api's conformance suite
// (conformance/base/manifests.yaml): five namespaces labelled `conformance-house`, two pods each
// (StatefulSet pods `<name>-0`, `<name>-1`) serving TCP 80 (named `web`), 8080, UDP 53 (`dns`),
// 5353 and SCTP 9003/9005; the forbidden-forrest centaurs run on the host network of two linux
// nodes (their ports are HOST_NETWORK_PORTS; the v1alpha1-era suite had fixed ones, passed in). The upstream policy manifests are in test/fixtures/network-policy-api (Apache-2.0, copied
// unchanged; `{{ index .HostNetworkPorts N }}` is filled from HOST_NETWORK_PORTS here).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compilePolicies } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import type { PolicyProtocol } from '../../src/policy/model.js';

export const HOST_NETWORK_PORTS = [34345, 34346, 34347, 34348, 34349, 34350, 34351];
const HOUSES = [
  ['gryffindor', 'harry-potter'],
  ['slytherin', 'draco-malfoy'],
  ['hufflepuff', 'cedric-diggory'],
  ['ravenclaw', 'luna-lovegood'],
  ['forbidden-forrest', 'centaur'],
] as const;
export type House = (typeof HOUSES)[number][0];
export const NODES = [
  { name: 'kind-worker', ip: '172.18.0.2' },
  { name: 'kind-worker2', ip: '172.18.0.3' },
];

export function ns(house: string): string {
  return `network-policy-conformance-${house}`;
}

/** `gryffindor/harry-potter-0` style short names to the pod's namespace and name. */
export function podOf(short: string): { namespace: string; name: string } {
  const [house, name] = short.split('/') as [string, string];
  return { namespace: ns(house), name };
}

export function podIp(house: string, index: number): string {
  return `10.244.${HOUSES.findIndex(([h]) => h === house) + 1}.${10 + index}`;
}

export function housesObjects(hostPorts: readonly number[] = HOST_NETWORK_PORTS): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = NODES.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/os': 'linux' } },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
  }));
  for (const [house, app] of HOUSES) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns(house),
        labels: { 'conformance-house': house, 'kubernetes.io/metadata.name': ns(house) },
      },
    });
    const host = house === 'forbidden-forrest';
    const ports = host
      ? [
          { containerPort: hostPorts[0], protocol: 'TCP', name: `web-${hostPorts[0]}` },
          { containerPort: hostPorts[1], protocol: 'TCP', name: `web-${hostPorts[1]}` },
          { containerPort: hostPorts[2], protocol: 'UDP', name: `dns-${hostPorts[2]}` },
          { containerPort: hostPorts[4], protocol: 'UDP', name: `dns-${hostPorts[4]}` },
        ]
      : [
          { containerPort: 80, protocol: 'TCP', name: 'web' },
          { containerPort: 53, protocol: 'UDP', name: 'dns' },
        ];
    for (const i of [0, 1]) {
      const node = NODES[i] as { name: string; ip: string };
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${app}-${i}`, namespace: ns(house), labels: { 'conformance-house': house } },
        spec: { nodeName: node.name, hostNetwork: host, containers: [{ name: 'server', ports }] },
        status: { phase: 'Running', podIP: host ? node.ip : podIp(house, i) },
      });
    }
  }
  return objects;
}

/** An upstream conformance manifest, templated and parsed to plain objects. */
export function conformanceManifest(
  file: string,
  hostPorts: readonly number[] = HOST_NETWORK_PORTS,
): Record<string, unknown>[] {
  const text = readFileSync(
    new URL(`../fixtures/network-policy-api/${file}`, import.meta.url),
    'utf8',
  ).replace(/\{\{ index \.HostNetworkPorts (\d) \}\}/g, (_m, n: string) => String(hostPorts[Number(n)]));
  return text
    .split(/^---$/m)
    .map((doc) => parse(doc) as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/** Whether `from` may open `protocol/port` to `to` (short names `house/pod`) under the objects. */
export function poke(
  objects: readonly unknown[],
  from: string,
  to: string,
  protocol: PolicyProtocol,
  port: number,
): boolean {
  const parsed = parseClusterObjects([...housesObjects(), ...objects]);
  if (parsed.problems.length > 0) throw new Error(JSON.stringify(parsed.problems));
  const engine = compilePolicies(parsed.snapshot);
  return (
    engine.evaluate({
      from: { kind: 'pod', ...podOf(from) },
      to: { kind: 'pod', ...podOf(to) },
      port,
      protocol,
    }).verdict === 'allow'
  );
}

/** The spec of a policy object by name from a list of manifests (the tests patch it in place). */
export function specOf(objects: readonly Record<string, unknown>[], name: string): Record<string, unknown> {
  const found = objects.find((o) => (o['metadata'] as { name?: string } | undefined)?.name === name);
  if (found === undefined) throw new Error(`no object ${name}`);
  return found['spec'] as Record<string, unknown>;
}

/** A policy's `ingress` or `egress` rules by name (the array itself, patched in place). */
export function rulesOf(
  objects: readonly Record<string, unknown>[],
  name: string,
  field: 'ingress' | 'egress',
): Record<string, unknown>[] {
  return specOf(objects, name)[field] as Record<string, unknown>[];
}
