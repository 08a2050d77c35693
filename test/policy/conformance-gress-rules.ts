// network-policy-api conformance: the combined ingress+egress files
// ({admin,baseline-admin}-network-policy-standard-gress-rules.go) and the `networks` peer files
// ({admin,baseline-admin}-network-policy-standard-egress-inline-cidr-rules.go), as upstream pokes them.
// The namespace relabelling inside the CIDR deny test came with the v1alpha2 suite.
import type { Poke, Scenario, Step } from './conformance-steps.js';
import { G0, G1, H0, H1, R0, R1, S0, S1 } from './conformance-steps.js';

const yes = true;
const no = false;

const both = (a: number, b: number) =>
  [
    { swap: 'egress', a, b },
    { swap: 'ingress', a, b },
  ] as const;

// prettier-ignore
const GRESS_STEPS: readonly Step[] = [
  { name: "Should support an 'allow-gress' policy across different protocols", pokes: [
    [G0, R0, 'TCP', 80, yes], [G1, R0, 'UDP', 53, yes], [G0, R0, 'SCTP', 9003, yes],
    [R0, G0, 'TCP', 80, yes], [R1, G0, 'UDP', 53, yes], [R1, G0, 'SCTP', 9003, yes],
  ] },
  { name: "Should support an 'allow-gress' policy across different protocols at the specified ports", pokes: [
    [G0, H1, 'TCP', 8080, yes], [G1, H1, 'TCP', 80, no], [G0, H1, 'UDP', 5353, yes],
    [G1, H1, 'UDP', 53, no], [G0, H1, 'SCTP', 9003, yes], [G1, H1, 'SCTP', 9005, no],
    [H0, G1, 'TCP', 80, yes], [H1, G1, 'TCP', 8080, no], [H0, G1, 'UDP', 5353, yes],
    [H1, G1, 'UDP', 53, no], [H0, G1, 'SCTP', 9003, yes], [H1, G1, 'SCTP', 9005, no],
  ] },
  { name: "Should support an 'deny-gress' policy across different protocols", patch: both(0, 1), pokes: [
    [G0, R1, 'TCP', 80, no], [G1, R1, 'UDP', 53, no], [G0, R1, 'SCTP', 9003, no],
    [R0, G1, 'TCP', 80, no], [R1, G1, 'UDP', 53, no], [R1, G1, 'SCTP', 9003, no],
  ] },
  { name: "Should support a 'deny-gress' policy across different protocols at the specified ports", pokes: [
    [G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, yes], [G0, S0, 'UDP', 53, no],
    [G1, S0, 'UDP', 5353, yes], [G0, S0, 'SCTP', 9003, no], [G1, S0, 'SCTP', 9005, yes],
    [S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, yes], [S0, G0, 'UDP', 53, no],
    [S1, G0, 'UDP', 5353, yes], [S0, G0, 'SCTP', 9003, no], [S1, G0, 'SCTP', 9005, yes],
  ] },
  { name: "Should support an 'pass-gress' policy across different protocols", patch: both(0, 2), pokes: [
    [G0, R0, 'TCP', 80, yes], [G0, R0, 'UDP', 5353, yes], [G0, R0, 'SCTP', 9003, yes],
    [R0, G0, 'TCP', 80, yes], [R1, G0, 'UDP', 53, yes], [R1, G0, 'SCTP', 9003, yes],
  ] },
  { name: "Should support a 'pass-gress' policy across different protocols at the specified ports", patch: both(3, 4), pokes: [
    [G0, S0, 'TCP', 80, yes], [G1, S0, 'TCP', 8080, yes], [G0, S0, 'UDP', 53, yes],
    [G1, S0, 'UDP', 5353, yes], [G0, S0, 'SCTP', 9003, yes], [G1, S0, 'SCTP', 9005, yes],
    [S0, G0, 'TCP', 80, yes], [S1, G0, 'TCP', 8080, yes], [S0, G0, 'UDP', 53, yes],
    [S1, G0, 'UDP', 5353, yes], [S0, G0, 'SCTP', 9003, yes], [S1, G0, 'SCTP', 9005, yes],
  ] },
];

/** harry-potter-1 to a server over TCP 80, UDP 53 and SCTP 9003, all with one outcome. */
function allProtocols(server: string, connects: boolean): Poke[] {
  return [
    [G1, server, 'TCP', 80, connects],
    [G1, server, 'UDP', 53, connects],
    [G1, server, 'SCTP', 9003, connects],
  ];
}

const DENY_CIDR = "Should support a 'deny-egress' rule policy for egress-cidr-peer";
const CIDR_STEPS: readonly Step[] = [
  {
    name: DENY_CIDR,
    pokes: [...allProtocols(R0, no), ...allProtocols(H0, no), ...allProtocols(S0, yes)],
  },
  {
    name: `${DENY_CIDR} (slytherin relabelled denied-namespace-label)`,
    only: 'v1alpha2',
    patch: [{ relabel: 'slytherin', labels: { 'conformance-house': 'denied-namespace-label' } }],
    pokes: allProtocols(S0, no),
  },
  {
    name: `${DENY_CIDR} (slytherin relabelled back)`,
    only: 'v1alpha2',
    patch: [{ relabel: 'slytherin', labels: { 'conformance-house': 'slytherin' } }],
    pokes: allProtocols(S0, yes),
  },
  {
    name: "Should support an 'allow-egress' rule policy for egress-cidr-peer",
    patch: [{ acceptNetworksOf: [R0, H0] }],
    pokes: [
      ...allProtocols(R0, yes),
      ...allProtocols(H0, yes),
      ...allProtocols(R1, no),
      ...allProtocols(H1, no),
    ],
  },
];

export const GRESS_RULE_SCENARIOS: readonly Scenario[] = [
  {
    upstream: 'admin-network-policy-standard-gress-rules.go',
    manifest: 'admin_tier/standard-gress-rules-combined.yaml',
    policy: 'gress-rules',
    steps: GRESS_STEPS,
  },
  {
    upstream: 'baseline-admin-network-policy-standard-gress-rules.go',
    manifest: 'baseline_tier/standard-gress-rules-combined.yaml',
    policy: 'default',
    steps: GRESS_STEPS.slice(0, 4),
  },
  {
    upstream: 'admin-network-policy-standard-egress-inline-cidr-rules.go',
    manifest: 'admin_tier/standard-egress-inline-cidr-rules.yaml',
    policy: 'inline-cidr-as-peers-example',
    steps: CIDR_STEPS,
  },
  {
    upstream: 'baseline-admin-network-policy-standard-egress-inline-cidr-rules.go',
    manifest: 'baseline_tier/standard-egress-inline-cidr-rules.yaml',
    policy: 'default',
    steps: CIDR_STEPS,
  },
];
