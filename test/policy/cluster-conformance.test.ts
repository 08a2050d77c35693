// network-policy-api's conformance scenarios (conformance/tests/*.go at the fetched HEAD) as truth
// tables over the houses cluster: each block is one upstream test file, each `step` one t.Run with
// the patches it applies (patches persist into later steps, as upstream) and its PokeServer
// expectations `[client, server, protocol, port, connects]`.
import { describe, expect, it } from 'vitest';
import type { PolicyProtocol } from '../../src/policy/model.js';
import { conformanceManifest, HOST_NETWORK_PORTS, podIp, poke, rulesOf, specOf } from './houses.js';

type Poke = readonly [string, string, PolicyProtocol, number, boolean];

function expectPokes(objects: readonly unknown[], pokes: readonly Poke[]): void {
  const got = pokes.map(([from, to, protocol, port]) => [
    from,
    to,
    protocol,
    port,
    poke(objects, from, to, protocol, port),
  ]);
  expect(got).toEqual(pokes);
}

function swap(list: unknown[], a: number, b: number): void {
  const tmp = list[a];
  list[a] = list[b];
  list[b] = tmp;
}

describe('conformance: admin-network-policy-standard-priority', () => {
  const objects = conformanceManifest('admin_tier-standard-priority-field.yaml');
  it('denies both ways by the priority 50 admin policy, then passes to the Baseline accept once the pass is at 40', () => {
    expectPokes(objects, [
      ['slytherin/draco-malfoy-0', 'gryffindor/harry-potter-0', 'TCP', 80, false],
      ['slytherin/draco-malfoy-1', 'gryffindor/harry-potter-0', 'TCP', 8080, false],
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, false],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, false],
    ]);
    specOf(objects, 'old-priority-60-new-priority-40-example')['priority'] = 40;
    expectPokes(objects, [
      ['slytherin/draco-malfoy-0', 'gryffindor/harry-potter-0', 'TCP', 80, true],
      ['slytherin/draco-malfoy-1', 'gryffindor/harry-potter-0', 'TCP', 8080, true],
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, true],
    ]);
  });
});

describe('conformance: admin-network-policy-standard-integration (Admin, NetworkPolicy, Baseline)', () => {
  const objects = conformanceManifest('api_integration-standard-anp-np-banp.yaml');
  it('follows Deny, then Pass to the NetworkPolicy allow, then Pass to the Baseline deny once the NetworkPolicy is gone', () => {
    expectPokes(objects, [
      ['slytherin/draco-malfoy-0', 'gryffindor/harry-potter-0', 'TCP', 80, false],
      ['slytherin/draco-malfoy-1', 'gryffindor/harry-potter-0', 'TCP', 8080, false],
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, false],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, false],
    ]);
    (rulesOf(objects, 'pass-example', 'ingress')[0] as Record<string, unknown>)['action'] = 'Pass';
    expectPokes(objects, [
      ['slytherin/draco-malfoy-0', 'gryffindor/harry-potter-0', 'TCP', 80, true],
      ['slytherin/draco-malfoy-1', 'gryffindor/harry-potter-0', 'TCP', 8080, true],
    ]);
    (rulesOf(objects, 'pass-example', 'egress')[0] as Record<string, unknown>)['action'] = 'Pass';
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, true],
    ]);
    const withoutNp = objects.filter((o) => o['kind'] !== 'NetworkPolicy');
    expectPokes(withoutNp, [
      ['slytherin/draco-malfoy-0', 'gryffindor/harry-potter-0', 'TCP', 80, false],
      ['slytherin/draco-malfoy-1', 'gryffindor/harry-potter-0', 'TCP', 8080, false],
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, false],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, false],
    ]);
  });
});

describe('conformance: admin-network-policy-standard-egress-tcp-rules', () => {
  it('respects rule order within the policy, ports, and Pass', () => {
    const objects = conformanceManifest('admin_tier-standard-egress-tcp-rules.yaml');
    const egress = rulesOf(objects, 'egress-tcp', 'egress');
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'ravenclaw/luna-lovegood-0', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'ravenclaw/luna-lovegood-0', 'TCP', 8080, true],
      ['gryffindor/harry-potter-0', 'hufflepuff/cedric-diggory-1', 'TCP', 8080, true],
      ['gryffindor/harry-potter-1', 'hufflepuff/cedric-diggory-1', 'TCP', 80, false],
    ]);
    swap(egress, 0, 1);
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'ravenclaw/luna-lovegood-1', 'TCP', 80, false],
      ['gryffindor/harry-potter-1', 'ravenclaw/luna-lovegood-1', 'TCP', 8080, false],
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, false],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, true],
    ]);
    swap(egress, 0, 2);
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'ravenclaw/luna-lovegood-0', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'ravenclaw/luna-lovegood-0', 'TCP', 8080, true],
    ]);
    swap(egress, 3, 4);
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'slytherin/draco-malfoy-0', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'slytherin/draco-malfoy-0', 'TCP', 8080, true],
    ]);
  });

  it('(experimental) admits by destinationNamedPort', () => {
    const objects = conformanceManifest('admin_tier-standard-egress-tcp-rules.yaml');
    const rule = rulesOf(objects, 'egress-tcp', 'egress')[5] as Record<string, unknown>;
    rule['protocols'] = [{ destinationNamedPort: 'web' }];
    expectPokes(objects, [
      ['gryffindor/harry-potter-0', 'hufflepuff/cedric-diggory-1', 'TCP', 80, true],
      ['gryffindor/harry-potter-1', 'hufflepuff/cedric-diggory-1', 'TCP', 8080, false],
    ]);
  });
});

