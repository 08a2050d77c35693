// GET /api/v1/recommendations (the full view), /summary (without YAML and rules) and /policy (one
// proposed policy whole).
import { z } from 'zod';
import { policyObject } from './common.js';

export const exposureJson = z.object({ reachable: z.number().int(), total: z.number().int() }).nullable();
export const diffEntry = z.object({
  policy: z.string(),
  change: z.enum(['added', 'changed', 'unchanged', 'kept']),
  detail: z.string(),
});
export const unsafePathJson = z.object({
  namespace: z.string(),
  path: z.string(),
  code: z.string(),
  reason: z.string(),
});
export const proposedPolicyJson = z.object({
  name: z.string(),
  role: z.string(),
  workload: z.string().nullable(),
  yaml: z.string(),
  objects: z.array(policyObject),
  rules: z.array(
    z.looseObject({
      direction: z.string(),
      index: z.number().int(),
      peer: z.string(),
      connections: z.number(),
    }),
  ),
});
export const policySummaryJson = z.object({
  name: z.string(),
  role: z.string(),
  workload: z.string().nullable(),
  rules: z.number().int(),
  ingressRules: z.number().int(),
  egressRules: z.number().int(),
  connections: z.number(),
  peers: z.number().int(),
  yamlBytes: z.number().int(),
});
export const namespaceRecommendationJson = z.object({
  namespace: z.string(),
  policies: z.array(proposedPolicyJson),
  diff: z.array(diffEntry),
  tests: z.array(z.looseObject({ expect: z.string(), description: z.string() })),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  safe: z.boolean(),
  unsafe: z.array(unsafePathJson),
});
export const recommendationsJson = z.object({
  namespace: z.string().nullable(),
  safe: z.boolean(),
  unsafe: z.array(unsafePathJson),
  flavor: z.string(),
  namespaces: z.array(namespaceRecommendationJson),
  exposure: z.object({ before: exposureJson, after: exposureJson, reduction: z.number().nullable() }),
  proof: z.looseObject({
    replayed: z.number().int(),
    allowed: z.number().int(),
    violations: z.number().int(),
  }),
  tighten: z.array(z.looseObject({ policy: z.string(), message: z.string() })),
  verifyScript: z.string(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  window: z.object({ firstSeen: z.string(), lastSeen: z.string() }).nullable(),
});

export const summaryJson = recommendationsJson.extend({
  namespaces: z.array(
    namespaceRecommendationJson.extend({ policies: z.array(policySummaryJson), tests: z.number().int() }),
  ),
  verifyScript: z.string().nullable(),
  verifyScriptBytes: z.number().int(),
});

export type ProposedPolicyJson = z.infer<typeof proposedPolicyJson>;
export type PolicySummaryJson = z.infer<typeof policySummaryJson>;
export type RecommendationsJson = z.infer<typeof recommendationsJson>;
export type RecommendationSummaryJson = z.infer<typeof summaryJson>;
