// The dashboard's hashed assets go out compressed when the client takes it (issue 22 item 4: the
// bundle is most of a first paint): the real app on loopback over a built-looking web folder,
// raw HTTP so the bytes on the wire are seen. br or gzip as Accept-Encoding asks, decoding to the
// file exactly, immutable caching and Vary kept, 304 on the variant's ETag; identity without the
// header, and nothing compressed outside /assets/ or for a file that is not there.
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const BUNDLE = Array.from({ length: 2000 }, (_, i) => `export const v${i} = "value ${i % 97}";`).join('\n');
let webDir: string;
let app: SeededApp;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'npa-web-compressed-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(webDir, 'assets', 'index-AbC123.js'), BUNDLE);
  app = await startSeededApp({ webDir });
});
afterAll(async () => {
  await app.close();
  rmSync(webDir, { recursive: true, force: true });
});

function get(
  route: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${app.base}${route}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

describe('compressed dashboard assets', () => {
  it('sends brotli or gzip as asked, decoding to the file, cached as immutable', async () => {
    const br = await get('/assets/index-AbC123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.body.length).toBeLessThan(BUNDLE.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(BUNDLE);

    const gz = await get('/assets/index-AbC123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(BUNDLE);

    const again = await get('/assets/index-AbC123.js', {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers['etag']),
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('sends the file as it is without Accept-Encoding, and never compresses what is not an asset', async () => {
    const plain = await get('/assets/index-AbC123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BUNDLE);

    const refused = await get('/assets/index-AbC123.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();

    const missing = await get('/assets/index-missing.js', { 'accept-encoding': 'br' });
    expect(missing.status).toBe(404);
    const escape = await get('/assets/..', { 'accept-encoding': 'br' });
    expect(escape.headers['content-encoding']).toBeUndefined();
  });
});
