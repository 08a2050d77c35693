// Named tests for Cilium host policies (docs.cilium.io security/policy/host and host-firewall;
// pkg/policy/api Rule.Sanitize; pkg/endpoint InitWithNodeLabels; pkg/labelsfilter): a
// CiliumClusterwideNetworkPolicy with `nodeSelector` selects the host endpoint of each node whose
// identity labels match, with the same deny / allow / default-deny order as for pods.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import type { IgnoredObject } from '../../src/policy/cni-objects.js';
import { formatIgnored } from '../../src/policy/ignored-selection.js';
import { NotEvaluatedError } from '../../src/policy/policy-family.js';
import { hostEndpointLabels, isIdentityLabel } from '../../src/policy/cilium/host-endpoint.js';
import { BASE_OBJECTS, ccnp, cnp, decide, IP, P, snapshotWith } from './cni-fixture.js';

// n1 (192.168.0.9) and n2 (192.168.0.10) come from the fixture, without labels; n3 is an edge node
// with a hostNetwork agent on it.
const EDGE_NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n3', labels: { role: 'edge', 'kubernetes.io/hostname': 'n3' } },
  status: { addresses: [{ type: 'InternalIP', address: '192.168.0.11' }] },
};
const AGENT = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'kube-system', name: 'agent-n3', labels: { app: 'agent' } },
  spec: { nodeName: 'n3', hostNetwork: true, containers: [{ name: 'c' }] },
  status: { phase: 'Running', podIP: '192.168.0.11' },
};
const EDGE = { matchLabels: { role: 'edge' } };
const SSH_ONLY = ccnp('edge-ssh', {
  nodeSelector: EDGE,
  ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
});
const N3 = IP('192.168.0.11');
const objects = (...more: unknown[]): unknown[] => [EDGE_NODE, AGENT, ...more];

describe('Cilium host policies: which host endpoints a nodeSelector selects', () => {
  it('selects the host endpoint of a node whose labels match, and names the policy that decided', () => {
    const allowed = decide(objects(SSH_ONLY), P('a', 'web'), N3, 22);
    expect(allowed.verdict).toBe('allow');
    expect(allowed.ingress.decidedBy).toEqual({
      object: 'CiliumClusterwideNetworkPolicy edge-ssh',
      rule: 'ingress[0]',
      action: 'Allow',
    });
    expect(allowed.ingress.reason).toMatch(/host endpoint of node n3 \(192\.168\.0\.11\).*edge-ssh/);
  });
  it('a node without matching labels is unaffected', () => {
    const d = decide(objects(SSH_ONLY), P('a', 'web'), IP('192.168.0.10'), 8080);
    expect(d.verdict).toBe('allow');
    expect(d.ingress.isolated).toBe(false);
    expect(d.ingress.decidedBy).toBeUndefined();
  });
  it('matches the identity labels only: kubernetes.io/hostname is filtered out by Cilium, so it selects nothing', () => {
    expect(isIdentityLabel('kubernetes.io/hostname')).toBe(false);
    expect(isIdentityLabel('beta.kubernetes.io/os')).toBe(false);
    expect(isIdentityLabel('node-role.kubernetes.io/control-plane')).toBe(true);
    expect(isIdentityLabel('topology.kubernetes.io/zone')).toBe(true);
    expect(isIdentityLabel('app.kubernetes.io/name')).toBe(true);
    expect(hostEndpointLabels({ role: 'edge', 'kubernetes.io/os': 'linux' })).not.toHaveProperty(
      'kubernetes.io/os',
    );
    const byHostname = ccnp('by-hostname', {
      nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'n3' } },
      ingress: [{ fromEntities: ['world'] }],
    });
    expect(decide(objects(byHostname), P('a', 'web'), N3, 8080).verdict).toBe('allow');
  });
  it('an empty nodeSelector selects every node; endpointSelector policies never select a host', () => {
    const everyNode = ccnp('all-nodes', { nodeSelector: {}, ingress: [{ fromEntities: ['world'] }] });
    expect(decide(objects(everyNode), P('a', 'web'), IP('192.168.0.10'), 8080).verdict).toBe('deny');
    const everyEndpoint = ccnp('all-endpoints', {
      endpointSelector: {},
      ingress: [{ fromEntities: ['world'] }],
    });
    const d = decide(objects(everyEndpoint), P('a', 'web'), N3, 8080);
    expect(d.ingress.isolated).toBe(false);
    // …and a host policy never selects a pod.
    expect(decide(objects(everyNode), IP('203.0.113.9'), P('a', 'web'), 80).verdict).toBe('allow');
  });
});

