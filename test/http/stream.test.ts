// The WebSocket stream on the real app and store: authentication like the API (header or the
// browser subprotocol), an edge and a blocked event after a real batch, the namespace filter,
// heartbeats (a client that stops answering pings is terminated) and the bounded per-client buffer
// (a client that stops reading is closed once its unsent bytes pass the bound).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parserFor } from '../../src/flows/parsers.js';
import { attachStream, STREAM_PROTOCOL, type Stream } from '../../src/http/stream.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const TOKEN = 'stream-token-0123456789';
let app: SeededApp;
let stream: Stream;
let wsBase: string;

beforeAll(async () => {
  app = await startSeededApp({ auth: { mode: 'token', token: TOKEN } });
  stream = attachStream(app.server, {
    bus: app.bus,
    auth: app.deps.auth,
    heartbeatMs: 3_600_000,
    maxBufferedBytes: 64 * 1024,
  });
  wsBase = app.base.replace('http://', 'ws://');
});
afterAll(async () => {
  await stream.close();
  await app.close();
});

interface Message {
  type: string;
  edge?: { verdict: string; source: { namespace?: string }; destination: { namespace?: string } };
}

function open(
  path: string,
  options: WebSocket.ClientOptions = {},
  protocols: string[] = [STREAM_PROTOCOL],
): WebSocket {
  return new WebSocket(`${wsBase}${path}`, protocols, options);
}

function collect(ws: WebSocket): { messages: Message[]; next: (type: string) => Promise<Message> } {
  const messages: Message[] = [];
  const waiters: { type: string; resolve: (m: Message) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as Message;
    messages.push(message);
    for (const w of waiters.filter((x) => x.type === message.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(message);
    }
  });
  return {
    messages,
    next: (type) => {
      const seen = messages.find((m) => m.type === type);
      return seen !== undefined
        ? Promise.resolve(seen)
        : new Promise((resolve) => waiters.push({ type, resolve }));
    },
  };
}

function statusOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('open', () => reject(new Error('connected')));
    ws.once('error', () => undefined);
  });
}

function hubbleLine(verdict: 'FORWARDED' | 'DROPPED', port: number): string {
  return JSON.stringify({
    flow: {
      time: '2026-01-01T00:00:00Z',
      verdict,
      ...(verdict === 'DROPPED' ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000, destination_port: port, flags: { SYN: true } } },
      source: {
        namespace: 'shop',
        pod_name: 'web-7d4b9c6f5d-abcde',
        labels: ['k8s:app=web'],
        workloads: [{ name: 'web', kind: 'Deployment' }],
      },
      destination: {
        namespace: 'data',
        pod_name: 'postgres-0',
        labels: ['k8s:app=postgres'],
        workloads: [{ name: 'postgres', kind: 'StatefulSet' }],
      },
      traffic_direction: 'EGRESS',
      Type: 'L3_L4',
      is_reply: false,
    },
  });
}

describe('GET /api/v1/stream', () => {
  it('refuses a missing or wrong token, and a cross-site origin', async () => {
    expect(await statusOf(open('/api/v1/stream'))).toBe(401);
    expect(
      await statusOf(open('/api/v1/stream', { headers: { authorization: 'Bearer nope-nope-nope-nope' } })),
    ).toBe(401);
    expect(
      await statusOf(
        open('/api/v1/stream', {
          headers: { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' },
        }),
      ),
    ).toBe(403);
    expect(
      await statusOf(
        open('/api/v1/stream?namespace=Bad_NS', { headers: { authorization: `Bearer ${TOKEN}` } }),
      ),
    ).toBe(400);
  });

  it('pushes edge and blocked events after a batch is written (token as a browser subprotocol)', async () => {
    const ws = open('/api/v1/stream', {}, [
      STREAM_PROTOCOL,
      `bearer.${Buffer.from(TOKEN).toString('base64url')}`,
    ]);
    const inbox = collect(ws);
    await inbox.next('hello');
    expect(ws.protocol).toBe(STREAM_PROTOCOL);
    const parse = parserFor('hubble');
    app.writer.add(parse(hubbleLine('FORWARDED', 5432)));
    app.writer.add(parse(hubbleLine('DROPPED', 6379)));
    app.writer.flush();
    const blocked = await inbox.next('blocked');
    expect(blocked.edge).toMatchObject({
      verdict: 'dropped',
      source: { namespace: 'shop' },
      destination: { namespace: 'data' },
    });
    expect((await inbox.next('edge')).edge?.verdict).toBe('forwarded');
    expect(await inbox.next('batch')).toMatchObject({ edges: 2, omitted: 0 });
    ws.close();
  });

  it('filters by namespace', async () => {
    const ws = open('/api/v1/stream?namespace=kube-system', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const inbox = collect(ws);
    await inbox.next('hello');
    app.writer.add(parserFor('hubble')(hubbleLine('FORWARDED', 8080)));
    app.writer.flush();
    await inbox.next('batch');
    expect(inbox.messages.filter((m) => m.type === 'edge')).toEqual([]);
    ws.close();
  });

  it('heartbeat: a client that answers pings stays, one that stopped answering is terminated', async () => {
    const good = open('/api/v1/stream', { headers: { authorization: `Bearer ${TOKEN}` } });
    const dead = open('/api/v1/stream', { headers: { authorization: `Bearer ${TOKEN}` }, autoPong: false });
    await Promise.all([collect(good).next('hello'), collect(dead).next('hello')]);
    const goodPong = new Promise((resolve) => good.once('ping', resolve));
    stream.heartbeat(); // ping both
    await goodPong;
    await new Promise((resolve) => setImmediate(resolve));
    await expect.poll(() => stream.clients).toBe(2);
    const closed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the good client's pong arrive
    stream.heartbeat(); // the dead one did not pong: terminated
    expect(await closed).toBe(1006);
    expect(good.readyState).toBe(WebSocket.OPEN);
    good.close();
  });

  it('a client that stops reading is closed once its buffer passes the bound', async () => {
    const slow = open('/api/v1/stream', { headers: { authorization: `Bearer ${TOKEN}` } });
    await collect(slow).next('hello');
    const socket = (slow as unknown as { _socket: { pause(): void } })._socket;
    socket.pause();
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    const before = stream.slowClientsDropped;
    const big = { type: 'batch' as const, edges: 0, omitted: 0, padding: 'x'.repeat(16 * 1024) };
    for (let i = 0; i < 2000 && stream.slowClientsDropped === before; i++) {
      app.bus.publish(big);
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stream.slowClientsDropped).toBe(before + 1);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
    await expect.poll(() => stream.clients).toBe(0);
  });
});
