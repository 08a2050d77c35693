// GET /api/v1/recommendations/safety: whether each namespace's proposal is safe to apply (no
// observed path it would deny), every namespace at once and at any scale (the dashboard's
// Recommendations list), judged on each namespace's own proposal as ?namespace= does.
import { z } from 'zod';
import { unsafePathJson } from './recommendations.js';

export const namespaceSafetyJson = z.object({
  namespace: z.string(),
  /** False: nothing is proposed for the namespace (excluded, or no forwarded traffic it manages). */
  proposed: z.boolean(),
  safe: z.boolean(),
  /** Observed paths the proposal would deny; the first few are listed in `unsafe`. */
  unsafeCount: z.number().int(),
  unsafe: z.array(unsafePathJson),
});

export const recommendationSafetyJson = z.object({
  /** Every namespace with observed traffic, by name. */
  items: z.array(namespaceSafetyJson),
});

export type NamespaceSafetyJson = z.infer<typeof namespaceSafetyJson>;
export type RecommendationSafetyJson = z.infer<typeof recommendationSafetyJson>;
