// Authorisation cannot be bypassed by spelling a path differently (issue 14 item 1). Every route
// and method registered on the real app (read from express's router, not a hand list) is tried
// under case changes, trailing and duplicate slashes, percent-encoding and dot segments, sent
// byte for byte over a raw HTTP request (fetch would resolve dot segments itself): without a
// token and with a wrong one every spelling is a 401; with the right token every other spelling
// is a 404, because the router matches exactly. The probes are the only anonymous routes, and
// only under their exact spelling; the dashboard shell is never served under an API-looking path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { ANONYMOUS_PATHS } from '../../src/http/auth.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const TOKEN = 'route-auth-token-0123456789';
const SHELL = '<!doctype html><title>dashboard shell</title>';

interface Route {
  readonly method: string;
  readonly path: string;
}

/** method + path of every route registered on the app, through nested routers. */
function registeredRoutes(app: Express): Route[] {
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  }
  const out: Route[] = [];
  const walk = (layers: readonly Layer[]): void => {
    for (const layer of layers) {
      if (layer.route !== undefined) {
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
      } else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  // Route parameters (`:id`) get a concrete value, so the path can be requested.
  return out.map((r) => ({ ...r, path: r.path.replace(/:(\w+)/g, 'x1') }));
}

function encodeChar(c: string, upper: boolean): string {
  const hex = c.charCodeAt(0).toString(16);
  return `%${upper ? hex.toUpperCase() : hex}`;
}

/** Other spellings of `route` that a lenient router or a path-normalising proxy might accept. */
function spellings(route: string): string[] {
  const cut = route.lastIndexOf('/');
  const head = route.slice(0, cut);
  const last = route.slice(cut + 1);
  const firstLetter = /[a-z]/i.exec(last);
  const out = new Set<string>([
    route.toUpperCase(),
    `${head}/${last.slice(0, 1).toUpperCase()}${last.slice(1)}`,
    route.replace(/^\/(\w)/, (_m, c: string) => `/${c.toUpperCase()}`),
    `${route}/`,
    `${route}//`,
    `/${route}`,
    `${head}//${last}`,
    `${head}%2F${last}`,
    `${head}%2f${last}`,
    `${head}/./${last}`,
    `${head}/x/../${last}`,
    `${head}/%2e/${last}`,
    `${head}/x/%2E%2E/${last}`,
    `${route}/.`,
    `${route}/..${head === '' ? '' : head}/${last}`,
    `/.${route}`,
    `${route};`,
    `${route}%20`,
    `${route}%00`,
  ]);
  if (firstLetter !== null) {
    const i = firstLetter.index;
    const c = last.charAt(i);
    out.add(`${head}/${last.slice(0, i)}${encodeChar(c, false)}${last.slice(i + 1)}`);
    out.add(`${head}/${last.slice(0, i)}${encodeChar(c, true)}${last.slice(i + 1)}`);
  }
  out.delete(route);
  // A request target must start with a slash (the parser refuses others; client-error.test.ts).
  return [...out].filter((target) => target.startsWith('/'));
}

interface RawResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** Sends `target` as the request line's path exactly as given. */
function raw(base: string, method: string, target: string, token?: string): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        headers: {
          connection: 'close',
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
          ...(method === 'POST' || method === 'DELETE' ? { 'content-length': '0' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function errorCode(res: RawResponse): string | undefined {
  if (!res.type.startsWith('application/json')) return undefined;
  return (JSON.parse(res.body) as { error?: { code?: string } }).error?.code;
}

let webDir: string;
let app: SeededApp;
let open: SeededApp;
let routes: Route[];

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'npa-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), SHELL);
  writeFileSync(path.join(webDir, 'assets', 'app-1234.js'), 'console.log(1)');
  app = await startSeededApp({ auth: { mode: 'token', token: TOKEN }, webDir });
  open = await startSeededApp({ webDir });
  routes = registeredRoutes(buildApp(app.deps));
});
afterAll(async () => {
  await app.close();
  await open.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe('deny-by-default authorisation on exact paths', () => {
  it('finds every route of the app (the API, probes, metrics, the OpenAPI document)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names.length).toBeGreaterThan(10);
    for (const expected of [
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /api/v1/openapi.json',
      'POST /api/v1/simulate',
      'GET /api/v1/flows',
    ])
      expect(names).toContain(expected);
  });

  it('the exact spelling: probes anonymous, everything else 401 without a token and answered with it', async () => {
    for (const route of routes) {
      const anonymous = ANONYMOUS_PATHS.has(route.path) && route.method === 'GET';
      const none = await raw(app.base, route.method, route.path);
      const wrong = await raw(app.base, route.method, route.path, `${TOKEN}x`);
      if (anonymous) {
        expect(none.status, route.path).toBe(200);
        continue;
      }
      expect([none.status, errorCode(none)], `${route.method} ${route.path} without a token`).toEqual([
        401,
        'unauthorized',
      ]);
      expect([wrong.status, errorCode(wrong)], `${route.method} ${route.path} with a wrong token`).toEqual([
        401,
        'unauthorized',
      ]);
      const right = await raw(app.base, route.method, route.path, TOKEN);
      expect([401, 404], `${route.method} ${route.path} with the token: ${right.status}`).not.toContain(
        right.status,
      );
    }
  });

  it('every other spelling: 401 without a token or with a wrong one, 404 with the right one', async () => {
    let tried = 0;
    for (const route of routes) {
      for (const target of spellings(route.path)) {
        const label = `${route.method} ${target}`;
        const none = await raw(app.base, route.method, target);
        expect([none.status, errorCode(none)], `${label} without a token`).toEqual([401, 'unauthorized']);
        const wrong = await raw(app.base, route.method, target, `${TOKEN}x`);
        expect([wrong.status, errorCode(wrong)], `${label} with a wrong token`).toEqual([
          401,
          'unauthorized',
        ]);
        const right = await raw(app.base, route.method, target, TOKEN);
        expect([right.status, errorCode(right)], `${label} with the token`).toEqual([404, 'not_found']);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(routes.length * 15);
  });

  it('HEAD and other methods on the probes: only GET/HEAD of the exact path are anonymous', async () => {
    expect((await raw(app.base, 'HEAD', '/healthz')).status).toBe(200);
    expect((await raw(app.base, 'POST', '/healthz')).status).toBe(401);
    expect((await raw(app.base, 'DELETE', '/readyz')).status).toBe(401);
  });

  it('the dashboard stays anonymous, but its shell is never served under an API-looking spelling', async () => {
    expect((await raw(app.base, 'GET', '/')).body).toBe(SHELL);
    expect((await raw(app.base, 'GET', '/assets/app-1234.js')).status).toBe(200);
    expect((await raw(app.base, 'GET', '/flows/deep-link')).body).toBe(SHELL);
    for (const target of [
      '/API/v1/flows',
      '//api/v1/flows',
      '/%61pi/v1/flows',
      '/assets/../api/v1/openapi.json',
      '/Metrics',
      '/x/..//METRICS/',
    ]) {
      const res = await raw(app.base, 'GET', target);
      expect([res.status, errorCode(res)], target).toEqual([401, 'unauthorized']);
    }
  });

  it('with auth.mode none the router alone is exact: other spellings are 404s, the canonical ones answer', async () => {
    for (const route of routes) {
      const canonical = await raw(open.base, route.method, route.path);
      expect(canonical.status, `${route.method} ${route.path}`).not.toBe(404);
      for (const target of spellings(route.path)) {
        const res = await raw(open.base, route.method, target);
        expect([res.status, errorCode(res)], `${route.method} ${target}`).toEqual([404, 'not_found']);
      }
    }
  });
});
