// What each route accepts and returns, as data: the routes validate with these zod schemas and the
// OpenAPI document (openapi.ts) is generated from the same schemas, so the two cannot drift.
import { z } from 'zod';
import { errorBody } from '../api/common.js';

export interface ApiResponse {
  readonly description: string;
  /** Default application/json. */
  readonly contentType?: string;
  readonly schema?: z.ZodType;
}

export interface ApiOperation {
  readonly method: 'get' | 'post' | 'delete';
  /** OpenAPI path: parameters as `{name}` (express registers them as `:name`). */
  readonly path: string;
  /** Parameters in the path, validated like the query (strings in). */
  readonly pathParams?: z.ZodObject;
  readonly summary: string;
  /** Probes are anonymous; everything else needs the bearer token outside demo mode. */
  readonly anonymous?: boolean;
  readonly query?: z.ZodObject;
  readonly requestBody?: {
    readonly contentTypes: readonly string[];
    readonly schema: z.ZodType;
    readonly description: string;
  };
  readonly responses: Readonly<Record<string, ApiResponse>>;
}

/** The error responses every authenticated route may give. */
export const ERROR_RESPONSES: Readonly<Record<string, ApiResponse>> = {
  '400': { description: 'invalid parameter or body (the message names it)', schema: errorBody },
  '401': { description: 'missing or invalid bearer token', schema: errorBody },
  '403': { description: 'the token is valid but not authorised (auth.mode kubernetes)', schema: errorBody },
};

/** An opaque cursor: base64url of a key, bounded. */
export const cursorParam = z
  .string()
  .min(1)
  .max(400, 'is not a cursor from this server')
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor from this server');
