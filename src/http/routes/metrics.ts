// GET /metrics: the daemon's registry in the Prometheus text format, or OpenMetrics when the
// scraper's Accept header prefers it (metrics-exposition.ts).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import type { AppDeps } from '../deps.js';
import { exposition } from '../metrics-exposition.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';

export function metricsOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/metrics',
      summary:
        'Prometheus metrics (text format 0.0.4, or OpenMetrics 1.0.0 when the Accept header prefers it); authenticated like the API',
      responses: {
        '200': {
          description: 'Prometheus text exposition format (or OpenMetrics on request)',
          contentType: 'text/plain',
        },
        '401': ERROR_RESPONSES['401'] ?? { description: 'unauthorized' },
      },
    },
  ];
}

export function metricsRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/metrics', async (req, res) => {
    const { contentType, body } = await exposition(deps.registry, req.get('accept'));
    res.vary('Accept').type(contentType).send(body);
  });
  return router;
}
