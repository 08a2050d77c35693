// network-policy-api conformance, the per-protocol files (admin- and baseline-admin-network-policy-
// standard-{egress,ingress}-{tcp,udp,sctp}-rules.go): each is the same six t.Runs (four for the
// Baseline tier, which has no Pass) over a policy whose rules for one house are Allow, Deny, Pass
// in that order and for two others a port-bound Deny/Pass or Allow followed by a catch-all Deny.
// The patches are upstream's: swap rules 0 and 1 (Deny first), then 0 and 2 (Pass first), then 3
// and 4. Only the pokes differ per file, and they are written out here as upstream has them.
import type { PolicyProtocol } from '../../src/policy/model.js';
import { G0, G1, H0, H1, R0, R1, S0, S1, type Poke, type Scenario, type Step } from './conformance-steps.js';

type Direction = 'ingress' | 'egress';
const PROTOCOL_WORD: Record<PolicyProtocol, string> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' };

function steps(direction: Direction, protocol: PolicyProtocol, pokes: readonly (readonly Poke[])[]): Step[] {
  const p = PROTOCOL_WORD[protocol];
  const verb = (action: string) => `'${action}-${direction}' policy for ${p} protocol`;
  const titles = [
    `Should support an ${verb('allow')}; ensure rule ordering is respected`,
    `Should support an ${verb('allow')} at the specified port`,
    `Should support an ${verb('deny')}; ensure rule ordering is respected`,
    `Should support a ${verb('deny')} at the specified port`,
    `Should support an ${verb('pass')}; ensure rule ordering is respected`,
    `Should support a ${verb('pass')} at the specified port`,
  ];
  const patches = [[], [], [[0, 1]], [], [[0, 2]], [[3, 4]]] as const;
  return pokes.map((list, i) => ({
    name: titles[i] as string,
    patch: (patches[i] ?? []).map(([a, b]) => ({ swap: direction, a, b })),
    pokes: list,
  }));
}

function scenario(
  tier: 'admin' | 'baseline',
  direction: Direction,
  protocol: PolicyProtocol,
  pokes: readonly (readonly Poke[])[],
): Scenario {
  const p = protocol.toLowerCase();
  const prefix = tier === 'admin' ? 'admin' : 'baseline-admin';
  return {
    upstream: `${prefix}-network-policy-standard-${direction}-${p}-rules.go`,
    manifest: `${tier}_tier/standard-${direction}-${p}-rules.yaml`,
    policy: tier === 'admin' ? `${direction}-${p}` : 'default',
    steps: steps(direction, protocol, pokes),
  };
}

const yes = true;
const no = false;

