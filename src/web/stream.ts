// The live stream client: a WebSocket to /api/v1/stream with reconnect and backoff. Messages are
// parsed defensively and handed to the page as plain objects; `onState` drives the status pill.
import { getToken } from './api.js';
import { obj, str, type JsonObject } from './json.js';

export type StreamState = 'connecting' | 'live' | 'offline';

export interface StreamHandlers {
  readonly onEvent: (event: JsonObject) => void;
  readonly onState: (state: StreamState) => void;
}

/** Messages larger than this are ignored (the server bounds them far lower). */
const MAX_MESSAGE_CHARS = 1_000_000;

export function streamUrl(): string {
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${window.location.host}/api/v1/stream`;
}

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Opens the stream; returns the function that closes it for good. */
export function openStream(handlers: StreamHandlers): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let retryMs = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = (): void => {
    handlers.onState('connecting');
    const token = getToken();
    // Browsers cannot set headers on a WebSocket: the token travels as the subprotocol
    // `bearer.<base64url token>` next to `netpol-advisor` (src/http/stream.ts).
    socket = new WebSocket(
      streamUrl(),
      token === undefined ? ['netpol-advisor'] : ['netpol-advisor', `bearer.${base64url(token)}`],
    );
    socket.addEventListener('open', () => {
      retryMs = 1000;
      handlers.onState('live');
    });
    socket.addEventListener('message', (message: MessageEvent<unknown>) => {
      if (typeof message.data !== 'string' || message.data.length > MAX_MESSAGE_CHARS) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = obj(parsed);
      if (str(event['type']) !== '') handlers.onEvent(event);
    });
    socket.addEventListener('close', () => {
      if (closed) return;
      handlers.onState('offline');
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
  };
  connect();
  return () => {
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    socket?.close();
  };
}
