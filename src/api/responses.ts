// Every JSON response the dashboard reads, by route: the bodies' types inferred from the schemas
// the API is documented and tested with. Types only: src/web imports this with `import type`, so
// nothing of it (nor zod) reaches the bundle, and renaming a field in a schema fails type-checking
// of the dashboard code that reads it.
import type { AlertsPageJson } from './alerts.js';
import type { ClusterGuardrailsJson } from './cluster-guardrails.js';
import type { ClusterPoliciesJson } from './cluster-policies.js';
import type { FindingJson } from './diagnostics.js';
import type { DropsPageJson } from './drops.js';
import type { FlowsPageJson } from './flows.js';
import type { GraphJson } from './graph.js';
import type { NamespaceGraphJson } from './namespace-graph.js';
import type { NamespacesPageJson } from './namespaces.js';
import type { RecommendationSafetyJson } from './recommendation-safety.js';
import type { ProposedPolicyJson, RecommendationSummaryJson } from './recommendations.js';
import type { StagedDetailJson, StagedListJson, WouldDropPageJson } from './staged.js';

export interface ApiResponses {
  '/api/v1/namespaces': NamespacesPageJson;
  '/api/v1/flows': FlowsPageJson;
  '/api/v1/graph': GraphJson;
  /** The same route with ?level=namespace: the whole-cluster summary (the query is part of the key). */
  '/api/v1/graph?level=namespace': NamespaceGraphJson;
  '/api/v1/drops': DropsPageJson;
  '/api/v1/alerts': AlertsPageJson;
  '/api/v1/diagnostics': FindingJson[];
  '/api/v1/cluster-policies': ClusterPoliciesJson;
  '/api/v1/recommendations/summary': RecommendationSummaryJson;
  '/api/v1/recommendations/policy': ProposedPolicyJson;
  '/api/v1/recommendations/safety': RecommendationSafetyJson;
  '/api/v1/recommendations/cluster-guardrails': ClusterGuardrailsJson;
  '/api/v1/staged': StagedListJson;
  '/api/v1/staged/{id}': StagedDetailJson;
  '/api/v1/staged/{id}/would-drop': WouldDropPageJson;
}

export type ApiPath = keyof ApiResponses;
