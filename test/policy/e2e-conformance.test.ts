// Runs the translated e2e netpol scenarios (e2e-cases.ts) through the compiled engine and
// compares the full 9×9 truth table per port/protocol, ignoring loopback like upstream.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import { computeReachability, formatReachabilityGrid } from '../../src/policy/reachability.js';
import { E2E_CASES } from './e2e-cases.js';
import { e2eSnapshot } from './e2e-model.js';

describe('Kubernetes e2e netpol scenarios', () => {
  it('covers at least 25 distinct upstream cases', () => {
    expect(new Set(E2E_CASES.map((c) => c.name)).size).toBeGreaterThanOrEqual(25);
  });

  for (const testCase of E2E_CASES) {
    it(testCase.name, () => {
      const engine = compilePolicies(e2eSnapshot(testCase.policies, testCase.podLabels, testCase.nsLabels));
      for (const check of testCase.checks) {
        const matrix = computeReachability(engine, { port: check.port, protocol: check.protocol });
        const wrong: string[] = [];
        matrix.pods.forEach((from, i) =>
          matrix.pods.forEach((to, j) => {
            if (from === to) return;
            const actual = matrix.allowed[i]?.[j];
            if (actual !== check.reachability.get(from, to))
              wrong.push(`${from} -> ${to}: expected ${check.reachability.get(from, to)}`);
          }),
        );
        expect(wrong, `${check.protocol}/${check.port}\n${formatReachabilityGrid(matrix)}`).toEqual([]);
      }
    });
  }
});
