// Named tests, one per Cilium semantic rule the engine models (docs.cilium.io security/policy:
// language, deny policies, enforcement modes; pkg/policy/api), over snapshots parsed from objects.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { BASE_OBJECTS, ccnp, cnp, decide, IP, knp, P, snapshotWith } from './cni-fixture.js';

const WEB = { matchLabels: { app: 'web' } };

describe('Cilium: default deny', () => {
  it('a policy with an ingress section puts the selected endpoint into ingress default deny only', () => {
    const objects = [
      cnp('a', 'web-in', {
        endpointSelector: WEB,
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
      }),
    ];
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    const denied = decide(objects, P('b', 'client'), P('a', 'web'));
    expect(denied.verdict).toBe('deny');
    expect(denied.ingress.isolatedBy).toEqual(['CiliumNetworkPolicy a/web-in']);
    expect(denied.ingress.decidedBy?.rule).toBe('default deny');
    // egress of web untouched
    expect(decide(objects, P('a', 'web'), P('b', 'client')).verdict).toBe('allow');
  });
  it('the empty rule `ingress: [{}]` isolates and admits nothing', () => {
    const objects = [cnp('a', 'deny', { endpointSelector: {}, ingress: [{}] })];
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
  });
  it('enableDefaultDeny: false keeps the endpoint open while adding allows', () => {
    const objects = [
      cnp('a', 'open', {
        endpointSelector: WEB,
        enableDefaultDeny: { ingress: false },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
      }),
    ];
    const d = decide(objects, P('b', 'client'), P('a', 'web'));
    expect(d.verdict).toBe('allow');
    expect(d.ingress.isolated).toBe(false);
  });
  it('a deny-only policy also puts the direction into default deny', () => {
    const objects = [
      cnp('a', 'deny-only', {
        endpointSelector: WEB,
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
      }),
    ];
    expect(decide(objects, P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
  });
  it('a CiliumNetworkPolicy selects only endpoints of its own namespace', () => {
    const objects = [cnp('b', 'all-b', { endpointSelector: {}, ingress: [{}] })];
    expect(decide(objects, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide(objects, P('a', 'web'), P('b', 'client')).verdict).toBe('deny');
  });
});

describe('Cilium: deny wins, allows are a union with NetworkPolicies', () => {
  it('ingressDeny overrides an allow of any kind, NetworkPolicy included', () => {
    const objects = [
      knp('a', 'allow-all', { podSelector: {}, ingress: [{}] }),
      cnp('a', 'deny-client', {
        endpointSelector: WEB,
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }] }],
      }),
    ];
    const d = decide(objects, P('b', 'client'), P('a', 'web'));
    expect(d.verdict).toBe('deny');
    expect(d.ingress.decidedBy).toEqual({
      object: 'CiliumNetworkPolicy a/deny-client',
      rule: 'ingressDeny[0]',
      action: 'Deny',
    });
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
  });
  it('egressDeny on a port denies only that port', () => {
    const objects = [
      cnp('b', 'no-80', {
        endpointSelector: { matchLabels: { app: 'client' } },
        egress: [{ toEntities: ['all'] }],
        egressDeny: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      }),
    ];
    expect(decide(objects, P('b', 'client'), P('a', 'web'), 80).verdict).toBe('deny');
    expect(decide(objects, P('b', 'client'), P('a', 'web'), 81).verdict).toBe('allow');
  });
  it('a NetworkPolicy allow and a CiliumNetworkPolicy allow on one endpoint add up', () => {
    const objects = [
      knp('a', 'from-api', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
      cnp('a', 'from-b', {
        endpointSelector: WEB,
        ingress: [
          { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'b', app: 'client' } }] },
        ],
      }),
    ];
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    const viaCilium = decide(objects, P('b', 'client'), P('a', 'web'));
    expect(viaCilium.verdict).toBe('allow');
    expect(viaCilium.ingress.decidedBy).toEqual({
      object: 'CiliumNetworkPolicy a/from-b',
      rule: 'ingress[0]',
      action: 'Allow',
    });
    expect(decide(objects, P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
  });
  it('a plain NetworkPolicy ipBlock does not select pods under Cilium', () => {
    const objects = [
      knp('a', 'cidr', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
      cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'none' } }, ingress: [{}] }),
    ];
    expect(decide(objects, P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
  });
});

