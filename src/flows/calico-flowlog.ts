import { reject } from './flow.js';
import type { ParseResult } from './flow.js';
export function parseCalicoFlowLogLine(_line: string): ParseResult {
  return reject('unsupported_event', 'calico flow log parser not yet implemented');
}
