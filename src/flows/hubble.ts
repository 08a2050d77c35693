import { reject } from './flow.js';
import type { ParseResult } from './flow.js';
export function parseHubbleLine(_line: string): ParseResult {
  return reject('unsupported_event', 'hubble parser not yet implemented');
}
