// GET /api/v1/diagnostics?namespace= : the doctor's findings, the same JSON array as
// `doctor --json`. The snapshot comes from the daemon's inventory when it has one
// (the analysis service's snapshot); without it only non-policy drops can be diagnosed. Computed like the
// drops (analysis.ts): in the analysis worker, once per data version and namespace, the rendered
// body served stale-while-revalidate.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { sendRevalidated } from '../rendered-body.js';
import { namespaceParam, parseQuery } from '../query.js';

export function diagnosticsRoutes(deps: AppDeps): Router {
  const querySchema = z.object({ namespace: namespaceParam.optional() });
  const router = exactRouter();
  router.get('/api/v1/diagnostics', async (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const analysis = deps.analysis;
    const served = await analysis.body(`diagnostics|${query.namespace ?? '*'}`, () =>
      analysis.diagnostics(query.namespace),
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
