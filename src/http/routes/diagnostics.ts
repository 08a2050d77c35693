// GET /api/v1/diagnostics?namespace= : the doctor's findings, the same JSON array as
// `doctor --json`. The snapshot comes from the daemon's inventory when it has one
// (deps.clusterSnapshot); without it only non-policy drops can be diagnosed.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { runDoctor } from '../../doctor/doctor.js';
import type { ClusterSnapshot } from '../../policy/model.js';
import type { AppDeps } from '../deps.js';
import { namespaceParam, parseQuery } from '../query.js';

/** AppDeps plus the inventory's snapshot when the daemon has one (optional: AppDeps fits as is). */
export type DiagnosticsRouteDeps = Pick<AppDeps, 'store'> & { readonly clusterSnapshot?: () => ClusterSnapshot | undefined };

export function diagnosticsRoutes(deps: DiagnosticsRouteDeps): Router {
  const querySchema = z.object({ namespace: namespaceParam.optional() });
  const router = exactRouter();
  router.get('/api/v1/diagnostics', (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const snapshot = deps.clusterSnapshot?.();
    const findings = runDoctor({
      edges: [...deps.store.iterateEdges()],
      ...(snapshot !== undefined ? { snapshot } : {}),
      ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
    });
    res.json(findings);
  });
  return router;
}
