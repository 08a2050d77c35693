// A field-level rejection raised deep inside a parser's normalization and turned back into a
// ParseResult at the parser's boundary (so nested helpers need not thread results by hand).
// Only ever thrown for bad input, never escapes a parser.
import type { RejectReason } from './flow.js';

export class Invalid extends Error {
  constructor(
    readonly reason: Extract<
      RejectReason,
      'invalid_field' | 'missing_field' | 'unknown_enum' | 'unsupported_event'
    >,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'Invalid';
  }
}

/** Unwraps a helper's value, throwing its Invalid. */
export function check<T>(value: T | Invalid): T {
  if (value instanceof Invalid) throw value;
  return value;
}