describe('Cilium: endpoints and namespaces', () => {
  it('fromEndpoints without a namespace label means the policy namespace; [{}] all of it', () => {
    const objects = [cnp('a', 'same-ns', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}] }] })];
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(decide(objects, P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
  });
  it('a clusterwide policy selects and admits endpoints of every namespace', () => {
    const objects = [
      ccnp('web', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }],
      }),
    ];
    expect(decide(objects, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide(objects, P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
  });
  it('namespace labels select as io.cilium.k8s.namespace.labels.<key>', () => {
    const objects = [
      cnp('a', 'dev', {
        endpointSelector: WEB,
        ingress: [
          {
            fromEndpoints: [
              {
                matchLabels: {
                  'k8s:io.kubernetes.pod.namespace': 'b',
                  'io.cilium.k8s.namespace.labels.env': 'dev',
                },
              },
            ],
          },
        ],
      }),
    ];
    expect(decide(objects, P('b', 'other'), P('a', 'web')).verdict).toBe('allow');
  });
  it('matchExpressions and the service-account label', () => {
    const objects = [
      cnp('a', 'sa', {
        endpointSelector: WEB,
        ingress: [
          {
            fromEndpoints: [
              {
                matchExpressions: [
                  { key: 'io.cilium.k8s.policy.serviceaccount', operator: 'In', values: ['api-sa'] },
                ],
              },
            ],
          },
        ],
      }),
    ];
    expect(decide(objects, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
  });
});

describe('Cilium: entities, CIDRs, services, FQDNs, ports', () => {
  const egress = (rule: Record<string, unknown>) => [
    cnp('b', 'client-out', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [rule] }),
  ];
  it('toEntities world matches outside addresses, cluster matches pods, not the other way', () => {
    expect(decide(egress({ toEntities: ['world'] }), P('b', 'client'), IP('203.0.113.7')).verdict).toBe(
      'allow',
    );
    expect(decide(egress({ toEntities: ['world'] }), P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
    expect(decide(egress({ toEntities: ['cluster'] }), P('b', 'client'), P('a', 'web')).verdict).toBe(
      'allow',
    );
    expect(decide(egress({ toEntities: ['cluster'] }), P('b', 'client'), IP('203.0.113.7')).verdict).toBe(
      'deny',
    );
  });
  it("host is the endpoint's own node, remote-node the others; kube-apiserver by the kubernetes Service or the flow's class", () => {
    expect(decide(egress({ toEntities: ['host'] }), P('b', 'client'), IP('192.168.0.9')).verdict).toBe(
      'allow',
    );
    expect(decide(egress({ toEntities: ['host'] }), P('b', 'client'), IP('192.168.0.10')).verdict).toBe(
      'deny',
    );
    expect(
      decide(egress({ toEntities: ['remote-node'] }), P('b', 'client'), IP('192.168.0.10')).verdict,
    ).toBe('allow');
    expect(
      decide(egress({ toEntities: ['kube-apiserver'] }), P('b', 'client'), IP('10.96.0.1')).verdict,
    ).toBe('allow');
    expect(
      decide(
        egress({ toEntities: ['kube-apiserver'] }),
        P('b', 'client'),
        IP('172.18.0.2', [], 'kube-apiserver'),
      ).verdict,
    ).toBe('allow');
    expect(
      decide(egress({ toEntities: ['kube-apiserver'] }), P('b', 'client'), IP('172.18.0.2')).verdict,
    ).toBe('deny');
  });
  it('toCIDRSet with except, and CIDRs never select pods', () => {
    const rule = { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] }] };
    expect(decide(egress(rule), P('b', 'client'), IP('10.1.2.3')).verdict).toBe('allow');
    expect(decide(egress(rule), P('b', 'client'), IP('10.9.2.3')).verdict).toBe('deny');
    expect(decide(egress(rule), P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
    expect(decide(egress({ toCIDR: ['203.0.113.0/24'] }), P('b', 'client'), IP('203.0.113.9')).verdict).toBe(
      'allow',
    );
  });
  it("toServices admits the Service's backends and its cluster IP", () => {
    const rule = { toServices: [{ k8sService: { serviceName: 'api', namespace: 'a' } }] };
    expect(decide(egress(rule), P('b', 'client'), P('a', 'api'), 8080).verdict).toBe('allow');
    expect(decide(egress(rule), P('b', 'client'), IP('10.96.0.20')).verdict).toBe('allow');
    expect(decide(egress(rule), P('b', 'client'), P('a', 'web'), 8080).verdict).toBe('deny');
  });
  it('toFQDNs matchName and matchPattern against the names the address was reached by', () => {
    const rule = { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.cdn.example.net' }] };
    expect(decide(egress(rule), P('b', 'client'), IP('203.0.113.7', ['API.example.com.'])).verdict).toBe(
      'allow',
    );
    expect(decide(egress(rule), P('b', 'client'), IP('203.0.113.8', ['x.cdn.example.net'])).verdict).toBe(
      'allow',
    );
    // `*` stays within one DNS label
    expect(decide(egress(rule), P('b', 'client'), IP('203.0.113.8', ['a.b.cdn.example.net'])).verdict).toBe(
      'deny',
    );
    expect(decide(egress(rule), P('b', 'client'), IP('203.0.113.9')).verdict).toBe('deny');
    expect(
      decide(
        egress({ toFQDNs: [{ matchPattern: '*' }] }),
        P('b', 'client'),
        IP('203.0.113.9', ['anything.org']),
      ).verdict,
    ).toBe('allow');
  });
  it('toPorts: numbers, ranges (endPort), ANY protocol, port 0, named ports; an L4-only rule admits every peer', () => {
    const ports = (p: Record<string, unknown>) => egress({ toPorts: [{ ports: [p] }] });
    expect(
      decide(ports({ port: '80', protocol: 'TCP' }), P('b', 'client'), IP('203.0.113.7'), 80).verdict,
    ).toBe('allow');
    expect(
      decide(ports({ port: '80', protocol: 'TCP' }), P('b', 'client'), IP('203.0.113.7'), 80, 'UDP').verdict,
    ).toBe('deny');
    expect(decide(ports({ port: '80' }), P('b', 'client'), IP('203.0.113.7'), 80, 'UDP').verdict).toBe(
      'allow',
    );
    expect(
      decide(ports({ port: '8000', endPort: 8100, protocol: 'ANY' }), P('b', 'client'), P('a', 'web'), 8080)
        .verdict,
    ).toBe('allow');
    expect(
      decide(ports({ port: '8000', endPort: 8100 }), P('b', 'client'), P('a', 'web'), 8101).verdict,
    ).toBe('deny');
    expect(decide(ports({ port: '0', protocol: 'TCP' }), P('b', 'client'), P('a', 'web'), 1234).verdict).toBe(
      'allow',
    );
    expect(
      decide(ports({ port: 'http', protocol: 'TCP' }), P('b', 'client'), P('a', 'web'), 8080).verdict,
    ).toBe('allow');
    expect(
      decide(ports({ port: 'http', protocol: 'TCP' }), P('b', 'client'), P('a', 'web'), 8081).verdict,
    ).toBe('deny');
  });
  it('L7 rules are accepted and reported as not evaluated; DNS rules are not flagged', () => {
    const objects = [
      cnp('a', 'l7', {
        endpointSelector: WEB,
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { app: 'api' } }],
            toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
          },
        ],
      }),
    ];
    const d = decide(objects, P('a', 'api'), P('a', 'web'));
    expect(d.verdict).toBe('allow');
    expect(d.ingress.notes?.[0]).toMatch(/L7 not evaluated/);
    const dns = [
      cnp('b', 'dns', {
        endpointSelector: { matchLabels: { app: 'client' } },
        egress: [
          {
            toEndpoints: [
              { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } },
            ],
            toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
        ],
      }),
    ];
    const d2 = decide(dns, P('b', 'client'), P('kube-system', 'coredns'), 53, 'UDP');
    expect(d2.verdict).toBe('allow');
    expect(d2.egress.notes).toBeUndefined();
  });
});

