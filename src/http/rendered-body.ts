// A JSON response body rendered once and sent many times: the UTF-8 bytes and a strong ETag are
// computed when the body is rendered (once per data version, see analysis.ts), so a warm request
// costs a header write and one socket write — no re-serialisation, re-encoding or re-hashing.
// A request whose If-None-Match names the ETag gets 304 without the body. A body of
// COMPRESS_MIN_BYTES or more goes out brotli- or gzip-compressed when Accept-Encoding allows it,
// compressed once per body (kept beside it until the body is dropped) under its own ETag.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { Revalidated } from './view-cache.js';

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

/** Bodies smaller than this go out as they are (compression would save little and cost a call). */
export const COMPRESS_MIN_BYTES = 8 * 1024;
/** Brotli quality for JSON bodies: about gzip's speed, a smaller result (11 is far slower). */
const BROTLI_QUALITY = 5;

export type ContentCoding = 'br' | 'gzip';

/** The coding to answer with for an Accept-Encoding header: br, else gzip, else none (q=0 refuses). */
export function negotiateCoding(header: string | undefined): ContentCoding | undefined {
  if (header === undefined || header.length > 1024) return undefined;
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (coding: string): number => accepted.get(coding) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return undefined;
}

/** Compressed variants of rendered bodies, kept as long as the body itself is. */
const compressed = new WeakMap<RenderedBody, Partial<Record<ContentCoding, Buffer>>>();

function compressedBytes(body: RenderedBody, coding: ContentCoding): Buffer {
  let variants = compressed.get(body);
  if (variants === undefined) compressed.set(body, (variants = {}));
  let bytes = variants[coding];
  if (bytes === undefined) {
    bytes =
      coding === 'br'
        ? brotliCompressSync(body.bytes, {
            params: {
              [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
              [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.bytes.length,
            },
          })
        : gzipSync(body.bytes, { level: 6 });
    variants[coding] = bytes;
  }
  return bytes;
}

/** Sends a rendered body (or 304 when the client already holds it), compressed when large and accepted. Revalidated on every use. */
export function sendRendered(req: Request, res: Response, body: RenderedBody): void {
  const coding =
    body.bytes.length >= COMPRESS_MIN_BYTES ? negotiateCoding(req.headers['accept-encoding']) : undefined;
  // A coded variant is a different representation: its own strong validator.
  const etag = coding === undefined ? body.etag : `${body.etag.slice(0, -1)}-${coding}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  if (body.bytes.length >= COMPRESS_MIN_BYTES) res.setHeader('Vary', 'Accept-Encoding');
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const bytes = coding === undefined ? body.bytes : compressedBytes(body, coding);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  if (coding !== undefined) res.setHeader('Content-Encoding', coding);
  res.setHeader('Content-Length', bytes.length);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/**
 * Sends a body served stale-while-revalidate (analysis.ts): `X-Data-Version` names the data
 * version it was computed from; a body older than the current data also carries
 * `X-Data-Stale: 1` and `Age` (seconds since it was computed) — a fresh one is being computed.
 */
export function sendRevalidated(
  req: Request,
  res: Response,
  served: Revalidated<RenderedBody>,
  nowMs: number,
): void {
  res.setHeader('X-Data-Version', served.version.split('#')[0] ?? '');
  if (served.stale) {
    res.setHeader('X-Data-Stale', '1');
    res.setHeader('Age', Math.max(0, Math.floor((nowMs - served.computedMs) / 1000)));
  }
  sendRendered(req, res, served.value);
}
