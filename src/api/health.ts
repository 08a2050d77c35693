// GET /healthz and GET /readyz.
import { z } from 'zod';

export const livenessJson = z.object({ status: z.literal('ok') });

export const readinessJson = z.looseObject({
  ready: z.boolean(),
  reason: z.string().optional(),
  store: z.enum(['opening', 'open', 'closed', 'damaged']),
  sources: z.array(z.looseObject({ name: z.string(), type: z.string(), state: z.string() })),
  analysisWorker: z
    .looseObject({
      state: z.enum(['idle', 'starting', 'running', 'backoff', 'closed']),
      restarts: z.number().int(),
      consecutiveFailures: z.number().int(),
      lastError: z.string().optional(),
      nextStartAtMs: z.number().optional(),
    })
    .optional(),
});

export type ReadinessJson = z.infer<typeof readinessJson>;
