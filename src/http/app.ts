// Builds the express app without listening (the daemon listens; tests listen on port 0).
// Security defaults: helmet headers, no CORS (the dashboard is same-origin), a JSON body limit
// from config, no `x-powered-by`, the simple query parser. Routes live one file per resource in
// routes/; to add one, write routes/<resource>.ts exporting `(deps) => Router` and list it below.
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { authMiddleware } from './auth.js';
import type { AppDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { webRoutes } from './static.js';
import { diagnosticsRoutes } from './routes/diagnostics.js';
import { flowsRoutes } from './routes/flows.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './openapi.js';
import { alertsRoutes } from './routes/alerts.js';
import { clusterGuardrailsRoutes } from './routes/cluster-guardrails.js';
import { clusterPoliciesRoutes } from './routes/cluster-policies.js';
import { dropsRoutes } from './routes/drops.js';
import { graphRoutes } from './routes/graph.js';
import { namespacesRoutes } from './routes/namespaces.js';
import { recommendationSafetyRoutes } from './routes/recommendation-safety.js';
import { recommendationsRoutes } from './routes/recommendations.js';
import { simulateRoutes, YAML_TYPES } from './routes/simulate.js';
import { stagedRoutes } from './routes/staged.js';

const ROUTES: readonly ((deps: AppDeps) => Router)[] = [
  healthRoutes,
  metricsRoutes,
  openApiRoutes,
  flowsRoutes,
  namespacesRoutes,
  graphRoutes,
  recommendationsRoutes,
  recommendationSafetyRoutes,
  simulateRoutes,
  dropsRoutes,
  alertsRoutes,
  diagnosticsRoutes,
  stagedRoutes,
  clusterPoliciesRoutes,
  clusterGuardrailsRoutes,
];

export function buildApp(deps: AppDeps): Express {
  const app = express();
  // Exact matching for the app's own router too (each route file uses exactRouter()).
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', false);
  app.set('etag', false);
  app.use(helmet());
  app.use(webRoutes(deps.webDir !== undefined ? { dir: deps.webDir } : {}));
  app.use(authMiddleware(deps.auth));
  app.use(express.json({ limit: deps.limits.requestBodyBytes }));
  app.use(express.text({ type: YAML_TYPES, limit: deps.limits.requestBodyBytes }));
  for (const routes of ROUTES) app.use(routes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
