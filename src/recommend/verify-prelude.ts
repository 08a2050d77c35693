// The shell functions at the top of verify.sh. Each check runs from a probe that certainly has nc
// and nslookup: an ephemeral debug container in the source pod (same network namespace, so the
// pod's own policies apply), or, where ephemeral containers are unavailable, a short-lived probe
// pod with the source workload's labels in its namespace, deleted afterwards. The probe prints a
// marker line with the tool's exit status; no marker (kubectl, RBAC, image pull, a missing tool)
// means the check could not run, which is reported with its reason and fails the script: only
// "connected" and "refused or timed out" are results. Values reach the probe as positional
// arguments of a fixed `sh -c` script, never spliced into it.

export const PROBE_IMAGE = 'busybox:1.36.1';

export function verifyPrelude(staged: boolean): string {
  const stagedNote = staged
    ? `# STAGED: these policies were emitted as Calico Staged* objects, which are not enforced. Until they
# are promoted, every "deny" check is EXPECTED TO CONNECT (it is checked as such); after promoting,
# run with PROMOTED=1 to check the denies.
`
    : '';
  return `#!/bin/sh
# Connectivity checks for the policies proposed by netpol-advisor.
# Run after applying them: each "allow" check must connect, each "deny" check must be refused or
# time out. A check that cannot run (no probe, no permission, no running pod) fails the script
# with the reason: it is never counted as a pass.
${stagedNote}# Needs kubectl access; the probes run PROBE_IMAGE (pinned: busybox has nc and nslookup).
set -u
PROBE_IMAGE="\${PROBE_IMAGE:-${PROBE_IMAGE}}"
# auto: ephemeral debug containers, falling back to probe pods where they are not available.
PROBE_MODE="\${PROBE_MODE:-auto}"
TIMEOUT="\${TIMEOUT:-3}"
# Empty: read from the source pod's /etc/resolv.conf (the kubelet's --cluster-domain).
CLUSTER_DOMAIN="\${CLUSTER_DOMAIN:-}"
STAGED=${staged ? 1 : 0}
PROMOTED="\${PROMOTED:-0}"
passed=0; failures=0; errors=0; probes=0

TCP_PROBE='nc -z -w "$1" "$2" "$3" </dev/null >/dev/null 2>&1; echo "netpol-probe-rc=$?"'
DNS_PROBE='d="$1"; if [ -z "$d" ]; then d="$(sed -n "s/^search.* svc\\.\\([^ ]*\\).*$/\\1/p" "\${NETPOL_RESOLV_CONF:-/etc/resolv.conf}" | head -n 1)"; fi; if [ -z "$d" ]; then echo "netpol-probe-error=no cluster domain in /etc/resolv.conf (set CLUSTER_DOMAIN)"; exit 0; fi; nslookup "kubernetes.default.svc.$d" >/dev/null 2>&1; echo "netpol-probe-rc=$?"'

clean() { # one line, no control characters, bounded: kubectl output is not ours
  printf '%s' "$1" | tr -d '\\000-\\010\\013-\\037\\177' | tr '\\n' ' ' | cut -c 1-300
}

first_pod() { # namespace selector
  kubectl get pod -n "$1" -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}'
}

pod_ip() { # namespace selector
  kubectl get pod -n "$1" -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].status.podIP}'
}

# probe NS POD SELECTOR SCRIPT ARGS… → sets outcome (connected|blocked|error) and reason
probe() {
  ns="$1"; pod="$2"; selector="$3"; script="$4"; shift 4
  probes=$((probes + 1))
  name="netpol-probe-$$-$probes"
  out=""
  if [ "$PROBE_MODE" != pod ]; then
    out="$(kubectl debug -n "$ns" "$pod" --image="$PROBE_IMAGE" --profile=general -c "$name" -i --quiet -- sh -c "$script" netpol-probe "$@" 2>&1)"
    if [ "$PROBE_MODE" = auto ] && ! printf '%s\\n' "$out" | grep -q '^netpol-probe-' && printf '%s' "$out" | grep -qi 'ephemeral'; then
      echo "note  ephemeral containers are not available ($(clean "$out")); using probe pods from here on"
      PROBE_MODE=pod
    fi
  fi
  if [ "$PROBE_MODE" = pod ]; then
    out="$(kubectl run "$name" -n "$ns" --image="$PROBE_IMAGE" --labels="$selector" --restart=Never --rm -i --quiet --command -- sh -c "$script" netpol-probe "$@" 2>&1)"
    kubectl delete pod -n "$ns" "$name" --ignore-not-found --wait=false >/dev/null 2>&1
  fi
  probe_error="$(printf '%s\\n' "$out" | sed -n 's/^netpol-probe-error=//p' | tail -n 1)"
  rc="$(printf '%s\\n' "$out" | sed -n 's/^netpol-probe-rc=\\([0-9][0-9]*\\)$/\\1/p' | tail -n 1)"
  if [ -n "$probe_error" ]; then outcome=error; reason="$(clean "$probe_error")"
  elif [ -z "$rc" ]; then outcome=error; reason="the probe did not run: $(clean "\${out:-no output from kubectl}")"
  elif [ "$rc" = 126 ] || [ "$rc" = 127 ]; then outcome=error; reason="the probe image $PROBE_IMAGE lacks the tool (exit $rc)"
  elif [ "$rc" = 0 ]; then outcome=connected; reason=""
  else outcome=blocked; reason=""
  fi
}

# check EXPECT DESCRIPTION dns NS SELECTOR
# check EXPECT DESCRIPTION tcp NS SELECTOR ip ADDRESS PORT
# check EXPECT DESCRIPTION tcp NS SELECTOR pod NS SELECTOR PORT
check() {
  expect="$1"; description="$2"; mode="$3"; ns="$4"; selector="$5"; shift 5
  if [ "$expect" = deny ] && [ "$STAGED" = 1 ] && [ "$PROMOTED" != 1 ]; then
    expect=allow; description="$description (staged: connects until promoted)"
  fi
  pod="$(first_pod "$ns" "$selector" 2>&1)" || pod=""
  case "$pod" in *[!a-z0-9.-]*|"") error "$description" "no running pod for $selector in $ns"; return ;; esac
  if [ "$mode" = dns ]; then
    probe "$ns" "$pod" "$selector" "$DNS_PROBE" "$CLUSTER_DOMAIN"
  elif [ "$1" = ip ]; then
    probe "$ns" "$pod" "$selector" "$TCP_PROBE" "$TIMEOUT" "$2" "$3"
  else
    address="$(pod_ip "$2" "$3" 2>&1)" || address=""
    case "$address" in *[!0-9a-fA-F.:]*|"") error "$description" "no running target pod for $3 in $2"; return ;; esac
    probe "$ns" "$pod" "$selector" "$TCP_PROBE" "$TIMEOUT" "$address" "$4"
  fi
  if [ "$outcome" = error ]; then error "$description" "$reason"; return; fi
  if [ "$outcome" = connected ]; then got=allow; shown="connected"; else got=deny; shown="refused or timed out"; fi
  if [ "$got" = "$expect" ]; then echo "ok    $expect  $description ($shown)"; passed=$((passed + 1))
  else echo "FAIL  expected $expect, $shown: $description"; failures=$((failures + 1)); fi
}

error() { # description reason
  echo "ERROR could not run: $1: $2"; errors=$((errors + 1))
}
`;
}

export const VERIFY_SUMMARY = `echo "$passed passed, $failures failed, $errors could not run"
if [ "$failures" -gt 0 ]; then exit 1; fi
if [ "$errors" -gt 0 ]; then echo "some checks could not run: nothing was proven about them"; exit 2; fi
echo "all checks passed"
`;
