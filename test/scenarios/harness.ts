// Shared steps of the scenario tests: ingest lines into a real store, recommend, prove, and an
// engine over the proposal to ask "allowed?" about any path, observed or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NetworkPolicy as K8sNetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { expect } from 'vitest';
import type { FlowFormat } from '../../src/flows/parsers.js';
import { compilePolicies, type QueryEndpoint } from '../../src/policy/engine.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot } from '../../src/policy/model.js';
import {
  proposedPolicies,
  proveRecommendation,
  type RecommendationProof,
} from '../../src/recommend/proof.js';
import type { Recommendation } from '../../src/recommend/proposal.js';
import {
  DEFAULT_RECOMMEND_OPTIONS,
  recommendPolicies,
  type RecommendOptions,
} from '../../src/recommend/recommend.js';
import type { EdgeRecord } from '../../src/store/types.js';
import type { PodEnd } from './flow-lines.js';
import { ingestLines, openTestStore } from './ingest-lines.js';
import { expectFlavourRoundTrip } from '../policy/flavor-round-trip.js';

export interface ScenarioRun {
  readonly recommendation: Recommendation;
  readonly proof: RecommendationProof;
  readonly edges: readonly EdgeRecord[];
  readonly snapshot: ClusterSnapshot | undefined;
  allowed(from: PodEnd | string, to: PodEnd | string, port: number, protocol?: 'TCP' | 'UDP'): boolean;
}

function endpoint(end: PodEnd | string): QueryEndpoint {
  return typeof end === 'string'
    ? { kind: 'ip', ip: end }
    : { kind: 'workload', namespace: end.ns, labels: end.labels };
}

export function runScenario(
  inputs: readonly { format: FlowFormat; lines: readonly string[] }[],
  snapshot?: ClusterSnapshot,
  options: RecommendOptions = DEFAULT_RECOMMEND_OPTIONS,
): ScenarioRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-scenario-'));
  try {
    const store = openTestStore(path.join(dir, 'flows.db'));
    for (const input of inputs) ingestLines(store, input.format, input.lines);
    const edges = [...store.iterateEdges()];
    store.close();
    const recommendation = recommendPolicies(edges, snapshot, options);
    const proof = proveRecommendation(recommendation, () => edges, snapshot, {
      maxExposureEvaluations: 1_000_000,
    });
    const engine = compilePolicies({
      ...(snapshot ?? EMPTY_SNAPSHOT),
      policies: [...(snapshot?.policies ?? []), ...proposedPolicies(recommendation)],
    });
    return {
      recommendation,
      proof,
      edges,
      snapshot,
      allowed: (from, to, port, protocol = 'TCP') =>
        engine.evaluate({ from: endpoint(from), to: endpoint(to), port, protocol }).verdict === 'allow',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What every scenario must satisfy besides its own allowed/denied lists. */
export function expectSoundProposal(
  run: ScenarioRun,
  namespaces: readonly string[],
  dns: PodEnd,
  pods: readonly PodEnd[],
): void {
  expect(run.proof.violations).toEqual([]);
  expect(run.proof.allowed).toBe(run.proof.replayed);
  expect(run.recommendation.namespaces.map((n) => n.namespace)).toEqual([...namespaces].sort());
  for (const ns of run.recommendation.namespaces) {
    const last = ns.policies[ns.policies.length - 1]?.policy;
    expect(last?.metadata.name).toBe('default-deny');
    expect(last?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const p of ns.policies) {
      expect(() => new K8sNetworkPolicy(structuredClone(p.policy) as never).validate()).not.toThrow();
      expect(p.policy.metadata.annotations?.['netpol-advisor.io/generated-by']).toBe(
        'netpol-advisor recommend',
      );
    }
    expect(ns.tests.some((t) => t.expect === 'allow')).toBe(true);
  }
  // Issue 16: the cilium and calico output replays clean as emitted, and each allow policy matters.
  expectFlavourRoundTrip(run.recommendation, run.edges, run.snapshot);
  for (const pod of pods) {
    expect(run.allowed(pod, dns, 53, 'UDP'), `${pod.pod} DNS/UDP`).toBe(true);
    expect(run.allowed(pod, dns, 53, 'TCP'), `${pod.pod} DNS/TCP`).toBe(true);
  }
}
