// GET /healthz (the process answers) and GET /readyz (store open and sources started; 503 with
// the per-source details until then, and again if the store closes).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { livenessJson, readinessJson } from '../../api/health.js';
import type { AppDeps } from '../deps.js';
import type { ApiOperation } from '../operations.js';

export function healthOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      anonymous: true,
      responses: { '200': { description: 'alive', schema: livenessJson } },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store is open and the sources are started',
      anonymous: true,
      responses: {
        '200': { description: 'ready', schema: readinessJson },
        '503': { description: 'not ready (with the reason)', schema: readinessJson },
      },
    },
  ];
}

export function healthRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const report = deps.readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  return router;
}
