// A JSON response body rendered once and sent many times: the UTF-8 bytes and a strong ETag are
// computed when the body is rendered (once per data version, see analysis.ts), so a warm request
// costs a header write and one socket write — no re-serialisation, re-encoding or re-hashing.
// A request whose If-None-Match names the ETag gets 304 without the body.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Revalidated } from './revalidating-cache.js';

export interface RenderedBody {
  readonly bytes: Buffer;
  /** Strong validator: `"<length hex>-<sha1 base64url>"` of the bytes. */
  readonly etag: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function renderJson(value: unknown): RenderedBody {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  const hash = createHash('sha1').update(bytes).digest('base64url');
  return { bytes, etag: `"${bytes.length.toString(16)}-${hash}"` };
}

/** True when an If-None-Match header value matches `etag` (weak comparison, as RFC 9110 asks). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.length === 0 || header.length > 8192) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}

/** Sends a rendered body (or 304 when the client already holds it). Revalidated on every use. */
export function sendRendered(req: Request, res: Response, body: RenderedBody): void {
  res.setHeader('ETag', body.etag);
  res.setHeader('Cache-Control', 'no-cache');
  if (ifNoneMatchHits(req.headers['if-none-match'], body.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', body.bytes.length);
  res.end(req.method === 'HEAD' ? undefined : body.bytes);
}

/**
 * Sends a body served stale-while-revalidate (analysis.ts): `X-Data-Version` names the data
 * version it was computed from; a body older than the current data also carries
 * `X-Data-Stale: 1` and `Age` (seconds since it was computed) — a fresh one is being computed.
 */
export function sendRevalidated(req: Request, res: Response, served: Revalidated<RenderedBody>, nowMs: number): void {
  res.setHeader('X-Data-Version', served.version.split('#')[0] ?? '');
  if (served.stale) {
    res.setHeader('X-Data-Stale', '1');
    res.setHeader('Age', Math.max(0, Math.floor((nowMs - served.computedMs) / 1000)));
  }
  sendRendered(req, res, served.value);
}
