// POST /api/v1/simulate: the observed flows a policy set would drop.
import { z } from 'zod';
import { peerJson } from './common.js';

export const directionJson = z.looseObject({
  allowed: z.boolean(),
  isolated: z.boolean(),
  reason: z.string(),
});
export const simulateJson = z.object({
  policies: z.array(z.string()),
  replayed: z.number().int(),
  allowed: z.number().int(),
  droppedTotal: z.number().int(),
  dropped: z.array(
    z.object({
      id: z.number().int(),
      source: peerJson,
      destination: peerJson,
      port: z.number().int().nullable(),
      protocol: z.string(),
      count: z.number().int(),
      firstSeen: z.string(),
      lastSeen: z.string(),
      egress: directionJson,
      ingress: directionJson,
    }),
  ),
  skipped: z.number().int(),
  /** The paths not replayed (at most 1,000) and why; `notEvaluated` marks those a policy applies to that the snapshot cannot decide. */
  skippedPaths: z.array(
    z.object({ edgeId: z.number().int(), reason: z.string(), notEvaluated: z.literal(true).optional() }),
  ),
  /** How many replayed paths meet a policy in force that the snapshot cannot decide: not proven either way. */
  notEvaluated: z.number().int(),
  /** Policy objects of the cluster the replay could not evaluate, and how many replayed pods each selects. */
  ignored: z.array(
    z.looseObject({
      kind: z.string(),
      namespace: z.string().optional(),
      name: z.string(),
      reason: z.string(),
      selectsReplayedPods: z.number().int(),
    }),
  ),
});

export type SimulateJson = z.infer<typeof simulateJson>;
