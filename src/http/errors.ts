// The one registry of API error codes and the one place errors become responses:
// `{"error": {"code", "message"}}` with the registry's status. Nothing else writes an error body,
// and no stack trace or library message of a 5xx leaves the process (it goes to the log).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DatabaseCorruptError } from '../store/store-errors.js';

export const ERROR_STATUS = {
  invalid_parameter: 400,
  invalid_body: 400,
  /** The HTTP parser refused the request (client-error.ts). */
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  /** The asked scope is too large to compute or send whole (the message says how to narrow it). */
  scope_too_large: 422,
  unsupported_media_type: 415,
  headers_too_large: 431,
  internal: 500,
  not_ready: 503,
  /** The analysis behind the view needed more than the worker's heap (limits.analysisHeapMb). */
  analysis_out_of_memory: 503,
  /** The database is damaged (store-errors.ts): nothing is served from or written to it. */
  database_corrupt: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** body-parser's errors carry `type` and `status`; map the ones a client can cause. */
function fromBodyParser(error: unknown): HttpError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch (error.type) {
    case 'entity.too.large':
      return new HttpError('payload_too_large', 'request body too large');
    case 'entity.parse.failed':
      return new HttpError('invalid_body', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('unsupported_media_type', 'unsupported body encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpError('invalid_body', 'request body could not be read');
    default:
      return undefined;
  }
}

/** The daemon logs the damage once, naming the file and how to recover; the client gets a fixed message. */
export function corruptDatabase(): HttpError {
  return new HttpError(
    'database_corrupt',
    'the flow database is damaged; the server neither reads nor writes it (see /readyz and the server log)',
  );
}

export function sendError(res: Parameters<RequestHandler>[1], error: HttpError): void {
  res.status(error.status).json({ error: { code: error.code, message: error.message } });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError('not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
};

export function errorHandler(logger?: ErrorLogger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Too late for an error body: log it once here and cut the response short (express's
      // fallback handler would print the stack to stderr as well).
      logger?.error(
        { err: error, method: req.method, path: req.path.slice(0, 200) },
        'request failed after its response started',
      );
      res.destroy();
      return;
    }
    const known =
      error instanceof HttpError
        ? error
        : error instanceof DatabaseCorruptError
          ? corruptDatabase()
          : fromBodyParser(error);
    if (known !== undefined) {
      sendError(res, known);
      return;
    }
    logger?.error({ err: error, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    sendError(res, new HttpError('internal', 'internal error'));
  };
}