describe('conformance: admin-network-policy-standard-egress-inline-cidr-rules (networks peer)', () => {
  it('denies by 0.0.0.0/0 pod traffic not accepted before it, and accepts pod IPs by /32', () => {
    const objects = conformanceManifest('admin_tier-standard-egress-inline-cidr-rules.yaml');
    const all = (to: string, connects: boolean): Poke[] => [
      ['gryffindor/harry-potter-1', to, 'TCP', 80, connects],
      ['gryffindor/harry-potter-1', to, 'UDP', 53, connects],
      ['gryffindor/harry-potter-1', to, 'SCTP', 9003, connects],
    ];
    expectPokes(objects, [
      ...all('ravenclaw/luna-lovegood-0', false),
      ...all('hufflepuff/cedric-diggory-0', false),
      ...all('slytherin/draco-malfoy-0', true),
    ]);
    const slytherin = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'network-policy-conformance-slytherin',
        labels: { 'conformance-house': 'denied-namespace-label' },
      },
    };
    expectPokes([...objects, slytherin], all('slytherin/draco-malfoy-0', false));
    expectPokes(objects, all('slytherin/draco-malfoy-0', true));
    const spec = specOf(objects, 'inline-cidr-as-peers-example');
    spec['egress'] = [
      {
        name: 'allow-egress-to-specific-podIPs',
        action: 'Accept',
        to: [{ networks: [`${podIp('ravenclaw', 0)}/32`, `${podIp('hufflepuff', 0)}/32`] }],
      },
      ...rulesOf(objects, 'inline-cidr-as-peers-example', 'egress'),
    ];
    expectPokes(objects, [
      ...all('ravenclaw/luna-lovegood-0', true),
      ...all('hufflepuff/cedric-diggory-0', true),
      ...all('ravenclaw/luna-lovegood-1', false),
      ...all('hufflepuff/cedric-diggory-1', false),
    ]);
  });
});

describe('conformance: admin-network-policy-experimental-egress-rules (nodes peer)', () => {
  it('accepts, passes and denies egress to host-network pods by their node', () => {
    const objects = conformanceManifest('admin_tier-experimental-egress-selector-rules.yaml');
    const [p0, p1, , , p4, , p6] = HOST_NETWORK_PORTS as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expectPokes(objects, [
      ['gryffindor/harry-potter-1', 'forbidden-forrest/centaur-1', 'TCP', p0, true],
      [
        'gryffindor/harry-potter-1',
        'forbidden-forrest/centaur-1',
        'UDP',
        HOST_NETWORK_PORTS[2] as number,
        true,
      ],
      ['gryffindor/harry-potter-1', 'forbidden-forrest/centaur-1', 'TCP', p1, false],
      ['gryffindor/harry-potter-1', 'forbidden-forrest/centaur-1', 'UDP', p4, false],
      ['gryffindor/harry-potter-1', 'forbidden-forrest/centaur-1', 'SCTP', p6, false],
    ]);
  });
});

describe('conformance: baseline-admin-network-policy-standard-ingress-udp-rules', () => {
  it('respects rule order and ports in the Baseline tier', () => {
    const objects = conformanceManifest('baseline_tier-standard-ingress-udp-rules.yaml');
    expectPokes(objects, [
      ['ravenclaw/luna-lovegood-0', 'hufflepuff/cedric-diggory-0', 'UDP', 53, true],
      ['ravenclaw/luna-lovegood-1', 'hufflepuff/cedric-diggory-0', 'UDP', 5353, true],
      ['gryffindor/harry-potter-0', 'hufflepuff/cedric-diggory-1', 'UDP', 53, true],
      ['gryffindor/harry-potter-1', 'hufflepuff/cedric-diggory-1', 'UDP', 5353, false],
    ]);
    swap(rulesOf(objects, 'default', 'ingress'), 0, 1);
    expectPokes(objects, [
      ['ravenclaw/luna-lovegood-0', 'hufflepuff/cedric-diggory-1', 'UDP', 53, false],
      ['ravenclaw/luna-lovegood-1', 'hufflepuff/cedric-diggory-1', 'UDP', 5353, false],
      ['slytherin/draco-malfoy-0', 'hufflepuff/cedric-diggory-0', 'UDP', 5353, false],
      ['slytherin/draco-malfoy-1', 'hufflepuff/cedric-diggory-0', 'UDP', 53, true],
    ]);
  });
});
