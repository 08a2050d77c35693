// GET /api/v1/cluster-policies : the cluster-scoped policies of the snapshot or live inventory
// (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) in evaluation order, each
// with the namespaces and pods its subject covers. An empty list without a snapshot or with none.
import type { Router } from 'express';
import { clusterPoliciesJson } from '../../api/cluster-policies.js';
import { clusterPolicyCoverage } from '../../policy/cluster/cluster-coverage.js';
import type { AppDeps } from '../deps.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { exactRouter } from '../router.js';

export function clusterPoliciesOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/cluster-policies',
      summary:
        'Cluster-scoped policies (AdminNetworkPolicy, ClusterNetworkPolicy …) in evaluation order, with the namespaces they cover',
      responses: {
        '200': {
          description: 'every cluster policy, Admin tier first',
          schema: clusterPoliciesJson,
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function clusterPoliciesRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/cluster-policies', (_req, res) => {
    const snapshot = deps.analysis.snapshot();
    res.json({ items: snapshot === undefined ? [] : clusterPolicyCoverage(snapshot) });
  });
  return router;
}