describe('Cilium host policies: verdicts', () => {
  it('puts the host endpoint into ingress default deny once selected, egress untouched', () => {
    const d = decide(objects(SSH_ONLY), P('a', 'web'), N3, 10250);
    expect(d.verdict).toBe('deny');
    expect(d.ingress.isolatedBy).toEqual(['CiliumClusterwideNetworkPolicy edge-ssh']);
    expect(d.ingress.decidedBy?.rule).toBe('default deny');
    expect(d.ingress.reason).toMatch(/host endpoint of node n3 .* is isolated for ingress/);
    expect(decide(objects(SSH_ONLY), N3, IP('203.0.113.9'), 443).verdict).toBe('allow');
  });
  it('deny wins over an allow of the same host policy set', () => {
    const deny = ccnp('edge-no-ssh-from-b', {
      nodeSelector: EDGE,
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }] }],
    });
    const d = decide(objects(SSH_ONLY, deny), P('b', 'client'), N3, 22);
    expect(d.verdict).toBe('deny');
    expect(d.ingress.decidedBy).toEqual({
      object: 'CiliumClusterwideNetworkPolicy edge-no-ssh-from-b',
      rule: 'ingressDeny[0]',
      action: 'Deny',
    });
    expect(decide(objects(SSH_ONLY, deny), P('a', 'web'), N3, 22).verdict).toBe('allow');
  });
  it('egress rules apply to traffic the host sends, hostNetwork pods included (they are the host)', () => {
    const egress = ccnp('edge-egress', {
      nodeSelector: EDGE,
      egress: [{ toEntities: ['remote-node'] }, { toEndpoints: [{ matchLabels: { app: 'web' } }] }],
    });
    expect(decide(objects(egress), N3, IP('192.168.0.9'), 10250).verdict).toBe('allow');
    expect(decide(objects(egress), N3, P('a', 'web'), 80).verdict).toBe('allow');
    const world = decide(objects(egress), P('kube-system', 'agent-n3'), IP('203.0.113.9'), 443);
    expect(world.verdict).toBe('deny');
    expect(world.egress.reason).toMatch(/host endpoint of node n3/);
  });
  it('host and remote-node are relative to the selected node', () => {
    const fromPeers = ccnp('edge-from-nodes', {
      nodeSelector: EDGE,
      ingress: [{ fromEntities: ['remote-node'] }],
    });
    expect(decide(objects(fromPeers), IP('192.168.0.9'), N3, 4240).verdict).toBe('allow');
    expect(decide(objects(fromPeers), P('kube-system', 'agent-n3'), N3, 4240).verdict).toBe('deny');
    expect(decide(objects(fromPeers), IP('203.0.113.9'), N3, 4240).verdict).toBe('deny');
  });
  it('says that the host firewall is assumed enabled on every verdict a host policy took part in', () => {
    const d = decide(objects(SSH_ONLY), P('a', 'web'), N3, 22);
    expect(d.ingress.notes?.[0]).toMatch(/host firewall .* assumed enabled/);
    expect(d.egress.notes).toBeUndefined();
  });
});

