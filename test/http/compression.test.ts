// Large rendered bodies go out compressed by Accept-Encoding (br preferred, then gzip), each
// coding under its own ETag and with Vary; small bodies and clients that accept no coding get
// the bytes as they are. Raw node:http requests: fetch would decode behind our back.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESS_MIN_BYTES } from '../../src/http/rendered-body.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;

beforeAll(async () => {
  app = await startSeededApp();
});
afterAll(async () => {
  await app.close();
});

function raw(
  route: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(app.base + route, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const LARGE = '/api/v1/recommendations?namespace=shop';

describe('response compression', () => {
  it('compresses a large body with br or gzip as accepted, to the same JSON, each under its own ETag', async () => {
    const plain = await raw(LARGE, {});
    expect(plain.status).toBe(200);
    expect(plain.body.length).toBeGreaterThanOrEqual(COMPRESS_MIN_BYTES);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toBe('Accept-Encoding');
    const br = await raw(LARGE, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await raw(LARGE, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const tags = new Set([plain.headers['etag'], br.headers['etag'], gz.headers['etag']]);
    expect(tags.size).toBe(3);
    const again = await raw(LARGE, { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('sends a small body as it is', async () => {
    const small = await raw('/api/v1/flows?namespace=shop&limit=1', { 'accept-encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.body.length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
