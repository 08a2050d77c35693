// verify.sh: the connectivity tests as `check` lines over the probe functions of verify-prelude.ts.
// Every value from the cluster (names, namespaces, label values) is attacker-controlled, so each
// one is single-quoted for the shell and passed to kubectl and the probe as separate arguments,
// never interpolated into a `sh -c` string.
import type { ConnectivityTest, NamespaceRecommendation } from './proposal.js';
import { verifyPrelude, VERIFY_SUMMARY } from './verify-prelude.js';

/** POSIX shell single quoting: 'it'\''s' — safe for any byte string. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function selectorArg(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

function testLine(test: ConnectivityTest): string {
  const from = `${shellQuote(test.from.namespace)} ${shellQuote(selectorArg(test.from.selector))}`;
  const description = shellQuote(oneLine(test.description));
  if (test.to.kind === 'dns') return `check ${test.expect} ${description} dns ${from}`;
  if (test.to.kind === 'ip')
    return `check ${test.expect} ${description} tcp ${from} ip ${shellQuote(test.to.ip)} ${shellQuote(String(test.port))}`;
  return `check ${test.expect} ${description} tcp ${from} pod ${shellQuote(test.to.namespace)} ${shellQuote(selectorArg(test.to.selector))} ${shellQuote(String(test.port))}`;
}

export interface VerifyScriptOptions {
  /** The policies are Calico Staged* objects: deny checks are expected to connect until promoted. */
  readonly staged?: boolean;
}

export function verifyScript(
  namespaces: readonly NamespaceRecommendation[],
  options: VerifyScriptOptions = {},
): string {
  const lines = [verifyPrelude(options.staged === true)];
  for (const ns of namespaces) {
    lines.push(`# namespace ${oneLine(ns.namespace)}`);
    for (const test of ns.tests) lines.push(testLine(test));
    lines.push('');
  }
  lines.push(VERIFY_SUMMARY);
  return lines.join('\n');
}
