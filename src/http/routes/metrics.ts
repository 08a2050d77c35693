// GET /metrics: the daemon's registry in the Prometheus text format.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import type { AppDeps } from '../deps.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';

export function metricsOperations(): ApiOperation[] {
  return [{
    method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format); authenticated like the API',
    responses: { '200': { description: 'Prometheus text exposition format', contentType: 'text/plain' }, '401': ERROR_RESPONSES['401'] ?? { description: 'unauthorized' } },
  }];
}

export function metricsRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/metrics', async (_req, res) => {
    const text = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(text);
  });
  return router;
}
