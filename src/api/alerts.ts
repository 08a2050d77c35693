// GET /api/v1/alerts: alerts raised on blocked paths, with their delivery state per sink.
import { z } from 'zod';

export const deliveryJson = z.looseObject({
  id: z.number().int(),
  sink: z.string(),
  event: z.string(),
  state: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});

export const alertJson = z.looseObject({
  id: z.number().int(),
  pathKey: z.string(),
  classification: z.string(),
  status: z.enum(['firing', 'resolved']),
  summary: z.string(),
  count: z.number().int(),
  firstSeenMs: z.number(),
  lastSeenMs: z.number(),
  deliveries: z.array(deliveryJson),
});

export const alertsPageJson = z.object({
  items: z.array(alertJson),
  nextBefore: z.number().int().nullable(),
});

export type AlertJson = z.infer<typeof alertJson>;
export type AlertsPageJson = z.infer<typeof alertsPageJson>;
