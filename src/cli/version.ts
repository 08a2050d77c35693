// The version `netpol-advisor --version` prints: package.json's, read next to the code (src/ and
// dist/ are both two levels below the package root), so it cannot drift from the package.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}
