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
      direction: z.enum(['ingress', 'egress']),
      index: z.number().int(),
      peer: z.string(),
      ports: z.array(z.object({ protocol: z.string(), port: z.number().int() })),
      connections: z.number(),
      firstSeenMs: z.number(),
      lastSeenMs: z.number(),
      /** Sample pods on the peer side, DNS names of an external peer, the user's business reasons. */
      samplePods: z.array(z.string()),
      names: z.array(z.string()),
      reasons: z.array(z.string()),
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
    /** Observed flows the policies in force deny with or without the proposal (the first 500 described). */
    alreadyDenied: z.number().int(),
    alreadyDeniedPaths: z.array(z.object({ path: z.string(), reason: z.string() })),
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
