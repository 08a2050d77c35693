// GET /healthz and GET /readyz.
import { z } from 'zod';

export const livenessJson = z.object({ status: z.literal('ok') });

export const readinessJson = z.looseObject({
  ready: z.boolean(),
  reason: z.string().optional(),
  store: z.enum(['opening', 'open', 'closed', 'damaged']),
  sources: z.array(z.looseObject({ name: z.string(), type: z.string(), state: z.string() })),
  /** Since the daemon started: events written, rejected by reason, and accepted ones that made no edge, by reason. */
  ingest: z
    .looseObject({
      accepted: z.number().int(),
      rejected: z.number().int(),
      rejectedByReason: z.record(z.string(), z.number().int()),
      noEdgeByReason: z.record(z.string(), z.number().int()),
      batches: z.number().int(),
    })
    .optional(),
  analysisWorker: z
    .looseObject({
      state: z.enum(['idle', 'starting', 'running', 'backoff', 'closed']),
      restarts: z.number().int(),
      consecutiveFailures: z.number().int(),
      /** Threads stopped for reaching their heap limit (limits.analysisHeapMb). */
      outOfMemory: z.number().int().optional(),
      lastError: z.string().optional(),
      nextStartAtMs: z.number().optional(),
    })
    .optional(),
});

export type ReadinessJson = z.infer<typeof readinessJson>;
