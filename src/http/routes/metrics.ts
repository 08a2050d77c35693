// GET /metrics: the daemon's registry in the Prometheus text format.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function metricsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(text);
  });
  return router;
}
