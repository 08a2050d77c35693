// Write authorisation: the routes that change state (shadow mode's stage, promote, retire) ask
// this after the read authentication of auth.ts has let the request in. `none` (loopback only,
// enforced by the config schema) allows; `token` allows only the separate write token
// (auth.writeTokenFile), so the read token gets 403; `kubernetes` asks a SubjectAccessReview for
// `create` on networkpolicies.networking.k8s.io in the set's namespace. The answer is the identity
// to log and record with the change.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from './auth.js';
import { HttpError } from './errors.js';
import type { WriteReviewer } from './kube-write-auth.js';

export type WriteAccess =
  | { readonly mode: 'none' }
  | { readonly mode: 'token'; readonly writeToken: string | undefined }
  | { readonly mode: 'kubernetes'; readonly reviewer: WriteReviewer };

/** May this request change state in `namespace` (undefined: anywhere)? Resolves to the identity, or rejects with the HttpError to answer. */
export type WriteAuthorizer = (
  authorization: string | undefined,
  namespace: string | undefined,
) => Promise<string>;

export const LOOPBACK_IDENTITY = 'anonymous (auth.mode none, loopback)';
export const WRITE_TOKEN_IDENTITY = 'write-token';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function writeAuthorizer(access: WriteAccess): WriteAuthorizer {
  if (access.mode === 'none') return () => Promise.resolve(LOOPBACK_IDENTITY);
  if (access.mode === 'token') {
    const expected = access.writeToken !== undefined ? digest(access.writeToken) : undefined;
    return (authorization) => {
      const token = bearerToken(authorization);
      if (expected !== undefined && token !== undefined && timingSafeEqual(digest(token), expected))
        return Promise.resolve(WRITE_TOKEN_IDENTITY);
      return Promise.reject(
        new HttpError(
          'forbidden',
          expected === undefined
            ? 'changes are disabled: no write token is configured (auth.writeTokenFile)'
            : 'this token may read but not change state; use the write token (auth.writeTokenFile)',
        ),
      );
    };
  }
  return async (authorization, namespace) => {
    const token = bearerToken(authorization);
    if (token === undefined) throw new HttpError('unauthorized', 'a valid bearer token is required');
    let review;
    try {
      review = await access.reviewer.reviewWrite(token, namespace);
    } catch (error) {
      throw new HttpError('not_ready', 'cannot verify write access now (Kubernetes API unavailable)', {
        cause: error,
      });
    }
    if (review.outcome === 'unauthenticated')
      throw new HttpError('unauthorized', 'a valid bearer token is required');
    if (review.outcome === 'denied') {
      throw new HttpError(
        'forbidden',
        `your identity may not create networkpolicies.networking.k8s.io ${namespace !== undefined ? `in namespace ${namespace}` : 'in every namespace'} (needed to stage, promote or retire)`,
      );
    }
    return review.user ?? 'unknown';
  };
}

/** Whether the caller could write anywhere (the dashboard hides its buttons otherwise); never throws. */
export async function canWrite(
  authorize: WriteAuthorizer,
  authorization: string | undefined,
): Promise<boolean> {
  try {
    await authorize(authorization, undefined);
    return true;
  } catch {
    return false;
  }
}
