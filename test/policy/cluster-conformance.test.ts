// kubernetes-sigs/network-policy-api's conformance suite (all 22 files of conformance/tests/) as
// truth tables over the houses cluster, each run twice: against the v1alpha2 ClusterNetworkPolicy
// manifests of upstream HEAD and the v1alpha1 AdminNetworkPolicy/BaselineAdminNetworkPolicy
// manifests the same tests used before upstream moved to v1alpha2 (test/fixtures/network-policy-api).
// A step's patches persist into the later steps, as they do upstream.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRESS_RULE_SCENARIOS } from './conformance-gress-rules.js';
import { PORT_RULE_SCENARIOS } from './conformance-port-rules.js';
import { fixtureOf, runScenario, type Version } from './conformance-steps.js';
import { TIER_SCENARIOS } from './conformance-tiers.js';

const SCENARIOS = [...PORT_RULE_SCENARIOS, ...GRESS_RULE_SCENARIOS, ...TIER_SCENARIOS];
const VERSIONS: readonly Version[] = ['v1alpha2', 'v1alpha1'];

for (const version of VERSIONS) {
  describe(`network-policy-api conformance, ${version}`, () => {
    for (const scenario of SCENARIOS) {
      if (scenario.only !== undefined && scenario.only !== version) continue;
      it(scenario.upstream, () => {
        for (const { step, expected, got } of runScenario(scenario, version))
          expect(got, `${scenario.upstream}: ${step}`).toEqual(expected);
      });
    }
  });
}

describe('network-policy-api conformance coverage', () => {
  it('has a truth table for every upstream test file and a run for every manifest it names', () => {
    const files = new Set(SCENARIOS.map((s) => s.upstream.replace(/ \(.*\)$/, '')));
    expect(files.size).toBe(22);
    const fixtures = new Set(
      readdirSync(new URL('../fixtures/network-policy-api/', import.meta.url)).filter((f) =>
        f.endsWith('.yaml'),
      ),
    );
    const oldFixtures = new Set(
      readdirSync(new URL('../fixtures/network-policy-api/v1alpha1/', import.meta.url)).map(
        (f) => `v1alpha1/${f}`,
      ),
    );
    const used = new Set(VERSIONS.flatMap((v) => SCENARIOS.map((s) => fixtureOf(s.manifest, v))));
    expect([...fixtures, ...oldFixtures].filter((f) => !used.has(f))).toEqual([]);
  });
});