describe('Cilium host policies: what the snapshot cannot tell is not evaluated', () => {
  it('a host address of no known node is not evaluated when host policies select by label', () => {
    const engine = compilePolicies(snapshotWith(objects(SSH_ONLY)));
    const query = { from: P('a', 'web'), to: IP('10.0.5.1', [], 'host'), port: 22, protocol: 'TCP' as const };
    expect(() => engine.evaluate(query)).toThrow(NotEvaluatedError);
    expect(() => engine.isAllowed(query)).toThrow(/does not say which node has that address/);
  });
  it('a node the snapshot does not list is not evaluated, unless every host policy selects all nodes', () => {
    const stray = {
      ...AGENT,
      metadata: { namespace: 'kube-system', name: 'agent-n9', labels: {} },
      spec: { nodeName: 'n9', hostNetwork: true, containers: [{ name: 'c' }] },
      status: { phase: 'Running', podIP: '192.168.0.99' },
    };
    const engine = compilePolicies(snapshotWith(objects(SSH_ONLY, stray)));
    const query = {
      from: P('kube-system', 'agent-n9'),
      to: P('a', 'web'),
      port: 80,
      protocol: 'TCP' as const,
    };
    expect(() => engine.evaluate(query)).toThrow(/no Node n9/);
    const everyNode = ccnp('all-nodes', { nodeSelector: {}, egress: [{ toEntities: ['world'] }] });
    const d = decide(objects(everyNode, stray), P('kube-system', 'agent-n9'), P('a', 'web'), 80);
    expect(d.verdict).toBe('deny');
  });
  it('a host policy the engine ignores (fromNodes) leaves the host endpoints it selects not evaluated', () => {
    const ignored = ccnp('edge-from-cp', {
      nodeSelector: EDGE,
      ingress: [{ fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }],
    });
    const engine = compilePolicies(snapshotWith(objects(ignored)));
    expect(engine.ignored.map((o) => o.appliesTo)).toEqual([{ kind: 'cilium-nodes', selector: EDGE }]);
    expect(formatIgnored({ ...(engine.ignored[0] as IgnoredObject), selectsReplayedPods: 0 })).toMatch(
      /selects host endpoints, no pod: the paths to and from them are NOT EVALUATED/,
    );
    const toEdge = { from: P('a', 'web'), to: N3, port: 22, protocol: 'TCP' as const };
    expect(() => engine.evaluate(toEdge)).toThrow(
      /host endpoint of node n3 is selected by host policies the engine could not evaluate: CiliumClusterwideNetworkPolicy edge-from-cp/,
    );
    // Another node, and pods, are decided as usual.
    const other = { from: P('a', 'web'), to: IP('192.168.0.10'), port: 22, protocol: 'TCP' as const };
    expect(engine.evaluate(other).verdict).toBe('allow');
    expect(
      engine.evaluate({ from: P('a', 'web'), to: P('a', 'api'), port: 80, protocol: 'TCP' }).verdict,
    ).toBe('allow');
  });
  it('without host policies a host address is as before: no opinion, no error', () => {
    expect(decide(objects(), P('a', 'web'), IP('10.0.5.1', [], 'host'), 22).verdict).toBe('allow');
  });
});

describe('Cilium host policies: what Cilium rejects is a problem, not a policy', () => {
  it('rejects nodeSelector in a namespaced policy, both selectors, and L7 rules other than DNS', () => {
    const parsed = parseClusterObjects([
      ...BASE_OBJECTS,
      cnp('a', 'ns-host', { nodeSelector: {}, ingress: [{}] }),
      ccnp('both', { nodeSelector: {}, endpointSelector: {}, ingress: [{}] }),
      ccnp('l7', {
        nodeSelector: {},
        ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }],
      }),
    ]);
    expect(parsed.problems.map((p) => `${p.object}: ${p.path}: ${p.message}`)).toEqual([
      'CiliumNetworkPolicy a/ns-host: spec.nodeSelector: only a CiliumClusterwideNetworkPolicy may select nodes',
      'CiliumClusterwideNetworkPolicy both: spec: a rule cannot have both endpointSelector and nodeSelector',
      'CiliumClusterwideNetworkPolicy l7: spec.ingress[0].toPorts: host policies do not support L7 rules (http); Cilium rejects the policy',
    ]);
  });
  it('a host policy is no longer reported as ignored', () => {
    const engine = compilePolicies(snapshotWith(objects(SSH_ONLY)));
    expect(engine.ignored).toEqual([]);
  });
});
