// GET /api/v1/recommendations?namespace= : the proposed policies per namespace with each rule's
// evidence, the diff against the existing policies, the exposure reduction, the verify.sh
// commands and the warnings, from the cached, replay-proven recommendation (analysis.ts).
// GET /api/v1/recommendations/summary?namespace=&flavor= : the same without YAML and rules (per
// policy: name, kind, rule counts, evidence totals), and /policy?namespace=&name=&flavor= : one
// policy whole, fetched when the reader opens it (recommendation-views.ts).
// GET /api/v1/recommendations/export?namespace=&format=yaml|json|tar&flavor= : the manifests as a
// download (tar: the `recommend --out` kustomize folder).
// Without a namespace, above limits.wholeClusterEdgesMax stored edges: 422 scope_too_large.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import type { ExportOptions } from '../../recommend/export.js';
import { FLAVORS, type Flavor } from '../../recommend/flavor.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { policyDetail, recommendationSummary } from '../../views/recommendation-views.js';
import { sendRevalidated } from '../rendered-body.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { proposedPolicyJson, recommendationsJson, summaryJson } from '../../api/recommendations.js';
import { namespaceParam, parseQuery } from '../query.js';
import { tarArchive } from '../tar.js';

const flavorParam = z.enum(FLAVORS as readonly [Flavor, ...Flavor[]], {
  error: `must be one of ${FLAVORS.join(', ')}`,
});
const recommendationsQuery = z.object({
  namespace: namespaceParam.optional(),
  flavor: flavorParam.optional(),
});
const policyQuery = z.object({
  namespace: namespaceParam,
  name: z.string().min(1).max(253),
  flavor: flavorParam.optional(),
});
const exportQuery = z.object({
  namespace: namespaceParam.optional(),
  format: z.enum(['yaml', 'json', 'tar'], { error: 'must be one of yaml, json, tar' }).optional(),
  flavor: flavorParam.optional(),
});

export function recommendationsOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/recommendations/summary',
      summary:
        "The recommendation without YAML and rules: per policy its name, kind, rule counts and evidence totals (the dashboard's first paint); verifyScript is null above 64 KiB",
      query: recommendationsQuery,
      responses: {
        '200': { description: 'the recommendation summary', schema: summaryJson },
        ...ERROR_RESPONSES,
      },
    },
    {
      method: 'get',
      path: '/api/v1/recommendations/policy',
      summary: 'One proposed policy whole: its YAML, objects and each rule with its evidence',
      query: policyQuery,
      responses: { '200': { description: 'the policy', schema: proposedPolicyJson }, ...ERROR_RESPONSES },
    },
    {
      method: 'get',
      path: '/api/v1/recommendations',
      summary:
        'Proposed policies with evidence per rule, the diff against existing policies, exposure reduction, verify.sh and warnings',
      query: recommendationsQuery,
      responses: {
        '200': { description: 'the recommendation', schema: recommendationsJson },
        ...ERROR_RESPONSES,
      },
    },
    {
      method: 'get',
      path: '/api/v1/recommendations/export',
      summary:
        'The proposed manifests as a download: multi-document YAML, JSON, or a tar of the kustomize folder',
      query: exportQuery,
      responses: {
        '200': {
          description:
            'attachment (Content-Disposition); yaml: application/yaml, json: application/json, tar: application/x-tar',
          contentType: 'application/octet-stream',
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function recommendationsRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/recommendations', async (req, res) => {
    const query = parseQuery(recommendationsQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = deps.analysis;
    analysis.recommendations.assertRecommendable(query.namespace);
    const served = await analysis.body(`recommendations|${query.namespace ?? '*'}|${options.flavor}`, () =>
      analysis.recommendations.view(query.namespace, options),
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  router.get('/api/v1/recommendations/summary', async (req, res) => {
    const query = parseQuery(recommendationsQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = deps.analysis;
    analysis.recommendations.assertRecommendable(query.namespace);
    const served = await analysis.body(
      `recommendations-summary|${query.namespace ?? '*'}|${options.flavor}`,
      async () => {
        const { value, version } = await analysis.recommendations.view(query.namespace, options);
        return { value: recommendationSummary(value), version };
      },
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  router.get('/api/v1/recommendations/policy', async (req, res) => {
    const query = parseQuery(policyQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = deps.analysis;
    const served = await analysis.body(
      `recommendations-policy|${query.namespace}|${query.name}|${options.flavor}`,
      async () => {
        const { value, version } = await analysis.recommendations.view(query.namespace, options);
        const policy = policyDetail(value, query.namespace, query.name);
        if (policy === undefined)
          throw new HttpError(
            'not_found',
            `no proposed policy ${query.name} in namespace ${query.namespace}`,
          );
        return { value: policy, version };
      },
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  router.get('/api/v1/recommendations/export', async (req, res) => {
    const query = parseQuery(exportQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = deps.analysis;
    analysis.recommendations.assertRecommendable(query.namespace);
    const format = query.format ?? 'yaml';
    const { value } = await analysis.recommendations
      .exportContent(query.namespace, options, format)
      .catch((error: unknown) => {
        throw analysis.failure(error, 'recommendations-export');
      });
    const base = `netpol-advisor-${query.namespace ?? 'all'}`;
    if (value.format === 'tar')
      res
        .attachment(`${base}.tar`)
        .type('application/x-tar')
        .send(tarArchive(base, new Map(value.files), analysis.now(), new Set(['verify.sh'])));
    else if (value.format === 'json')
      res.attachment(`${base}.json`).type('application/json').send(value.text);
    else res.attachment(`${base}.yaml`).type('application/yaml').send(value.text);
  });
  return router;
}
