// network-policy-api conformance: the priority field and the Admin → NetworkPolicy → Baseline
// integration (admin-network-policy-standard-{priority,integration}.go) and the experimental
// features, named ports and `nodes` peers ({admin,baseline-admin}-network-policy-experimental-
// {egress,ingress}-rules.go). The node-peer tests differ between the API versions (the v1alpha1
// suite had fixed host ports and poked the first Allow from harry-potter-0), so each has its own.
import type { Scenario } from './conformance-steps.js';
import { C1, G0, G1, H0, H1, hp, S0, S1 } from './conformance-steps.js';

const yes = true;
const no = false;

const NAMED_PORT_SCENARIOS: readonly Scenario[] = [
  {
    upstream: 'admin-network-policy-experimental-egress-rules.go (named port)',
    manifest: 'admin_tier/standard-egress-tcp-rules.yaml',
    policy: 'egress-tcp',
    steps: [
      {
        name: "Should support an 'allow-egress' policy for named port",
        patch: [{ namedPort: 'egress', index: 5, port: 'web' }],
        pokes: [
          [G0, H1, 'TCP', 80, yes],
          [G1, H1, 'TCP', 8080, no],
        ],
      },
    ],
  },
  {
    upstream: 'admin-network-policy-experimental-ingress-rules.go',
    manifest: 'admin_tier/standard-ingress-udp-rules.yaml',
    policy: 'ingress-udp',
    steps: [
      {
        name: "Should support an 'allow-ingress' policy for named port",
        patch: [{ namedPort: 'ingress', index: 5, port: 'dns' }],
        pokes: [
          [G0, H1, 'UDP', 53, yes],
          [G1, H1, 'UDP', 5353, no],
        ],
      },
    ],
  },
  {
    upstream: 'baseline-admin-network-policy-experimental-egress-rules.go (named port)',
    manifest: 'baseline_tier/standard-egress-udp-rules.yaml',
    policy: 'default',
    steps: [
      {
        name: "Should support an 'allow-egress' policy for named port",
        patch: [{ namedPort: 'egress', index: 3, port: 'dns' }],
        pokes: [
          [H0, G1, 'UDP', 53, yes],
          [H1, G1, 'UDP', 5353, no],
        ],
      },
    ],
  },
  {
    upstream: 'baseline-admin-network-policy-experimental-ingress-rules.go',
    manifest: 'baseline_tier/standard-ingress-tcp-rules.yaml',
    policy: 'default',
    steps: [
      {
        name: "Should support an 'allow-ingress' policy for named port",
        patch: [{ namedPort: 'ingress', index: 3, port: 'web' }],
        pokes: [
          [H0, G1, 'TCP', 80, yes],
          [H1, G1, 'TCP', 8080, no],
        ],
      },
    ],
  },
];

function adminNodePeers(version: 'v1alpha2' | 'v1alpha1'): Scenario {
  return {
    upstream: 'admin-network-policy-experimental-egress-rules.go (node peers)',
    manifest: 'admin_tier/experimental-egress-selector-rules.yaml',
    policy: 'node-and-cidr-as-peers-example',
    only: version,
    steps: [
      {
        name: "Should support an 'allow-egress' rule policy for egress-node-peer",
        pokes: [[version === 'v1alpha2' ? G1 : G0, C1, 'TCP', hp(0), yes]],
      },
      {
        name: "Should support a 'pass-egress' rule policy for egress-node-peer",
        pokes: [[G1, C1, 'UDP', hp(2), yes]],
      },
      {
        name: "Should support a 'deny-egress' rule policy for egress-node-peer",
        pokes: [
          [G1, C1, 'TCP', hp(1), no],
          [G1, C1, 'UDP', hp(4), no],
          [G1, C1, 'SCTP', hp(6), no],
        ],
      },
    ],
  };
}

const BASELINE_NODE_PEERS: Scenario = {
  upstream: 'baseline-admin-network-policy-experimental-egress-rules.go (node peers)',
  manifest: 'baseline_tier/experimental-egress-selector-rules.yaml',
  policy: 'default',
  steps: [
    {
      name: "Should support an 'allow-egress' rule policy for egress-node-peer",
      pokes: [
        [G0, C1, 'TCP', hp(0), yes],
        [G1, C1, 'TCP', hp(1), yes],
      ],
    },
    {
      name: "Should support a 'deny-egress' rule policy for egress-node-peer",
      pokes: [
        [G1, C1, 'UDP', hp(4), no],
        [G1, C1, 'SCTP', hp(6), no],
      ],
    },
  ],
};

// prettier-ignore
const PRIORITY: Scenario = {
  upstream: 'admin-network-policy-standard-priority.go',
  manifest: 'admin_tier/standard-priority-field.yaml',
  policy: 'old-priority-60-new-priority-40-example',
  steps: [
    { name: 'Should Deny traffic from slytherin to gryffindor respecting admin CNP',
      pokes: [[S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, no]] },
    { name: 'Should Deny traffic to slytherin from gryffindor respecting admin CNP',
      pokes: [[G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, no]] },
    { name: 'Should respect admin CNP priority field; thus passing both ingress and egress traffic over to baseline CNP',
      patch: [{ setPriority: 40, policy: 'old-priority-60-new-priority-40-example' }],
      pokes: [[S0, G0, 'TCP', 80, yes], [S1, G0, 'TCP', 8080, yes], [G0, S0, 'TCP', 80, yes], [G1, S0, 'TCP', 8080, yes]] },
  ],
};

// prettier-ignore
const INTEGRATION: Scenario = {
  upstream: 'admin-network-policy-standard-integration.go',
  manifest: 'api_integration/standard-anp-np-banp.yaml',
  policy: 'pass-example',
  steps: [
    { name: 'Should Deny traffic from slytherin to gryffindor respecting admin CNP',
      pokes: [[S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, no]] },
    { name: 'Should Deny traffic to slytherin from gryffindor respecting admin CNP',
      pokes: [[G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, no]] },
    { name: "Should support a 'pass-ingress' policy for admin CNP and respect the match for network policy",
      patch: [{ setAction: 'Pass', direction: 'ingress', index: 0 }],
      pokes: [[S0, G0, 'TCP', 80, yes], [S1, G0, 'TCP', 8080, yes]] },
    { name: "Should support a 'pass-egress' policy for admin CNP and respect the match for network policy",
      patch: [{ setAction: 'Pass', direction: 'egress', index: 0 }],
      pokes: [[G0, S0, 'TCP', 80, yes], [G1, S0, 'TCP', 8080, yes]] },
    { name: "Should support a 'pass-ingress' policy for admin CNP and respect the match for baseline cluster network policy",
      patch: [{ deleteKind: 'NetworkPolicy' }],
      pokes: [[S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, no]] },
    { name: "Should support a 'pass-egress' policy for admin CNP and respect the match for baseline cluster network policy",
      pokes: [[G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, no]] },
  ],
};

export const TIER_SCENARIOS: readonly Scenario[] = [
  PRIORITY,
  INTEGRATION,
  ...NAMED_PORT_SCENARIOS,
  adminNodePeers('v1alpha2'),
  adminNodePeers('v1alpha1'),
  BASELINE_NODE_PEERS,
];
