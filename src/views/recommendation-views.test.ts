import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edge, kubeDns, type PodSide } from '../../test/recommend/edge-builder.js';
import { proveRecommendation } from '../recommend/proof.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import {
  policyDetail,
  recommendationJson,
  recommendationSummary,
  utf8Bytes,
} from './recommendation-views.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: { app: 'web' } };
const api: PodSide = { ns: 'shop', workload: 'api', labels: { app: 'api' } };
const edges = [edge(web, api, 8080), edge(web, kubeDns, 53, { protocol: 'UDP' })];

describe('recommendation views', () => {
  const recommendation = recommendPolicies(edges, undefined, DEFAULT_RECOMMEND_OPTIONS);
  const proof = proveRecommendation(recommendation, () => edges, undefined, {
    maxExposureEvaluations: 10_000,
    namespaces: recommendation.namespaces.map((ns) => ns.namespace),
  });
  const full = recommendationJson({ recommendation, proof }, [], 'shop', { flavor: 'k8s', staged: false });

  it('the full view carries every policy with its YAML and rules, all added', () => {
    const shop = full.namespaces.find((ns) => ns.namespace === 'shop');
    expect(shop?.policies.map((p) => p.name)).toContain('allow-ingress-api');
    expect(shop?.diff.every((d) => d.change === 'added')).toBe(true);
    expect(shop?.policies.every((p) => p.yaml.includes('kind: NetworkPolicy'))).toBe(true);
  });

  it('the summary keeps per policy its counts and YAML size, not its YAML', () => {
    const summary = recommendationSummary(full);
    const policies = summary.namespaces.find((ns) => ns.namespace === 'shop')?.policies ?? [];
    const ingress = policies.find((p) => p.name === 'allow-ingress-api');
    const whole = policyDetail(full, 'shop', 'allow-ingress-api');
    expect(ingress).toMatchObject({
      ingressRules: 1,
      egressRules: 0,
      yamlBytes: utf8Bytes(whole?.yaml ?? ''),
    });
    expect(ingress).not.toHaveProperty('yaml');
    expect(policyDetail(full, 'shop', 'no-such-policy')).toBeUndefined();
  });

  it('utf8Bytes agrees with the encoder on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Bytes(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
  });
});
