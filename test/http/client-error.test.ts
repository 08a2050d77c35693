// Every refusal is the API's JSON error body (issue 14 item 3): requests Node's HTTP parser
// rejects (bad request line, header overflow, invalid header characters, a target without a
// leading slash) over raw sockets; YAML alias bombs and non-JSON tags in a simulate body are 400s
// naming the problem; an error no route anticipated is a 500 with the JSON body, logged once.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;
beforeAll(async () => {
  app = await startSeededApp();
});
afterAll(async () => {
  await app.close();
});

function port(base: string): number {
  return Number(new URL(base).port);
}

/** Writes `bytes` on a fresh connection and reads until the server closes it. */
function exchange(base: string, bytes: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(base), '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const type = /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1] ?? '';
      resolve({ status, type, body });
    });
  });
}

function code(body: string): string | undefined {
  return (JSON.parse(body) as { error?: { code?: string; message?: string } }).error?.code;
}

describe('requests the HTTP parser refuses', () => {
  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'bad_request'],
    ['an invalid method', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['a target without a leading slash', 'GET %2Fhealthz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['a space in a header name', 'GET /healthz HTTP/1.1\r\nHo st: x\r\n\r\n', 400, 'bad_request'],
    ['an unknown HTTP version', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    [
      'headers past maxHeaderSize',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
  ])('%s → %i with the JSON error body', async (_name, bytes, status, errorCode) => {
    const res = await exchange(app.base, bytes);
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/json');
    expect(code(res.body)).toBe(errorCode);
  });

  it('a well-formed request on the same server still answers', async () => {
    const res = await exchange(app.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
  });
});

describe('POST /api/v1/simulate with hostile YAML', () => {
  const post = (body: string) =>
    fetch(`${app.base}/api/v1/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body,
    });

  it('an alias bomb is a 400 naming the aliases, not a 500', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const res = await post(`${lines.join('\n')}\nkind: NetworkPolicy\n`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.message).toMatch(/alias/);
  });

  it.each([
    [
      '!!binary',
      'kind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  podSelector: {}\nextra: !!binary aGVsbG8=\n',
      'tag:yaml.org,2002:binary',
    ],
    ['!!set', 'kind: NetworkPolicy\nmetadata: !!set {name, namespace}\n', 'tag:yaml.org,2002:set'],
    [
      '!!timestamp',
      'kind: NetworkPolicy\nmetadata: {name: a, namespace: b, creationTimestamp: !!timestamp 2001-12-14}\n',
      'timestamp',
    ],
    ['a local tag', 'kind: !Policy NetworkPolicy\n', '!Policy'],
  ])('%s is a 400 naming the tag and line', async (_name, yaml, tag) => {
    const res = await post(yaml);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.message).toContain(tag);
    expect(body.error.message).toMatch(/line \d+/);
  });
});

describe('an error no route anticipated', () => {
  it('is a 500 with the JSON error body, no stack trace, logged exactly once', async () => {
    const registry = new Registry();
    // A metric whose collection fails: a real registry with a real broken probe.
    new Gauge({
      name: 'broken_probe',
      help: 'fails',
      registers: [registry],
      collect() {
        throw new Error('probe exploded at /secret/path');
      },
    });
    const logged: { obj: object; msg?: string }[] = [];
    const server = buildApp({
      ...app.deps,
      registry,
      logger: {
        error: (obj, msg) => {
          logged.push({ obj, ...(msg !== undefined ? { msg } : {}) });
        },
      },
    }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(text).not.toContain('exploded');
      expect(logged).toHaveLength(1);
      expect(logged[0]?.msg).toBe('request failed');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
