// Values the dashboard shares with the API. No zod here (nor anything that imports it): src/web
// imports these as values, so they end up in its bundle; the schemas beside this file are only
// ever imported there as types.
export { CLASSIFICATIONS as DROP_CLASSIFICATIONS } from '../drops/types.js';

/** Links in a map by default and at most (GET /api/v1/graph?maxEdges=). */
export const GRAPH_EDGES_DEFAULT = 500;
export const GRAPH_EDGES_MAX = 5000;
