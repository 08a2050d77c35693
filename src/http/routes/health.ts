// GET /healthz (the process answers) and GET /readyz (store open and sources started; 503 with
// the per-source details until then, and again if the store closes).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const report = deps.readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  return router;
}
