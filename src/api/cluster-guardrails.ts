// GET /api/v1/recommendations/cluster-guardrails: the cluster guardrails proposed from the observed
// traffic (as `recommend --cluster-policies cnp|anp`), with their replay proof.
import { z } from 'zod';

export const guardrailObjectSummaryJson = z.object({
  kind: z.string(),
  name: z.string(),
  tier: z.enum(['Admin', 'Baseline']),
  priority: z.number().int().nullable(),
  ingressRules: z.number().int(),
  egressRules: z.number().int(),
});

export const clusterGuardrailsJson = z.object({
  namespace: z.string().nullable(),
  flavor: z.enum(['cnp', 'anp']),
  /** False when the replay found a flow they would drop or an object is invalid: nothing is offered. */
  ok: z.boolean(),
  objects: z.array(z.looseObject({ kind: z.string() })),
  summary: z.array(guardrailObjectSummaryJson),
  yaml: z.string(),
  paths: z.number().int(),
  warnings: z.array(z.string()),
  proof: z.object({
    replayed: z.number().int(),
    allowed: z.number().int(),
    violations: z.array(z.string()),
    problems: z.array(z.string()),
  }),
});

export type ClusterGuardrailsJson = z.infer<typeof clusterGuardrailsJson>;
