// GET /api/v1/flows: a keyset page of aggregated edges.
import { z } from 'zod';
import { edgeJson } from './common.js';

export const flowsPageJson = z.object({ items: z.array(edgeJson), nextCursor: z.string().nullable() });

export type FlowsPageJson = z.infer<typeof flowsPageJson>;
