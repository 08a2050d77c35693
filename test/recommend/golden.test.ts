// Golden outputs of the recommender for a small hand-written input (test/recommend/golden-input.ts,
// one edge per path, so a reviewer can read the outputs and their diffs): the full YAML of every flavor, the JSON export with the proof, README.md, verify.sh and the replay
// results, byte for byte. Performance work on src/recommend must leave every file unchanged.
// Regenerate deliberately (after a reviewed behaviour change) with UPDATE_GOLDEN=1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicies, type Decision, type DirectionDecision } from '../../src/policy/engine.js';
import type { ClusterSnapshot } from '../../src/policy/model.js';
import { exportFiles, exportJson, yamlStream, type ExportOptions } from '../../src/recommend/export.js';
import { proposedPolicies, proveRecommendation } from '../../src/recommend/proof.js';
import type { ObservedEdge } from '../../src/recommend/proposal.js';
import {
  DEFAULT_RECOMMEND_OPTIONS,
  recommendPolicies,
  type RecommendOptions,
} from '../../src/recommend/recommend.js';
import {
  EndpointResolver,
  replayEdges,
  syntheticSnapshot,
  type ReplayResult,
} from '../../src/recommend/replay.js';
import { goldenEdges, goldenReasons, goldenSnapshot } from './golden-input.js';

const dir = path.resolve(import.meta.dirname, '../fixtures/recommend/golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

function matchesGolden(name: string, actual: string): void {
  const file = path.join(dir, name);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 once`).toBe(true);
  // Not toMatchFileSnapshot: a missing or changed golden file must fail, never be rewritten silently.
  expect(actual === readFileSync(file, 'utf8'), `${name} differs from the golden file`).toBe(true);
}

function direction(d: DirectionDecision): unknown {
  return {
    allowed: d.allowed,
    isolated: d.isolated,
    isolatedBy: d.isolatedBy,
    allowedBy: d.allowedBy,
    reason: d.reason,
  };
}

function decisionJson(decision: Decision): unknown {
  return {
    verdict: decision.verdict,
    egress: direction(decision.egress),
    ingress: direction(decision.ingress),
  };
}

function replayJson(result: ReplayResult): string {
  return `${JSON.stringify(
    {
      replayed: result.replayed,
      allowed: result.allowed,
      dropped: result.dropped.map((d) => ({ edgeId: d.edge.id, decision: decisionJson(d.decision) })),
      skipped: result.skipped,
      ruleHits: [...result.ruleHits.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    },
    null,
    2,
  )}\n`;
}

const variants: {
  name: string;
  snapshot: ClusterSnapshot | undefined;
  options: RecommendOptions;
  warningCodes: string[];
}[] = [
  {
    name: 'plain',
    snapshot: undefined,
    options: { ...DEFAULT_RECOMMEND_OPTIONS, reasons: goldenReasons },
    warningCodes: [
      'icmp',
      'kube-apiserver',
      'low-confidence',
      'node-traffic',
      'not-forwarded',
      'unresolved-endpoint',
    ],
  },
  {
    name: 'snapshot',
    warningCodes: [
      'host-network',
      'icmp',
      'kube-apiserver',
      'low-confidence',
      'not-forwarded',
      'selector-not-exact',
      'unobserved-workload',
      'unresolved-endpoint',
    ],
    snapshot: goldenSnapshot(),
    options: {
      ...DEFAULT_RECOMMEND_OPTIONS,
      reasons: goldenReasons,
      aggregation: { ipv4PrefixLength: 24, ipv6PrefixLength: 64 },
    },
  },
];

describe.each(variants)('golden recommender output: $name', ({ name, snapshot, options, warningCodes }) => {
  const edges: ObservedEdge[] = goldenEdges();
  const recommendation = recommendPolicies(edges, snapshot, options);
  const proof = proveRecommendation(recommendation, () => edges, snapshot, {
    maxExposureEvaluations: 2_000_000,
  });
  const flavors: (ExportOptions & { file: string })[] = [
    { flavor: 'k8s', staged: false, file: 'k8s' },
    { flavor: 'cilium', staged: false, file: 'cilium' },
    { flavor: 'calico', staged: true, file: 'calico-staged' },
  ];

  it('has a non-trivial input (the golden files cover every path)', () => {
    expect(recommendation.namespaces.length).toBeGreaterThanOrEqual(4);
    // Every warning the input was written to provoke, so an edit of the input that loses a path fails
    // here and not only as a golden diff someone may regenerate.
    expect([...new Set(recommendation.warnings.map((w) => w.code))].sort()).toEqual(warningCodes);
    expect(recommendation.workloads.some((w) => w.lowConfidence)).toBe(true);
    expect(recommendation.uncovered.length).toBeGreaterThan(0);
    expect(proof.violations).toEqual([]);
  });

  it.each(flavors)('YAML, flavor $file', ({ file, ...exportOptions }) => {
    matchesGolden(`${name}-${file}.yaml`, yamlStream(recommendation, exportOptions));
  });

  it('JSON export with the proof', () => {
    matchesGolden(
      `${name}.json`,
      `${JSON.stringify(exportJson(recommendation, { flavor: 'k8s', staged: false }, proof), null, 2)}\n`,
    );
  });

  it('README.md, verify.sh and kustomization.yaml of the folder export', () => {
    const files = exportFiles(recommendation, { flavor: 'k8s', staged: false }, proof);
    for (const file of ['README.md', 'verify.sh', 'kustomization.yaml'])
      matchesGolden(`${name}-${file}`, files.get(file) ?? '');
  });

  it('replay against the proposal and against the existing policies', () => {
    const base = snapshot ?? syntheticSnapshot(edges);
    const resolver = new EndpointResolver(base);
    const after = compilePolicies({
      ...base,
      policies: [...base.policies, ...proposedPolicies(recommendation)],
    });
    matchesGolden(`${name}-replay-after.json`, replayJson(replayEdges(edges, after, resolver)));
    matchesGolden(
      `${name}-replay-before.json`,
      replayJson(replayEdges(edges, compilePolicies(base), resolver)),
    );
  });

  it('replay without rule hits (verdicts by isAllowed) gives the same verdicts, drops and skips', () => {
    const base = snapshot ?? syntheticSnapshot(edges);
    const resolver = new EndpointResolver(base);
    for (const engine of [
      compilePolicies({ ...base, policies: [...base.policies, ...proposedPolicies(recommendation)] }),
      compilePolicies(base),
    ]) {
      const full = JSON.parse(replayJson(replayEdges(edges, engine, resolver))) as Record<string, unknown>;
      const verdicts = JSON.parse(
        replayJson(replayEdges(edges, engine, resolver, { ruleHits: false })),
      ) as Record<string, unknown>;
      expect(verdicts).toEqual({ ...full, ruleHits: [] });
    }
  });
});
