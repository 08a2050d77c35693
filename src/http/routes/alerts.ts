// GET /api/v1/alerts?status=&limit=&before= : alerts raised on blocked paths, newest first, each
// with its delivery state per sink (sink ids only: receiver URLs are secrets and never leave).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { alertsPageJson } from '../../api/alerts.js';
import type { AppDeps } from '../deps.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { intParam, parseQuery } from '../query.js';

export type AlertsRouteDeps = Pick<AppDeps, 'limits' | 'alerts'>;

function alertsQuery(deps: Pick<AppDeps, 'limits'>) {
  return z.object({
    status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }).optional(),
    limit: intParam(1, deps.limits.pageSizeMax).optional(),
    before: intParam(1, 999_999_999).optional(),
  });
}

export function alertsOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/alerts',
      summary:
        'Alerts raised on blocked paths, newest first, with the delivery state per sink (paged by `before`)',
      query: alertsQuery(deps),
      responses: {
        '200': {
          description: 'a page of alerts',
          schema: alertsPageJson,
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function alertsRoutes(deps: AlertsRouteDeps): Router {
  const querySchema = alertsQuery(deps);
  const router = exactRouter();
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