describe('Cilium: objects we do not model are reported, not half-evaluated', () => {
  it('fromRequires, fromNodes and CIDR groups make the object ignored, with the reason', () => {
    const snapshot = snapshotWith([
      cnp('a', 'req', {
        endpointSelector: WEB,
        ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }],
      }),
      ccnp('host', { nodeSelector: {}, ingress: [{ fromNodes: [{ matchLabels: { role: 'cp' } }] }] }),
      cnp('a', 'grp', { endpointSelector: WEB, egress: [{ toCIDRSet: [{ cidrGroupRef: 'x' }] }] }),
    ]);
    const engine = compilePolicies(snapshot);
    expect(engine.ignored.map((o) => `${o.kind} ${o.name}: ${o.reason}`)).toEqual([
      'CiliumNetworkPolicy req: spec.ingress[0].fromRequires: not modelled',
      'CiliumClusterwideNetworkPolicy host: spec.ingress[0].fromNodes: not modelled (node peers take effect only with the agent option enable-node-selector-labels, which the snapshot cannot show)',
      'CiliumNetworkPolicy grp: spec.egress[0].toCIDRSet[0]: CiliumCIDRGroup references are not in the snapshot',
    ]);
    expect(
      engine.evaluate({ from: P('b', 'client'), to: P('a', 'web'), port: 80, protocol: 'TCP' }).verdict,
    ).toBe('allow');
  });
  it('a malformed field is a problem naming it, and the object is left out', () => {
    const parsed = parseClusterObjects([
      ...BASE_OBJECTS,
      cnp('a', 'bad', { endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [{ port: '99999' }] }] }] }),
    ]);
    expect(parsed.problems.map((p) => `${p.object}: ${p.path}: ${p.message}`)).toEqual([
      'CiliumNetworkPolicy a/bad: spec.ingress[0].toPorts[0].ports[0].port: must be between 0 and 65535',
    ]);
    expect(parsed.snapshot.cni?.cilium ?? []).toEqual([]);
  });
  it('specs: each rule of the list is evaluated and named', () => {
    const object = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { namespace: 'a', name: 'many' },
      specs: [
        { endpointSelector: WEB, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] },
        {
          endpointSelector: WEB,
          ingress: [
            { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'b', app: 'client' } }] },
          ],
        },
      ],
    };
    const d = decide([object], P('b', 'client'), P('a', 'web'));
    expect(d.ingress.decidedBy?.object).toBe('CiliumNetworkPolicy a/many specs[1]');
  });
});
