// The Kubernetes e2e NetworkPolicy suite (kubernetes/kubernetes test/e2e/network/netpol/
// network_policy.go) translated into data: each case names the upstream test, its policies and
// the expected truth tables per port/protocol. Loopback pairs are ignored, as upstream does.
// Tests that mutate state (updated labels/policies, deletion) are written as their final state.
import { nsLabel, podLabel, policy, Reachability, type E2eCase } from './e2e-model.js';

const all = {};
const R = (): Reachability => new Reachability(true);
const tcp = (port: number, reachability: Reachability) => ({ port, protocol: 'TCP' as const, reachability });
const udp = (port: number, reachability: Reachability) => ({ port, protocol: 'UDP' as const, reachability });
const sctp = (port: number, reachability: Reachability) => ({
  port,
  protocol: 'SCTP' as const,
  reachability,
});
const notInX = {
  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['x'] }],
};

export const E2E_CASES: E2eCase[] = [
  {
    name: "should support a 'default-deny-ingress' policy",
    policies: [policy('x', 'deny-ingress', all, { ingress: [] })],
    checks: [tcp(80, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: "should support a 'default-deny-all' policy",
    policies: [policy('x', 'deny-all', all, { ingress: [], egress: [] })],
    checks: [
      tcp(80, R().expectPeer({}, { namespace: 'x' }, false).expectPeer({ namespace: 'x' }, {}, false)),
    ],
  },
  {
    name: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    policies: [
      policy('x', 'x-a-allows-x-b', podLabel('a'), { ingress: [{ from: [{ podSelector: podLabel('b') }] }] }),
    ],
    checks: [tcp(80, R().expectAllIngress('x/a', false).expect('x/b', 'x/a', true))],
  },
  {
    name: 'should enforce policy to allow ingress traffic for a target',
    policies: [
      policy('x', 'deny-all', all, { ingress: [] }),
      policy('x', 'allow-all-to-a', podLabel('a'), {
        ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }],
      }),
    ],
    checks: [
      tcp(
        80,
        R().expectAllIngress('x/a', true).expectAllIngress('x/b', false).expectAllIngress('x/c', false),
      ),
    ],
  },
  {
    name: 'should enforce policy to allow ingress traffic from pods in all namespaces',
    policies: [
      policy('x', 'allow-from-another-ns', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }],
      }),
    ],
    checks: [tcp(80, R())],
  },
  {
    name: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }] }],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'should enforce policy based on PodSelector with MatchExpressions',
    policies: [
      policy('x', 'x-a-allows-x-b', podLabel('a'), {
        ingress: [
          { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] },
        ],
      }),
    ],
    checks: [tcp(80, R().expectAllIngress('x/a', false).expect('x/b', 'x/a', true))],
  },
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions',
    policies: [
      policy('x', 'allow-ns-y-match-selector', podLabel('a'), {
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y'] }],
                },
              },
            ],
          },
        ],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'should enforce policy based on PodSelector or NamespaceSelector',
    policies: [
      policy('x', 'allow-ns-y-match-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: notInX }, { podSelector: podLabel('b') }] }],
      }),
    ],
    checks: [tcp(80, R().expect('x/a', 'x/a', false).expect('x/c', 'x/a', false))],
  },
  {
    name: 'should enforce policy based on PodSelector and NamespaceSelector',
    policies: [
      policy('x', 'allow-ns-y-podselector-and-nsselector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: notInX, podSelector: podLabel('b') }] }],
      }),
    ],
    checks: [
      tcp(80, R().expectAllIngress('x/a', false).expect('y/b', 'x/a', true).expect('z/b', 'x/a', true)),
    ],
  },
  {
    name: 'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    policies: [
      policy('x', 'allow-ns-y-z-pod-b-c', podLabel('a'), {
        ingress: [
          {
            from: [
              {
                namespaceSelector: notInX,
                podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
              },
            ],
          },
        ],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expect('y/a', 'x/a', false)
          .expect('z/a', 'x/a', false),
      ),
    ],
  },
  {
    name: 'should enforce policy based on any PodSelectors',
    policies: [
      policy('x', 'allow-ns-x-pod-b-c', podLabel('a'), {
        ingress: [{ from: [{ podSelector: podLabel('b') }, { podSelector: podLabel('c') }] }],
      }),
    ],
    checks: [
      tcp(80, R().expectAllIngress('x/a', false).expect('x/b', 'x/a', true).expect('x/c', 'x/a', true)),
    ],
  },
  {
    name: 'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    policies: [
      policy('x', 'allow-ns-y-pod-a-via-namespace-pod-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y'), podSelector: podLabel('a') }] }],
      }),
    ],
    checks: [tcp(80, R().expectAllIngress('x/a', false).expect('y/a', 'x/a', true))],
  },
  {
    name: 'should enforce policy based on Ports',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
      }),
    ],
    checks: [
      tcp(
        81,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, true)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
      }),
      policy('x', 'allow-client-a-via-ns-selector-80', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 80, protocol: 'TCP' }] }],
      }),
    ],
    checks: [80, 81].map((port) =>
      tcp(
        port,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ),
  },
  {
    name: 'should support allow-all policy',
    policies: [policy('x', 'allow-all', { matchLabels: {} }, { ingress: [{}] })],
    checks: [tcp(80, R()), tcp(81, R())],
  },
  {
    name: 'should allow ingress access on one named port',
    policies: [
      policy('x', 'allow-all', { matchLabels: {} }, { ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] }),
    ],
    checks: [tcp(81, R()), tcp(80, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: 'should allow ingress access from namespace on one named port',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector-80', podLabel('a'), {
        ingress: [
          { from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] },
        ],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
      tcp(81, R().expectAllIngress('x/a', false)),
    ],
  },
  {
    name: 'should allow egress access on one named port',
    policies: [
      policy('x', 'allow-egress', { matchLabels: {} }, { egress: [{ ports: [{ port: 'serve-80-tcp' }] }] }),
    ],
    checks: [tcp(80, R()), tcp(81, R().expectPeer({ namespace: 'x' }, {}, false))],
  },
  {
    name: 'should enforce updated policy (after the update to deny all)',
    policies: [policy('x', 'allow-all-mutate-to-deny-all', { matchLabels: {} }, { ingress: [] })],
    checks: [tcp(81, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: 'should allow ingress access from updated namespace',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }],
      }),
    ],
    nsLabels: { y: { ns2: 'updated' } },
    checks: [tcp(80, R().expectAllIngress('x/a', false).expectPeer({ namespace: 'y' }, {}, true))],
  },
  {
    name: 'should allow ingress access from updated pod',
    policies: [
      policy('x', 'allow-client-a-via-pod-selector', podLabel('a'), {
        ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] }],
      }),
    ],
    podLabels: { 'x/b': { pod2: 'updated' } },
    checks: [tcp(80, R().expectAllIngress('x/a', false).expect('x/b', 'x/a', true))],
  },
  {
    name: 'should deny ingress from pods on other namespaces',
    policies: [
      policy('x', 'deny-empty-policy', all, { ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }] }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'y' }, { namespace: 'x' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x' }, false),
      ),
    ],
  },
  {
    name: 'should deny ingress access to updated pod',
    policies: [
      policy(
        'x',
        'deny-ingress-via-label-selector',
        { matchLabels: { target: 'isolated' } },
        { ingress: [] },
      ),
    ],
    podLabels: { 'x/a': { target: 'isolated' } },
    checks: [tcp(80, R().expectAllIngress('x/a', false))],
  },
  {
    name: 'should deny egress from pods based on PodSelector',
    policies: [policy('x', 'deny-egress-pod-a', podLabel('a'), { egress: [] })],
    checks: [tcp(80, R().expectAllEgress('x/a', false))],
  },
  {
    name: 'should deny egress from all pods in a namespace',
    policies: [policy('x', 'deny-egress-ns-x', all, { egress: [] })],
    checks: [tcp(80, R().expectPeer({ namespace: 'x' }, {}, false))],
  },
  {
    name: 'should work with Ingress, Egress specified together',
    policies: [
      policy('x', 'allow-client-a-via-pod-selector', podLabel('a'), {
        ingress: [{ from: [{ podSelector: podLabel('b') }] }],
        egress: [{ ports: [{ port: 80 }] }],
        policyTypes: ['Egress', 'Ingress'],
      }),
    ],
    checks: [
      tcp(80, R().expectAllIngress('x/a', false).expect('x/b', 'x/a', true)),
      tcp(81, R().expectAllIngress('x/a', false).expectAllEgress('x/a', false).expect('x/b', 'x/a', true)),
    ],
  },
  {
    name: 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    policies: [
      policy('x', 'allow-to-ns-y-pod-a', podLabel('a'), {
        egress: [{ to: [{ namespaceSelector: nsLabel('y'), podSelector: podLabel('a') }] }],
      }),
      policy('y', 'allow-from-xa-on-ya-match-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('x'), podSelector: podLabel('a') }] }],
      }),
      policy('y', 'allow-from-xa-on-yb-match-selector', podLabel('b'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('x'), podSelector: podLabel('a') }] }],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x', pod: 'a' }, {}, false)
          .expectPeer({}, { namespace: 'y', pod: 'a' }, false)
          .expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'y', pod: 'a' }, true)
          .expectPeer({}, { namespace: 'y', pod: 'b' }, false),
      ),
    ],
  },
  {
    name: 'should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    policies: [
      policy('x', 'allow-to-ns-y-pod-a', podLabel('a'), {
        egress: [{ to: [{ namespaceSelector: nsLabel('y'), podSelector: podLabel('a') }] }],
      }),
    ],
    checks: [tcp(80, R().expectAllEgress('x/a', false).expect('x/a', 'y/a', true))],
  },
  {
    name: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    policies: [
      policy('x', 'allow-ingress-by-proto', podLabel('a'), { ingress: [{ ports: [{ protocol: 'TCP' }] }] }),
    ],
    checks: [tcp(80, R()), udp(80, R().expectPeer({}, { namespace: 'x', pod: 'a' }, false))],
  },
  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence',
    policies: [
      policy('x', 'allow-ingress-port-80', { matchLabels: {} }, { ingress: [{ ports: [{ port: 80 }] }] }),
      policy('x', 'allow-ingress', { matchLabels: {} }, { ingress: [{}] }),
    ],
    checks: [tcp(81, R())],
  },
  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence (before allow-all)',
    policies: [
      policy('x', 'allow-ingress-port-80', { matchLabels: {} }, { ingress: [{ ports: [{ port: 80 }] }] }),
    ],
    checks: [tcp(81, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence',
    policies: [
      policy('x', 'allow-egress-port-80', { matchLabels: {} }, { egress: [{ ports: [{ port: 80 }] }] }),
      policy('x', 'allow-egress', { matchLabels: {} }, { egress: [{}] }),
    ],
    checks: [tcp(81, R())],
  },
  {
    name: 'should stop enforcing policies after they are deleted',
    policies: [],
    checks: [tcp(80, R())],
  },
  {
    name: 'should allow egress access to server in CIDR block',
    policies: [
      policy('x', 'allow-client-a-via-cidr-egress-rule', podLabel('a'), {
        egress: [{ to: [{ ipBlock: { cidr: '10.2.0.2/32' } }] }],
      }),
    ],
    checks: [tcp(80, R().expectAllEgress('x/a', false).expect('x/a', 'y/b', true))],
  },
  {
    name: 'should enforce except clause while egress access to server in CIDR block',
    policies: [
      policy('x', 'allow-client-a-via-cidr-egress-rule', podLabel('a'), {
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.2/32'] } }] }],
      }),
    ],
    checks: [tcp(80, R().expect('x/a', 'x/b', false))],
  },
  {
    name: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed',
    policies: [
      policy('x', 'allow-client-a-via-cidr-egress-rule', podLabel('a'), {
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.2/32'] } }] }],
      }),
      policy('x', 'allow-client-a-via-cidr-egress-rule-2', podLabel('a'), {
        egress: [{ to: [{ ipBlock: { cidr: '10.1.0.2/32' } }] }],
      }),
    ],
    checks: [tcp(80, R())],
  },
  {
    name: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    policies: [
      policy('x', 'allow-egress-for-target', podLabel('a'), { egress: [{}] }),
      policy('x', 'deny-ingress-via-label-selector', podLabel('a'), { ingress: [] }),
    ],
    checks: [tcp(80, R().expectAllIngress('x/a', false))],
  },
  {
    name: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    policies: [
      policy('x', 'deny-ingress', all, { ingress: [] }),
      policy('x', 'allow-only-sctp-ingress-on-port-81', podLabel('a'), {
        ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }],
      }),
    ],
    checks: [
      tcp(81, R().expectPeer({}, { namespace: 'x' }, false)),
      sctp(81, R().expectPeer({}, { namespace: 'x' }, false).expectAllIngress('x/a', true)),
    ],
  },
  {
    name: "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
    policies: [
      policy('x', 'allow-only-sctp-ingress-on-port-80', podLabel('a'), {
        ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }],
      }),
    ],
    checks: [tcp(81, R().expectAllIngress('x/a', false))],
  },
  {
    name: 'should not allow access by TCP when a policy specifies only UDP',
    policies: [
      policy('x', 'allow-only-udp-ingress-on-port-81', podLabel('a'), {
        ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }],
      }),
    ],
    checks: [tcp(81, R().expectAllIngress('x/a', false)), udp(81, R())],
  },
  {
    name: 'should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label',
    policies: [
      policy('x', 'allow-client-a-via-ns-selector-for-immutable-ns-label', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }] }],
      }),
    ],
    checks: [
      tcp(
        80,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions using default ns label',
    policies: [
      policy('x', 'allow-ns-y-match-selector-for-immutable-ns-label', podLabel('a'), {
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchExpressions: [
                    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['y'] },
                  ],
                },
              },
            ],
          },
        ],
      }),
    ],
    checks: [tcp(80, R().expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'y' }, false))],
  },
  {
    name: "UDP: should support a 'default-deny-ingress' policy",
    policies: [policy('x', 'deny-all', all, { ingress: [] })],
    checks: [udp(80, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: 'UDP: should enforce policy based on Ports',
    policies: [
      policy('x', 'allow-ingress-on-port-81-ns-x', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 81, protocol: 'UDP' }] }],
      }),
    ],
    checks: [
      udp(
        81,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'UDP: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    policies: [
      policy('x', 'allow-ns-y-pod-a-via-namespace-pod-selector', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y'), podSelector: podLabel('a') }] }],
      }),
    ],
    checks: [udp(80, R().expectAllIngress('x/a', false).expect('y/a', 'x/a', true))],
  },
  {
    name: "SCTP: should support a 'default-deny-ingress' policy",
    policies: [policy('x', 'deny-all', all, { ingress: [] })],
    checks: [sctp(80, R().expectPeer({}, { namespace: 'x' }, false))],
  },
  {
    name: 'SCTP: should enforce policy based on Ports',
    policies: [
      policy('x', 'allow-ingress-on-port-81-ns-x', podLabel('a'), {
        ingress: [{ from: [{ namespaceSelector: nsLabel('y') }], ports: [{ port: 81, protocol: 'SCTP' }] }],
      }),
    ],
    checks: [
      sctp(
        81,
        R()
          .expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false)
          .expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false),
      ),
    ],
  },
  {
    name: 'endPort: ingress port range 80-81 admits 80 and 81, not 82',
    policies: [
      policy('x', 'allow-port-range', podLabel('a'), {
        ingress: [{ ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }],
      }),
    ],
    checks: [tcp(80, R()), tcp(81, R()), tcp(82, R().expectAllIngress('x/a', false))],
  },
];
