// API authentication. `none` (loopback only, enforced by the config schema) lets everything
// through; `token` requires `Authorization: Bearer <token>` on every request but the probes, the
// token read from a file at start and compared in constant time; `kubernetes` hands the bearer
// token to a TokenReviewer (kube-auth.ts: TokenReview + SubjectAccessReview). The WebSocket
// stream authenticates with the same function (authenticate) before upgrading.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';
import type { TokenReviewer } from './kube-auth.js';

export type ApiAuth =
  | { readonly mode: 'none' }
  /** `writeToken` (auth.writeTokenFile) also reads; what it may change is write-auth.ts's call. */
  | { readonly mode: 'token'; readonly token: string; readonly writeToken?: string }
  | { readonly mode: 'kubernetes'; readonly reviewer: TokenReviewer };

/** Probes stay anonymous so the kubelet can reach them. */
export const ANONYMOUS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * Deny by default: every request needs a token unless it is a GET/HEAD of a probe, spelt exactly
 * as the (exact, case-sensitive) router matches it — `req.path` is the raw path, so `/HEALTHZ`,
 * `/healthz/` or `/%68ealthz` are not anonymous (and are 404s once authenticated). The dashboard's
 * static files are served before this middleware (static.ts): they hold no data.
 */
export function isAnonymousRequest(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && ANONYMOUS_PATHS.has(path);
}

/** Shortest token accepted from the token file. */
export const MIN_TOKEN_CHARS = 16;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer …` header, if well-formed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]{1,4096})$/i.exec(header ?? '');
  return match?.[1];
}

/** undefined when allowed; otherwise the error to answer with. */
export type Authenticator = (token: string | undefined) => Promise<HttpError | undefined>;

export function authenticator(auth: ApiAuth): Authenticator {
  if (auth.mode === 'none') return () => Promise.resolve(undefined);
  const unauthorized = () => new HttpError('unauthorized', 'a valid bearer token is required');
  if (auth.mode === 'token') {
    const expected = digest(auth.token);
    const expectedWrite = auth.writeToken !== undefined ? digest(auth.writeToken) : undefined;
    return (token) => {
      if (token === undefined) return Promise.resolve(unauthorized());
      const given = digest(token);
      const known =
        timingSafeEqual(given, expected) ||
        (expectedWrite !== undefined && timingSafeEqual(given, expectedWrite));
      return Promise.resolve(known ? undefined : unauthorized());
    };
  }
  return async (token) => {
    if (token === undefined) return unauthorized();
    let outcome;
    try {
      outcome = await auth.reviewer.review(token);
    } catch (error) {
      return new HttpError('not_ready', 'cannot verify the token now (Kubernetes API unavailable)', {
        cause: error,
      });
    }
    if (outcome === 'unauthenticated') return unauthorized();
    if (outcome === 'denied')
      return new HttpError(
        'forbidden',
        'your identity may not list networkpolicies.networking.k8s.io cluster-wide (needed to use netpol-advisor)',
      );
    return undefined;
  };
}

export function authMiddleware(auth: ApiAuth): RequestHandler {
  if (auth.mode === 'none') return (_req, _res, next) => next();
  const check = authenticator(auth);
  return (req, res, next) => {
    if (isAnonymousRequest(req.method, req.path)) return next();
    check(bearerToken(req.get('authorization'))).then(
      (error) => {
        if (error?.code === 'unauthorized') res.set('WWW-Authenticate', 'Bearer realm="netpol-advisor"');
        next(error);
      },
      (error: unknown) => next(error),
    );
  };
}
