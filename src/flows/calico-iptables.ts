import { reject } from './flow.js';
import type { LineParser } from './flow.js';
export interface CalicoIptablesOptions {
  readonly year?: number;
}
export function calicoIptablesParser(_options: CalicoIptablesOptions = {}): LineParser {
  return () => reject('unsupported_event', 'calico iptables parser not yet implemented');
}
