// GET /api/v1/stream: the live WebSocket (ws, noServer on the HTTP server's `upgrade` event).
// Every event on the bus (edge, blocked, alert, batch) is sent as one JSON text message, filtered
// by an optional ?namespace=. Authenticated exactly like the API before the upgrade: the
// Authorization header, or for browsers (which cannot set headers on a WebSocket) the
// subprotocol `bearer.<base64url token>` offered next to `netpol-advisor`. A cross-site Origin is
// refused (no CORS). Heartbeats: every heartbeatMs a ping; a client that did not pong since the
// last one is terminated. Bounded per client: when its unsent bytes pass maxBufferedBytes it is
// closed with 1013 (and terminated if it does not go) — never unbounded growth.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticator, bearerToken, type ApiAuth } from './auth.js';
import { ERROR_STATUS } from './errors.js';
import type { EventBus, StreamEvent } from './event-bus.js';
import { STREAM_PATH } from './openapi.js';

export const STREAM_PROTOCOL = 'netpol-advisor';
const BEARER_PROTOCOL_PREFIX = 'bearer.';

export interface StreamOptions {
  readonly bus: EventBus;
  readonly auth: ApiAuth;
  readonly heartbeatMs?: number;
  readonly maxBufferedBytes?: number;
  readonly maxClients?: number;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

export interface Stream {
  readonly clients: number;
  /** Slow clients closed so far (for metrics and tests). */
  readonly slowClientsDropped: number;
  /** One heartbeat round (the timer calls it; tests call it directly). */
  heartbeat(): void;
  close(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({
    error: {
      code: status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'invalid_parameter',
      message,
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 503 ? 'Service Unavailable' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${status === 401 ? 'WWW-Authenticate: Bearer realm="netpol-advisor"\r\n' : ''}\r\n${body}`,
  );
}

function tokenOf(req: IncomingMessage): string | undefined {
  const header = bearerToken(req.headers.authorization);
  if (header !== undefined) return header;
  for (const protocol of (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())) {
    if (protocol.startsWith(BEARER_PROTOCOL_PREFIX)) {
      const token = Buffer.from(protocol.slice(BEARER_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
      if (token.length > 0 && token.length <= 4096 && !/\s/.test(token)) return token;
    }
  }
  return undefined;
}

/** Same-origin only: a browser on another site must not ride the user's loopback access. */
function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function namespaceOf(event: StreamEvent): string[] | undefined {
  if (event.type === 'edge' || event.type === 'blocked')
    return [event.edge.source.namespace ?? '', event.edge.destination.namespace ?? ''];
  if (event.type === 'would-drop') return [event.wouldDrop.namespace];
  return undefined;
}

export function attachStream(server: Server, options: StreamOptions): Stream {
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const maxClients = options.maxClients ?? 200;
  const authenticate = authenticator(options.auth);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    clientTracking: true,
    handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();
  let slowClientsDropped = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== STREAM_PATH) {
      // Not ours: leave other upgrade listeners a chance, else refuse.
      if (server.listenerCount('upgrade') <= 1) rejectUpgrade(socket, 400, 'no WebSocket at this path');
      return;
    }
    socket.on('error', () => socket.destroy());
    if (!isSameOrigin(req)) return rejectUpgrade(socket, 403, 'cross-origin WebSocket refused');
    const namespace = url.searchParams.get('namespace');
    if (namespace !== null && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
      return rejectUpgrade(socket, 400, 'namespace: must be a namespace name (DNS-1123 label)');
    if (wss.clients.size >= maxClients) return rejectUpgrade(socket, 503, 'too many stream clients');
    authenticate(tokenOf(req)).then(
      (error) => {
        if (error !== undefined) return rejectUpgrade(socket, ERROR_STATUS[error.code], error.message);
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, namespace));
      },
      () => rejectUpgrade(socket, 503, 'cannot verify the token now'),
    );
  };

  const onConnection = (ws: WebSocket, namespace: string | null): void => {
    alive.add(ws);
    let dropping = false;
    const unsubscribe = options.bus.subscribe((event) => {
      if (dropping || ws.readyState !== ws.OPEN) return;
      if (namespace !== null) {
        const namespaces = namespaceOf(event);
        if (namespaces !== undefined && !namespaces.includes(namespace)) return;
      }
      if (ws.bufferedAmount > maxBufferedBytes) {
        dropping = true;
        slowClientsDropped++;
        options.logger?.warn({ bufferedBytes: ws.bufferedAmount }, 'stream client too slow; closing it');
        ws.close(1013, 'client too slow');
        setTimeout(() => ws.terminate(), 1000).unref();
        return;
      }
      ws.send(JSON.stringify(event));
    });
    if (unsubscribe === undefined) {
      ws.close(1013, 'too many subscribers');
      return;
    }
    ws.on('pong', () => alive.add(ws));
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    // Clients only listen; anything they send is ignored (maxPayload bounds it).
    ws.send(JSON.stringify({ type: 'hello', heartbeatMs, namespace }));
  };

  const heartbeat = (): void => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  };
  const timer = setInterval(heartbeat, heartbeatMs);
  timer.unref();
  server.on('upgrade', onUpgrade);

  return {
    get clients() {
      return wss.clients.size;
    },
    get slowClientsDropped() {
      return slowClientsDropped;
    },
    heartbeat,
    close: () => {
      clearInterval(timer);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
