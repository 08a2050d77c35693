// Serves the built dashboard (dist/web, made by `vite build` of src/web) at `/`: hashed files
// under /assets/ are cached for a year, everything else is revalidated, and any other GET path
// that is not an API, probe or metrics path and has no file extension gets index.html (the
// dashboard routes on the hash, but a reload of a deep link must not 404). The hashed assets go
// out brotli/gzip-compressed when accepted (static-compressed.ts). Registered before
// authentication: the assets are code, not data — every datum comes from the authenticated API.
// "Not an API path" is judged on the path as a lenient reader would see it (decoded, lower-cased,
// slashes collapsed, dot segments resolved), so `/API/v1/flows` or `//api/v1/flows` fall through to
// authentication and a 404 instead of getting the dashboard shell under an API-looking name.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { compressedAssets } from './static-compressed.js';

/** From dist/http/static.js and from src/http/static.ts (tsx) alike: the repository's dist/web. */
const DEFAULT_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const NOT_DASHBOARD = /^\/(api|healthz|readyz|metrics)(?![a-z0-9_-])/;

/** The path as the most lenient reader would resolve it; undefined when it does not decode. */
function lenientPath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return path.posix.normalize(decoded.replace(/\\/g, '/').replace(/\/+/g, '/')).toLowerCase();
}

function isDashboardPath(raw: string): boolean {
  const lenient = lenientPath(raw);
  return lenient !== undefined && !NOT_DASHBOARD.test(lenient);
}
const YEAR_SEC = 365 * 24 * 3600;
const IMMUTABLE = `public, max-age=${YEAR_SEC}, immutable`;

export interface WebAssetsOptions {
  /** The built dashboard; by default dist/web. */
  readonly dir?: string;
}

function findDir(options: WebAssetsOptions): string | undefined {
  const dir = options.dir ?? DEFAULT_DIR;
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

export function webRoutes(options: WebAssetsOptions = {}): Router {
  const router = Router();
  // Found at the first request that needs it, so a dashboard built after the start is served.
  let dir = findDir(options);
  let serveStatic = dir !== undefined ? staticHandler(dir) : undefined;
  const resolve = (): string | undefined => {
    if (dir === undefined) {
      dir = findDir(options);
      if (dir !== undefined) serveStatic = staticHandler(dir);
    }
    return dir;
  };
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isDashboardPath(req.path)) return next();
    const root = resolve();
    if (root === undefined || serveStatic === undefined) {
      if (req.path !== '/' && req.path !== '/index.html') return next();
      res
        .status(503)
        .type('text/plain')
        .set('Cache-Control', 'no-store')
        .send(
          'The dashboard is not built: run `npm run build` (vite build of src/web into dist/web). The API is at /api/v1/.\n',
        );
      return;
    }
    serveStatic(req, res, () => {
      // No such file: a path with an extension is a real 404; anything else is a dashboard route.
      if (path.extname(req.path) !== '') return next();
      res.set('Cache-Control', 'no-cache');
      res.sendFile('index.html', { root }, (error) => {
        if (error !== undefined) next(error);
      });
    });
  });
  return router;
}

/** The hashed assets compressed when the client takes it (static-compressed.ts), else the files as they are. */
function staticHandler(dir: string): express.RequestHandler {
  const compressed = compressedAssets(dir, IMMUTABLE);
  const files = filesHandler(dir);
  return (req, res, next) =>
    compressed(req, res, (error?: unknown) => (error !== undefined ? next(error) : files(req, res, next)));
}

function filesHandler(dir: string): express.RequestHandler {
  return express.static(dir, {
    index: 'index.html',
    redirect: false,
    dotfiles: 'ignore',
    fallthrough: true,
    setHeaders: (res, filePath) => {
      const assets = `${path.sep}assets${path.sep}`;
      res.setHeader('Cache-Control', filePath.includes(assets) ? IMMUTABLE : 'no-cache');
    },
  });
}
