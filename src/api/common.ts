// The shapes every API resource shares: the error body, a peer (a pod's workload or an address),
// an observed edge, a policy object. Zod only: the API documents and validates its responses with
// these (src/http), and the dashboard (src/web) imports the inferred types, erased from its bundle.
import { z } from 'zod';

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export const podPeerJson = z.looseObject({
  namespace: z.string(),
  workload: z.string().nullable(),
  kind: z.string(),
  /** Sampled pod names and labels (flows only). */
  pods: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export const addressPeerJson = z.looseObject({
  kind: z.string(),
  ip: z.string().nullable(),
  names: z.array(z.string()),
  /** A Calico-named peer: NetworkSet, `pub`/`pvt` network, host endpoint. */
  entity: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }).optional(),
});
export const peerJson = z.union([podPeerJson, addressPeerJson]);

export const edgeJson = z.looseObject({
  id: z.number().int(),
  source: peerJson,
  destination: peerJson,
  port: z.number().int().nullable(),
  protocol: z.string(),
  verdict: z.string(),
  count: z.number().int(),
  /** Mid-stream events of connections established before observation (not counted in `count`). */
  established: z.number().int(),
  /** Of `established`, the events whose direction the source reported (the rest: inferred from ports and flags). */
  establishedObserved: z.number().int(),
  evidence: z.enum(['connection-start', 'established-before-observation']),
  firstSeen: z.string(),
  lastSeen: z.string(),
  dropReasons: z.record(z.string(), z.number()),
  deniedBy: z.array(z.string()),
  allowedBy: z.array(z.string()),
});

export const policyObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string() }),
});

export type ErrorBody = z.infer<typeof errorBody>;
export type PeerJson = z.infer<typeof peerJson>;
export type EdgeJson = z.infer<typeof edgeJson>;
export type PolicyObjectJson = z.infer<typeof policyObject>;
