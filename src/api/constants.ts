// Values the dashboard shares with the API. No zod here (nor anything that imports it): src/web
// imports these as values, so they end up in its bundle; the schemas beside this file are only
// ever imported there as types.
export { CLASSIFICATIONS as DROP_CLASSIFICATIONS } from '../drops/types.js';
export { VERDICTS } from '../flows/flow.js';

/** Links in a map by default and at most (GET /api/v1/graph?maxEdges=). */
export const GRAPH_EDGES_DEFAULT = 500;
export const GRAPH_EDGES_MAX = 5000;
/** Namespaces (and outside kinds) kept in the summary map, the busiest first (?level=namespace). */
export const NAMESPACE_GRAPH_NODES_MAX = 2000;

/** The flavours a set can be staged in (POST /api/v1/staged `flavor`). */
export const STAGE_FLAVORS = ['k8s', 'cilium', 'calico'] as const;
