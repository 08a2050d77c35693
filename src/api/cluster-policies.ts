// GET /api/v1/cluster-policies: the cluster-scoped policies and what each covers.
import { z } from 'zod';

export const clusterPolicyJson = z.object({
  kind: z.enum(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']),
  name: z.string(),
  tier: z.enum(['Admin', 'Baseline']),
  priority: z.number().int().nullable(),
  order: z.number().int(),
  ingressRules: z.number().int(),
  egressRules: z.number().int(),
  podsSelected: z.number().int(),
  namespacesCovered: z.number().int(),
  namespaces: z.array(z.string()),
});

export const clusterPoliciesJson = z.object({ items: z.array(clusterPolicyJson) });

export type ClusterPolicyJson = z.infer<typeof clusterPolicyJson>;
export type ClusterPoliciesJson = z.infer<typeof clusterPoliciesJson>;
