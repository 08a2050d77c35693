// GET /api/v1/recommendations/cluster-guardrails?namespace=&flavor=cnp|anp : the cluster guardrails
// proposed from the observed traffic (`recommend --cluster-policies`), each object summarised and
// whole, with the replay proof (views/cluster-guardrails.ts). /export : the same objects as a YAML
// download; 409 conflict when the proof refused them. Without a namespace, above
// limits.wholeClusterEdgesMax stored edges: 422 scope_too_large, as the namespace proposals.
import type { Router } from 'express';
import { z } from 'zod';
import { clusterGuardrailsJson } from '../../api/cluster-guardrails.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { namespaceParam, parseQuery } from '../query.js';
import { sendRevalidated } from '../rendered-body.js';
import { exactRouter } from '../router.js';

const guardrailsQuery = z.object({
  namespace: namespaceParam.optional(),
  flavor: z.enum(['cnp', 'anp'], { error: 'must be one of cnp, anp' }).optional(),
});

export function clusterGuardrailsOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/recommendations/cluster-guardrails',
      summary:
        'Cluster guardrails from the observed traffic (ClusterNetworkPolicy, or AdminNetworkPolicy with flavor=anp) with their replay proof',
      query: guardrailsQuery,
      responses: {
        '200': { description: 'the guardrails', schema: clusterGuardrailsJson },
        ...ERROR_RESPONSES,
      },
    },
    {
      method: 'get',
      path: '/api/v1/recommendations/cluster-guardrails/export',
      summary: 'The cluster guardrails as a multi-document YAML download (409 when the proof refused them)',
      query: guardrailsQuery,
      responses: {
        '200': {
          description: 'attachment (Content-Disposition), application/yaml',
          contentType: 'application/yaml',
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function clusterGuardrailsRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/recommendations/cluster-guardrails', async (req, res) => {
    const query = parseQuery(guardrailsQuery, req.query);
    const flavor = query.flavor ?? 'cnp';
    const analysis = deps.analysis;
    analysis.recommendations.assertRecommendable(query.namespace);
    const served = await analysis.body(`cluster-guardrails|${query.namespace ?? '*'}|${flavor}`, () =>
      analysis.recommendations.guardrails(query.namespace, flavor),
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  router.get('/api/v1/recommendations/cluster-guardrails/export', async (req, res) => {
    const query = parseQuery(guardrailsQuery, req.query);
    const flavor = query.flavor ?? 'cnp';
    const analysis = deps.analysis;
    analysis.recommendations.assertRecommendable(query.namespace);
    const { value: guardrails } = await analysis.recommendations
      .guardrails(query.namespace, flavor)
      .catch((error: unknown) => {
        throw analysis.failure(error, 'cluster-guardrails-export');
      });
    if (!guardrails.ok)
      throw new HttpError(
        'conflict',
        `the cluster guardrails would drop ${guardrails.proof.violations.length} observed flow(s) or are invalid (${guardrails.proof.problems.length} problem(s)): not offered`,
      );
    res
      .attachment(`netpol-advisor-cluster-guardrails-${flavor}-${query.namespace ?? 'all'}.yaml`)
      .type('application/yaml')
      .send(guardrails.yaml);
  });
  return router;
}
