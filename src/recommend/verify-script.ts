// verify.sh: the connectivity tests as kubectl exec commands. Every value from the cluster (names,
// namespaces, label values) is attacker-controlled, so each one is single-quoted for the shell and
// passed to kubectl/nc as separate arguments, never interpolated into a `sh -c` string.
import type { ConnectivityTest, NamespaceRecommendation } from './proposal.js';

/** POSIX shell single quoting: 'it'\''s' — safe for any byte string. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function selectorArg(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

function testLine(test: ConnectivityTest): string {
  const from = `${shellQuote(test.from.namespace)} ${shellQuote(selectorArg(test.from.selector))}`;
  const description = shellQuote(oneLine(test.description));
  if (test.to.kind === 'dns') return `check ${test.expect} ${description} dns ${from}`;
  if (test.to.kind === 'ip') return `check ${test.expect} ${description} tcp ${from} ip ${shellQuote(test.to.ip)} ${shellQuote(String(test.port))}`;
  return `check ${test.expect} ${description} tcp ${from} pod ${shellQuote(test.to.namespace)} ${shellQuote(selectorArg(test.to.selector))} ${shellQuote(String(test.port))}`;
}

const PRELUDE = `#!/bin/sh
# Connectivity checks for the NetworkPolicies proposed by netpol-advisor.
# Run after applying them: each "allow" check must connect, each "deny" check must fail.
# Needs kubectl access and, in the source pods, nc (netcat) for TCP and nslookup for DNS.
set -u
TIMEOUT="\${TIMEOUT:-3}"
failures=0

first_pod() { # namespace selector
  kubectl get pod -n "$1" -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}'
}

pod_ip() { # namespace selector
  kubectl get pod -n "$1" -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].status.podIP}'
}

# check EXPECT DESCRIPTION dns NS SELECTOR
# check EXPECT DESCRIPTION tcp NS SELECTOR ip ADDRESS PORT
# check EXPECT DESCRIPTION tcp NS SELECTOR pod NS SELECTOR PORT
check() {
  expect="$1"; description="$2"; mode="$3"; ns="$4"; selector="$5"; shift 5
  pod="$(first_pod "$ns" "$selector")"
  if [ -z "$pod" ]; then echo "SKIP  $description (no running pod for $selector in $ns)"; return; fi
  if [ "$mode" = dns ]; then
    set -- nslookup kubernetes.default.svc.cluster.local
  elif [ "$1" = ip ]; then
    set -- nc -z -w "$TIMEOUT" "$2" "$3"
  else
    address="$(pod_ip "$2" "$3")"
    if [ -z "$address" ]; then echo "SKIP  $description (no running target pod)"; return; fi
    set -- nc -z -w "$TIMEOUT" "$address" "$4"
  fi
  if kubectl exec -n "$ns" "$pod" -- "$@" >/dev/null 2>&1; then got=allow; else got=deny; fi
  if [ "$got" = "$expect" ]; then echo "ok    $expect  $description"; else echo "FAIL  expected $expect, got $got: $description"; failures=$((failures + 1)); fi
}
`;

export function verifyScript(namespaces: readonly NamespaceRecommendation[]): string {
  const lines = [PRELUDE];
  for (const ns of namespaces) {
    lines.push(`# namespace ${oneLine(ns.namespace)}`);
    for (const test of ns.tests) lines.push(testLine(test));
    lines.push('');
  }
  lines.push('if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi', 'echo "all checks passed"', '');
  return lines.join('\n');
}