// prettier-ignore
export const PORT_RULE_SCENARIOS: readonly Scenario[] = [
  scenario('admin', 'egress', 'TCP', [
    [[G0, R0, 'TCP', 80, yes], [G1, R0, 'TCP', 8080, yes]],
    [[G0, H1, 'TCP', 8080, yes], [G1, H1, 'TCP', 80, no]],
    [[G0, R1, 'TCP', 80, no], [G1, R1, 'TCP', 8080, no]],
    [[G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, yes]],
    [[G0, R0, 'TCP', 80, yes], [G1, R0, 'TCP', 8080, yes]],
    [[G0, S0, 'TCP', 80, yes], [G1, S0, 'TCP', 8080, yes]],
  ]),
  scenario('admin', 'egress', 'UDP', [
    [[H0, R0, 'UDP', 53, yes], [H1, R0, 'UDP', 5353, yes]],
    [[H0, G1, 'UDP', 53, yes], [H1, G1, 'UDP', 5353, no]],
    [[H0, R1, 'UDP', 53, no], [H1, R1, 'UDP', 5353, no]],
    [[H0, S0, 'UDP', 5353, no], [H1, S0, 'UDP', 53, yes]],
    [[H0, R1, 'UDP', 5353, yes], [H1, R1, 'UDP', 53, yes]],
    [[H0, S0, 'UDP', 5353, yes], [H1, S0, 'UDP', 53, yes]],
  ]),
  scenario('admin', 'egress', 'SCTP', [
    [[R0, G0, 'SCTP', 9003, yes], [R1, G0, 'SCTP', 9005, yes]],
    [[R0, H1, 'SCTP', 9003, yes], [R1, H1, 'SCTP', 9005, no]],
    [[R0, G1, 'SCTP', 9003, no], [R1, G1, 'SCTP', 9005, no]],
    [[R0, S0, 'SCTP', 9003, no], [R1, S0, 'SCTP', 9005, yes]],
    [[R0, G1, 'SCTP', 9003, yes], [R1, G1, 'SCTP', 9005, yes]],
    [[R0, S0, 'SCTP', 9003, yes], [R1, S0, 'SCTP', 9005, yes]],
  ]),
  scenario('admin', 'ingress', 'TCP', [
    [[R0, G0, 'TCP', 80, yes], [R1, G0, 'TCP', 8080, yes]],
    [[H0, G1, 'TCP', 80, yes], [H1, G1, 'TCP', 8080, no]],
    [[R0, G1, 'TCP', 80, no], [R1, G1, 'TCP', 8080, no]],
    [[S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, yes]],
    [[R0, G0, 'TCP', 80, yes], [R1, G0, 'TCP', 8080, yes]],
    [[S0, G0, 'TCP', 80, yes], [S1, G0, 'TCP', 8080, yes]],
  ]),
  scenario('admin', 'ingress', 'UDP', [
    [[R0, H0, 'UDP', 53, yes], [R1, H0, 'UDP', 5353, yes]],
    [[G0, H1, 'UDP', 53, yes], [G1, H1, 'UDP', 5353, no]],
    [[R0, H1, 'UDP', 53, no], [R1, H1, 'UDP', 5353, no]],
    [[S0, H0, 'UDP', 5353, no], [S1, H0, 'UDP', 53, yes]],
    [[R0, H1, 'UDP', 5353, yes], [R1, H1, 'UDP', 53, yes]],
    [[S0, H0, 'UDP', 5353, yes], [S1, H0, 'UDP', 53, yes]],
  ]),
  scenario('admin', 'ingress', 'SCTP', [
    [[G0, R0, 'SCTP', 9003, yes], [G1, R0, 'SCTP', 9005, yes]],
    [[H0, R1, 'SCTP', 9003, yes], [H1, R1, 'SCTP', 9005, no]],
    [[G0, R1, 'SCTP', 9003, no], [G1, R1, 'SCTP', 9005, no]],
    [[S0, R0, 'SCTP', 9003, no], [S1, R0, 'SCTP', 9005, yes]],
    [[G0, R1, 'SCTP', 9003, yes], [G1, R1, 'SCTP', 9005, yes]],
    [[S0, R0, 'SCTP', 9003, yes], [S1, R0, 'SCTP', 9005, yes]],
  ]),
  scenario('baseline', 'egress', 'TCP', [
    [[G0, R0, 'TCP', 80, yes], [G1, R0, 'TCP', 8080, yes]],
    [[G0, H1, 'TCP', 8080, yes], [G1, H1, 'TCP', 80, no]],
    [[G0, R1, 'TCP', 80, no], [G1, R1, 'TCP', 8080, no]],
    [[G0, S0, 'TCP', 80, no], [G1, S0, 'TCP', 8080, yes]],
  ]),
  scenario('baseline', 'egress', 'UDP', [
    [[H0, R0, 'UDP', 53, yes], [H1, R0, 'UDP', 5353, yes]],
    [[H0, G1, 'UDP', 53, yes], [H1, G1, 'UDP', 5353, no]],
    [[H0, R1, 'UDP', 53, no], [H1, R1, 'UDP', 5353, no]],
    [[H0, S0, 'UDP', 5353, no], [H1, S0, 'UDP', 53, yes]],
  ]),
  scenario('baseline', 'egress', 'SCTP', [
    [[R0, G0, 'SCTP', 9003, yes], [R1, G0, 'SCTP', 9005, yes]],
    [[R0, H1, 'SCTP', 9003, yes], [R1, H1, 'SCTP', 9005, no]],
    [[R0, G1, 'SCTP', 9003, no], [R1, G1, 'SCTP', 9005, no]],
    [[R0, S0, 'SCTP', 9003, no], [R1, S0, 'SCTP', 9005, yes]],
  ]),
  scenario('baseline', 'ingress', 'TCP', [
    [[R0, G0, 'TCP', 80, yes], [R1, G0, 'TCP', 8080, yes]],
    [[H0, G1, 'TCP', 80, yes], [H1, G1, 'TCP', 8080, no]],
    [[R0, G1, 'TCP', 80, no], [R1, G1, 'TCP', 8080, no]],
    [[S0, G0, 'TCP', 80, no], [S1, G0, 'TCP', 8080, yes]],
  ]),
  scenario('baseline', 'ingress', 'UDP', [
    [[R0, H0, 'UDP', 53, yes], [R1, H0, 'UDP', 5353, yes]],
    [[G0, H1, 'UDP', 53, yes], [G1, H1, 'UDP', 5353, no]],
    [[R0, H1, 'UDP', 53, no], [R1, H1, 'UDP', 5353, no]],
    [[S0, H0, 'UDP', 5353, no], [S1, H0, 'UDP', 53, yes]],
  ]),
  scenario('baseline', 'ingress', 'SCTP', [
    [[G0, R0, 'SCTP', 9003, yes], [G1, R0, 'SCTP', 9005, yes]],
    [[H0, R1, 'SCTP', 9003, yes], [H1, R1, 'SCTP', 9005, no]],
    [[G0, R1, 'SCTP', 9003, no], [G1, R1, 'SCTP', 9005, no]],
    [[S0, R0, 'SCTP', 9003, no], [S1, R0, 'SCTP', 9005, yes]],
  ]),
];
