// GET /api/v1/recommendations/safety : whether each namespace's proposal is safe to apply, every
// namespace with observed traffic at once, judged on its own proposal as ?namespace= judges it
// (api/recommendation-safety.ts). Computed by the analysis runner (the worker) a few namespaces
// per job, once per data version, and served stale-while-revalidate like the other analyses:
// unlike the whole-cluster summary, it is not bounded by limits.wholeClusterEdgesMax.
import type { Router } from 'express';
import { z } from 'zod';
import { recommendationSafetyJson } from '../../api/recommendation-safety.js';
import type { AppDeps } from '../deps.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { parseQuery } from '../query.js';
import { sendRevalidated } from '../rendered-body.js';
import { exactRouter } from '../router.js';

const safetyQuery = z.object({});

export function recommendationSafetyOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/recommendations/safety',
      summary:
        "Every namespace's proposal: safe to apply, or the observed paths it would deny (the first 3, and how many), at any scale",
      query: safetyQuery,
      responses: {
        '200': { description: "each namespace's safety", schema: recommendationSafetyJson },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function recommendationSafetyRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/recommendations/safety', async (req, res) => {
    parseQuery(safetyQuery, req.query);
    const analysis = deps.analysis;
    const served = await analysis.body('recommendations-safety|', async () => {
      const { value, version } = await analysis.recommendations.safety();
      return { value: { items: value }, version };
    });
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
