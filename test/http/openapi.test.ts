// The OpenAPI document against the live app: every documented operation is called on the seeded
// store and its response validated (ajv, JSON Schema 2020-12) against the documented schema for
// its status; every registered express route is documented; invalid parameters per the document
// are refused with 400.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { FIXTURES, startSeededApp, type SeededApp } from './seeded-app.js';

interface Operation {
  parameters: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let app: SeededApp;
let doc: OpenApiDoc;

beforeAll(async () => {
  app = await startSeededApp();
  doc = (await (await fetch(`${app.base}/api/v1/openapi.json`)).json()) as OpenApiDoc;
});
afterAll(async () => {
  await app.close();
});

const STREAM = '/api/v1/stream';

async function call(route: string, method: string): Promise<Response> {
  if (method === 'post') {
    return fetch(app.base + route, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: readFileSync(path.join(FIXTURES, 'deny-data.yaml'), 'utf8'),
    });
  }
  return fetch(app.base + route);
}

/** method + path of every route registered on the express app (routers one level deep). */
function registeredRoutes(express: Express): string[] {
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  }
  const out: string[] = [];
  const walk = (layers: readonly Layer[]) => {
    for (const layer of layers) {
      // Express registers path parameters as `:name`, OpenAPI writes `{name}`.
      if (layer.route !== undefined)
        for (const method of Object.keys(layer.route.methods))
          out.push(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((express as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3 and documents every registered route (the dashboard shell aside)', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)),
    );
    const registered = registeredRoutes(buildApp(app.deps)).filter((r) =>
      /^\w+ \/(api|healthz|readyz|metrics)/.test(r),
    );
    expect(registered.length).toBeGreaterThan(10);
    for (const route of registered) expect(documented, route).toContain(route);
    expect(documented).toContain(`get ${STREAM}`);
  });

  it('every operation answers as documented on the seeded store', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    let validated = 0;
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (route === STREAM) continue;
        const res = await call(route, method);
        const documentedStatus = op.responses[String(res.status)];
        expect(documentedStatus, `${method} ${route} answered ${res.status}`).toBeDefined();
        const [type, media] = Object.entries(documentedStatus?.content ?? {})[0] ?? [];
        if (media?.schema === undefined || type !== 'application/json') continue;
        const body: unknown = await res.json();
        const validate = ajv.compile(media.schema);
        expect(validate(body), `${method} ${route}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        validated++;
      }
    }
    expect(validated).toBeGreaterThanOrEqual(10);
  });

  it('documented integer and enum parameters are enforced: out of range or unknown values are 400s naming them', async () => {
    const ajv = new Ajv2020({ strict: false });
    const errorSchema =
      doc.paths['/api/v1/flows']?.get?.responses['400']?.content?.['application/json']?.schema ?? {};
    for (const [route, ops] of Object.entries(doc.paths)) {
      const op = ops['get'];
      if (op === undefined || route === STREAM) continue;
      for (const parameter of op.parameters) {
        const res = await fetch(
          `${app.base}${route}?${parameter.name}=${encodeURIComponent('\u0000bad value')}`,
        );
        if (
          parameter.name === 'cursor' ||
          parameter.name === 'namespace' ||
          parameter.name === 'status' ||
          parameter.name === 'verdict' ||
          parameter.schema['pattern'] !== undefined ||
          parameter.schema['enum'] !== undefined
        ) {
          expect(res.status, `${route} ${parameter.name}`).toBe(400);
          const body = (await res.json()) as { error: { message: string } };
          expect(ajv.validate(errorSchema, body)).toBe(true);
          expect(body.error.message).toContain(parameter.name);
        } else {
          await res.body?.cancel();
        }
      }
    }
  });
});
