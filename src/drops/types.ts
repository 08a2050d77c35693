// The vocabulary of blocked traffic: an observed edge as the drops core reads it, a blocked path
// (one dropped communication path that policy denied), its classification and the evidence.
// The edge shape is structural so the store's EdgeRecord fits without the core importing it.
import type { EdgePeer, ObservedEdge as StoredEdge } from '../flows/edge.js';
import type { Protocol } from '../flows/flow.js';

/** What the drops core needs of a stored edge (src/store EdgeRecord satisfies it). */
export type ObservedEdge = Omit<StoredEdge, 'id' | 'allowedBy'>;

/** One communication path dropped by policy: a dropped edge whose drops are policy drops. */
export interface BlockedPath {
  /** Source, destination, protocol and port; the same for the forwarded edge of this path. */
  readonly pathKey: string;
  readonly source: EdgePeer;
  readonly destination: EdgePeer;
  readonly protocol: Protocol;
  readonly port: number | null;
  /** Connections attempted and dropped. */
  readonly count: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly destinationLabels: Readonly<Record<string, string>>;
  readonly sourcePods: readonly string[];
  readonly destinationPods: readonly string[];
  readonly destinationNames: readonly string[];
  readonly dropReasons: Readonly<Record<string, number>>;
  /** Policy names the data source reported as denying (Hubble `*_denied_by`, Calico policy hits). */
  readonly deniedBy: readonly string[];
}

export type Classification =
  'regression' | 'dns' | 'expected-by-baseline' | 'likely-legitimate' | 'suspicious' | 'unknown';

/** Every class, in the order reports and the API list them (a tuple: the API's zod enum is built from it). */
export const CLASSIFICATIONS = [
  'regression',
  'dns',
  'expected-by-baseline',
  'likely-legitimate',
  'suspicious',
  'unknown',
] as const satisfies readonly Classification[];

/** The classes that alert by default; `suspicious` has its own, off-by-default route. */
export const ALERTING_CLASSIFICATIONS: readonly Classification[] = [
  'regression',
  'dns',
  'expected-by-baseline',
  'likely-legitimate',
];

export interface ClassifiedPath {
  readonly path: BlockedPath;
  readonly classification: Classification;
  /** Human sentences saying why; the first one is the deciding fact. */
  readonly evidence: readonly string[];
}
