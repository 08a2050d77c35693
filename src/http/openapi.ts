// The OpenAPI 3.1 document of the API (GET /api/v1/openapi.json), generated from the operations
// the routes validate with (operations.ts): query parameters from each route's zod query schema
// (as the client types them: strings), responses from the zod response schemas.
import type { Router } from 'express';
import { exactRouter } from './router.js';
import { z } from 'zod';
import type { AppDeps } from './deps.js';
import { findingsJson } from '../api/diagnostics.js';
import { ERROR_RESPONSES, type ApiOperation } from './operations.js';
import { namespaceParam } from './query.js';
import { alertsOperations } from './routes/alerts.js';
import { clusterGuardrailsOperations } from './routes/cluster-guardrails.js';
import { clusterPoliciesOperations } from './routes/cluster-policies.js';
import { dropsOperations } from './routes/drops.js';
import { flowsOperations } from './routes/flows.js';
import { graphOperations } from './routes/graph.js';
import { healthOperations } from './routes/health.js';
import { metricsOperations } from './routes/metrics.js';
import { namespacesOperations } from './routes/namespaces.js';
import { recommendationSafetyOperations } from './routes/recommendation-safety.js';
import { recommendationsOperations } from './routes/recommendations.js';
import { simulateOperations } from './routes/simulate.js';
import { stagedOperations } from './routes/staged.js';

export const STREAM_PATH = '/api/v1/stream';

/** Every documented operation; a test checks each registered express route is among them. */
export function apiOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  return [
    ...healthOperations(),
    ...metricsOperations(),
    ...flowsOperations(deps),
    ...namespacesOperations(deps),
    ...graphOperations(),
    ...recommendationsOperations(),
    ...recommendationSafetyOperations(),
    ...simulateOperations(),
    ...dropsOperations(deps),
    ...alertsOperations(deps),
    ...clusterPoliciesOperations(),
    ...clusterGuardrailsOperations(),
    ...stagedOperations(deps),
    {
      // routes/diagnostics.ts (the doctor's route) validates `namespace` as a DNS label.
      method: 'get',
      path: '/api/v1/diagnostics',
      summary: "The doctor's findings (same JSON array as `doctor --json`)",
      query: z.object({ namespace: namespaceParam.optional() }),
      responses: {
        '200': {
          description: 'findings',
          schema: findingsJson,
        },
        ...ERROR_RESPONSES,
      },
    },
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This document',
      responses: {
        '200': {
          description: 'the OpenAPI 3.1 document',
          schema: z.looseObject({ openapi: z.string(), paths: z.looseObject({}) }),
        },
      },
    },
    {
      method: 'get',
      path: STREAM_PATH,
      summary:
        'WebSocket (Upgrade: websocket): live JSON messages {type: edge|blocked|alert|would-drop|batch|hello, …}; optional ?namespace= filter. ' +
        'Authenticated like the API: an Authorization header, or (browsers) the subprotocol `bearer.<base64url token>` next to `netpol-advisor`.',
      query: z.object({ namespace: z.string().optional() }),
      responses: { '101': { description: 'switching to the WebSocket protocol' } },
    },
  ];
}

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  delete out['$schema'];
  return out;
}

function parameters(query: z.ZodObject | undefined, where: 'query' | 'path' = 'query'): JsonObject[] {
  if (query === undefined) return [];
  const schema = jsonSchema(query, 'input');
  const properties = (schema['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

export function openApiDocument(deps: Pick<AppDeps, 'limits' | 'auth'>): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const op of apiOperations(deps)) {
    const responses: Record<string, JsonObject> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema !== undefined || response.contentType !== undefined
          ? {
              content: {
                [response.contentType ?? 'application/json']:
                  response.schema !== undefined ? { schema: jsonSchema(response.schema, 'output') } : {},
              },
            }
          : {}),
      };
    }
    const operation: JsonObject = {
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(op.pathParams, 'path'), ...parameters(op.query)],
      responses,
      ...(op.anonymous === true ? { security: [] } : {}),
      ...(op.requestBody !== undefined
        ? {
            requestBody: {
              required: true,
              description: op.requestBody.description,
              content: Object.fromEntries(
                op.requestBody.contentTypes.map((type) => [
                  type,
                  { schema: jsonSchema(op.requestBody?.schema ?? z.unknown(), 'input') },
                ]),
              ),
            },
          }
        : {}),
    };
    (paths[op.path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'netpol-advisor API', version: '1' },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'auth.mode token: the static token; auth.mode kubernetes: a Kubernetes bearer token (TokenReview + SubjectAccessReview)',
        },
      },
    },
    security: deps.auth.mode === 'none' ? [] : [{ bearer: [] }],
    paths,
  };
}

export function openApiRoutes(deps: AppDeps): Router {
  const body = JSON.stringify(openApiDocument(deps));
  const router = exactRouter();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
