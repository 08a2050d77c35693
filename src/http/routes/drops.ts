// GET /api/v1/drops?namespace=&since= : blocked paths, classified, explained and with their fix
// (the `drops --json` items, wrapped as {"items": [...], "nonPolicy": {...}}). The snapshot comes
// from the daemon's inventory when it has one (deps.clusterSnapshot).
import { Router } from 'express';
import { z } from 'zod';
import { buildDropReports } from '../../drops/report.js';
import type { ClusterSnapshot } from '../../policy/model.js';
import type { AppDeps } from '../deps.js';
import { namespaceParam, parseQuery } from '../query.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** AppDeps plus the inventory's snapshot when the daemon has one (optional: AppDeps fits as is). */
export type DropsRouteDeps = Pick<AppDeps, 'store'> & { readonly clusterSnapshot?: () => ClusterSnapshot | undefined };

export function dropsRoutes(deps: DropsRouteDeps): Router {
  const querySchema = z.object({
    namespace: namespaceParam.optional(),
    since: z.string().regex(/^\d{1,9}[smhd]$/, 'must be a duration such as 30m, 6h or 7d').optional(),
  });
  const router = Router();
  router.get('/api/v1/drops', (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const sinceMs = query.since !== undefined
      ? Date.now() - Number(query.since.slice(0, -1)) * (UNIT_MS[query.since.slice(-1)] ?? 1000)
      : undefined;
    const snapshot = deps.clusterSnapshot?.();
    const result = buildDropReports(deps.store.iterateEdges(), {
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
      ...(snapshot !== undefined ? { snapshot } : {}),
    });
    res.json({ items: result.items, nonPolicy: result.nonPolicy });
  });
  return router;
}
