// GET /api/v1/alerts?status=&limit=&before= : alerts raised on blocked paths, newest first, each
// with its delivery state per sink (sink ids only: receiver URLs are secrets and never leave).
import { Router } from 'express';
import { z } from 'zod';
import type { AlertStore } from '../../store/alerts.js';
import type { AppDeps } from '../deps.js';
import { intParam, parseQuery } from '../query.js';

/** AppDeps plus the alert store (optional: AppDeps fits as is, and the route then lists nothing). */
export type AlertsRouteDeps = Pick<AppDeps, 'limits'> & { readonly alerts?: AlertStore };

export function alertsRoutes(deps: AlertsRouteDeps): Router {
  const querySchema = z.object({
    status: z.enum(['firing', 'resolved']).optional(),
    limit: intParam(1, deps.limits.pageSizeMax).optional(),
    before: intParam(1, Number.MAX_SAFE_INTEGER).optional(),
  });
  const router = Router();
  router.get('/api/v1/alerts', (req, res) => {
    const query = parseQuery(querySchema, req.query);
    if (deps.alerts === undefined) {
      res.json({ items: [], nextBefore: null });
      return;
    }
    const page = deps.alerts.listAlerts({
      limit: query.limit ?? deps.limits.pageSizeDefault,
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
    });
    res.json({ items: page.items, nextBefore: page.nextBeforeId });
  });
  return router;
}
