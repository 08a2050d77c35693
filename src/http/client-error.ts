// Requests Node's HTTP parser refuses before express sees them (a malformed request line, headers
// past maxHeaderSize, invalid header characters, a request that timed out) get the API's JSON
// error body too, instead of Node's bare `400 Bad Request` with no body. Nothing is logged per
// request (a client can send these at will); they are counted for the caller's metric.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_STATUS, type ErrorCode } from './errors.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The error code and message for a parser error (llhttp's `HPE_*` codes, Node's own). */
export function clientErrorOf(error: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', message: 'request headers too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'request not received in time' };
    case 'HPE_INVALID_METHOD':
      return { code: 'bad_request', message: 'malformed request: invalid method' };
    case 'HPE_INVALID_URL':
      return { code: 'bad_request', message: 'malformed request: invalid request target' };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
      return { code: 'bad_request', message: 'malformed request line or header' };
    default:
      return { code: 'bad_request', message: 'malformed HTTP request' };
  }
}

function responseHead(socket: Duplex): { headersSent?: boolean } | undefined {
  // Node keeps the response being written on the socket; once its head is out, no error body fits.
  const message = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return message ?? undefined;
}

export interface ClientErrorOptions {
  /** Called once per refused request (a metric). */
  readonly onRefused?: (code: ErrorCode) => void;
}

export function answerClientErrors(server: Server, options: ClientErrorOptions = {}): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || responseHead(socket)?.headersSent === true) {
      socket.destroy();
      return;
    }
    const { code, message } = clientErrorOf(error);
    const status = ERROR_STATUS[code];
    options.onRefused?.(code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
