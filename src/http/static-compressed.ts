// The dashboard's hashed assets (/assets/*.js, *.css, *.svg: the bundle is most of a first
// paint, ~120 KiB) sent brotli- or gzip-compressed when Accept-Encoding allows it. Each file is
// compressed once, off the event loop (zlib's thread pool), and kept: the files under assets/ are
// immutable (their names carry their hash) and few, and only files that exist are ever read.
// Anything else, or a coding the client does not take, falls through to express.static.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { ifNoneMatchHits, negotiateCoding, type ContentCoding } from './rendered-body.js';

const COMPRESSIBLE = new Set(['.js', '.css', '.svg']);
const ASSET_PATH = /^\/assets\/[A-Za-z0-9._-]+$/;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Variant {
  readonly bytes: Buffer;
  readonly etag: string;
}

async function compress(file: string, coding: ContentCoding): Promise<Variant | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  const raw = await readFile(file);
  const bytes =
    coding === 'br'
      ? await brotli(raw, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : await gzipAsync(raw, { level: 9 });
  return { bytes, etag: `"${coding}-${raw.length.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"` };
}

/** Middleware for `root` (dist/web): serves compressed variants of the hashed assets. */
export function compressedAssets(root: string, cacheControl: string) {
  const variants = new Map<string, Promise<Variant | undefined>>();
  return (req: Request, res: Response, next: NextFunction): void => {
    const coding = negotiateCoding(req.get('accept-encoding'));
    const ext = path.extname(req.path);
    if (coding === undefined || !ASSET_PATH.test(req.path) || !COMPRESSIBLE.has(ext)) return next();
    const key = `${coding}:${req.path}`;
    let variant = variants.get(key);
    if (variant === undefined) {
      variant = compress(path.join(root, req.path), coding);
      variants.set(key, variant);
    }
    variant.then(
      (found) => {
        if (found === undefined) {
          variants.delete(key); // a file built later is found then; a missing one costs a stat
          return next();
        }
        res.vary('Accept-Encoding');
        res.set({ 'Cache-Control': cacheControl, ETag: found.etag });
        if (ifNoneMatchHits(req.get('if-none-match'), found.etag)) {
          res.status(304).end();
          return;
        }
        res.type(ext).set({ 'Content-Encoding': coding, 'Content-Length': String(found.bytes.length) });
        res.end(req.method === 'HEAD' ? undefined : found.bytes);
      },
      (error: unknown) => next(error),
    );
  };
}
