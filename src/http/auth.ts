// API authentication. `none` (loopback only, enforced by the config schema) lets everything
// through; `token` requires `Authorization: Bearer <token>` on every route but the probes, the
// token read from a file at start and compared in constant time. Kubernetes TokenReview
// (`kubernetes`) plugs in here as another mode.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export type ApiAuth = { readonly mode: 'none' } | { readonly mode: 'token'; readonly token: string };

/** Probes stay anonymous so the kubelet can reach them. */
const ANONYMOUS_PATHS = new Set(['/healthz', '/readyz']);

/** Shortest token accepted from the token file. */
export const MIN_TOKEN_CHARS = 16;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function authMiddleware(auth: ApiAuth): RequestHandler {
  if (auth.mode === 'none') return (_req, _res, next) => next();
  const expected = digest(auth.token);
  return (req, res, next) => {
    if (ANONYMOUS_PATHS.has(req.path)) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([^\s]{1,4096})$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1] ?? ''), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="netpol-advisor"');
      next(new HttpError('unauthorized', 'a valid bearer token is required'));
      return;
    }
    next();
  };
}
