// verify.sh run for real by /bin/sh against a fake `kubectl` (issue 16 point 6). The fake answers
// `get pod` like the API server and, for `debug` and `run`, executes the probe command it was
// given locally, with fake `nc`/`nslookup` that connect, are refused, time out or are missing, so
// the script's quoting, probe script and verdict parsing are all exercised. Each outcome of a
// check is simulated: connected, refused, timeout, exec failure (no marker), missing tool, no
// ephemeral containers (probe pods), no running pod; and the staged wording.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceRecommendation } from '../../src/recommend/proposal.js';
import { verifyScript } from '../../src/recommend/verify-script.js';

const FAKE_KUBECTL = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_LOG"
case "$1" in
get)
  case "$*" in
    *metadata.name*) [ "\${FAKE_NO_POD:-0}" = 1 ] || echo "fake-pod-1" ;;
    *podIP*) echo "10.9.8.7" ;;
  esac
  exit 0 ;;
debug)
  if [ "\${FAKE_EPHEMERAL:-on}" = off ]; then echo 'error: ephemeral containers are disabled for this cluster (error from server: "the server could not find the requested resource").' >&2; exit 1; fi
  if [ "\${FAKE_DEBUG:-ok}" = image-pull ]; then echo 'error: timed out waiting for the condition: container netpol-probe: ErrImagePull' >&2; exit 1; fi ;;
run)
  if [ "\${FAKE_RUN:-ok}" = forbidden ]; then echo 'Error from server (Forbidden): pods is forbidden: User "dev" cannot create resource "pods"' >&2; exit 1; fi ;;
delete) exit 0 ;;
esac
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`;

const FAKE_NC = `#!/bin/sh
printf 'nc %s\\n' "$*" >> "$FAKE_LOG"
port="$5"
case "$port" in *[!0-9]*) exit 2 ;; esac
eval "mode=\\\${FAKE_NC_$port:-\\\${FAKE_NC:-connected}}"
case "$mode" in
connected) exit 0 ;;
refused) echo "nc: can't connect to remote host: Connection refused" >&2; exit 1 ;;
timeout) echo "nc: timed out" >&2; exit 1 ;;
missing) exit 127 ;;
esac
exit 3
`;

const FAKE_NSLOOKUP = `#!/bin/sh
printf 'nslookup %s\\n' "$*" >> "$FAKE_LOG"
[ "\${FAKE_DNS:-ok}" = ok ]
`;

const NAMESPACES: NamespaceRecommendation[] = [
  {
    namespace: 'shop',
    policies: [],
    warnings: [],
    unsafe: [],
    tests: [
      {
        expect: 'allow',
        description: 'shop/api resolves names through the cluster DNS',
        from: { namespace: 'shop', selector: { app: 'api' } },
        to: { kind: 'dns' },
        protocol: 'UDP',
        port: 53,
      },
      {
        expect: 'allow',
        description: 'shop/api -> data/db:5432',
        from: { namespace: 'shop', selector: { app: 'api' } },
        to: { kind: 'pod', namespace: 'data', selector: { app: 'db' } },
        protocol: 'TCP',
        port: 5432,
      },
      {
        expect: 'deny',
        description: 'other/x -> data/db:5433 (cross-namespace, never observed)',
        from: { namespace: 'other', selector: { app: 'x' } },
        to: { kind: 'pod', namespace: 'data', selector: { app: 'db' } },
        protocol: 'TCP',
        port: 5433,
      },
      {
        expect: 'deny',
        description: 'shop/api -> 1.1.1.1:443 (outside the cluster, never observed)',
        from: { namespace: 'shop', selector: { app: 'api' } },
        to: { kind: 'ip', ip: '1.1.1.1' },
        protocol: 'TCP',
        port: 443,
      },
    ],
  } as unknown as NamespaceRecommendation,
];

describe('verify.sh against a fake kubectl', () => {
  let dir = '';
  let bin = '';
  let resolv = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-verify-'));
    bin = path.join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    for (const [name, text] of [
      ['kubectl', FAKE_KUBECTL],
      ['nc', FAKE_NC],
      ['nslookup', FAKE_NSLOOKUP],
    ] as const) {
      writeFileSync(path.join(bin, name), text);
      chmodSync(path.join(bin, name), 0o755);
    }
    resolv = path.join(dir, 'resolv.conf');
    writeFileSync(
      resolv,
      'search shop.svc.corp.example svc.corp.example corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(
    env: Record<string, string>,
    staged = false,
    namespaces = NAMESPACES,
  ): { status: number | null; stdout: string; log: string } {
    const script = path.join(dir, `verify-${Math.random().toString(36).slice(2)}.sh`);
    const log = `${script}.log`;
    writeFileSync(script, verifyScript(namespaces, { staged }));
    writeFileSync(log, '');
    const result = spawnSync('/bin/sh', [script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
        FAKE_LOG: log,
        NETPOL_RESOLV_CONF: resolv,
        ...env,
      },
    });
    return { status: result.status, stdout: result.stdout, log: readFileSync(log, 'utf8') };
  }

  it('passes when allows connect and denies are refused or time out; reads the cluster domain', () => {
    const r = run({ FAKE_NC_5433: 'refused', FAKE_NC_443: 'timeout' });
    expect(r.stdout).toContain('ok    allow  shop/api -> data/db:5432 (connected)');
    expect(r.stdout).toContain(
      'ok    deny  other/x -> data/db:5433 (cross-namespace, never observed) (refused or timed out)',
    );
    expect(r.stdout).toContain(
      'ok    deny  shop/api -> 1.1.1.1:443 (outside the cluster, never observed) (refused or timed out)',
    );
    expect(r.stdout).toContain('4 passed, 0 failed, 0 could not run');
    expect(r.status).toBe(0);
    expect(r.log).toContain('nslookup kubernetes.default.svc.corp.example');
    expect(r.log).not.toContain('cluster.local');
    // the probe runs in an ephemeral debug container of the source pod, with the pinned image
    expect(r.log).toMatch(
      /^debug -n shop fake-pod-1 --image=busybox:1\.36\.1 --profile=general -c netpol-probe-\d+-\d+ -i --quiet -- sh -c /m,
    );
  });

  it('CLUSTER_DOMAIN overrides what resolv.conf says', () => {
    const r = run({ CLUSTER_DOMAIN: 'k8s.internal', FAKE_NC: 'timeout', FAKE_NC_5432: 'connected' });
    expect(r.log).toContain('nslookup kubernetes.default.svc.k8s.internal');
    expect(r.status).toBe(0);
  });

  it('fails when a deny check connects', () => {
    const r = run({});
    expect(r.stdout).toContain(
      'FAIL  expected deny, connected: other/x -> data/db:5433 (cross-namespace, never observed)',
    );
    expect(r.status).toBe(1);
  });

  it('fails when an allow check times out', () => {
    const r = run({ FAKE_NC: 'timeout' });
    expect(r.stdout).toContain('FAIL  expected allow, refused or timed out: shop/api -> data/db:5432');
    expect(r.status).toBe(1);
  });

  it('an exec failure is "could not run", with kubectl\'s reason, never a passed deny', () => {
    const r = run({ FAKE_DEBUG: 'image-pull' });
    expect(r.stdout).not.toMatch(/^ok /m);
    expect(r.stdout).toContain(
      'ERROR could not run: other/x -> data/db:5433 (cross-namespace, never observed): the probe did not run: error: timed out waiting for the condition: container netpol-probe: ErrImagePull',
    );
    expect(r.stdout).toContain('0 passed, 0 failed, 4 could not run');
    expect(r.status).toBe(2);
  });

  it('a probe without nc or nslookup is "could not run"', () => {
    const r = run({ FAKE_NC: 'missing' });
    expect(r.stdout).toMatch(
      /ERROR could not run: shop\/api -> 1\.1\.1\.1:443 .*: the probe image busybox:1\.36\.1 lacks the tool \(exit 127\)/,
    );
    expect(r.stdout).toContain('1 passed, 0 failed, 3 could not run');
    expect(r.status).toBe(2);
  });

  it('without ephemeral containers it uses probe pods with the source labels, and deletes them', () => {
    const r = run({ FAKE_EPHEMERAL: 'off', FAKE_NC_5433: 'refused', FAKE_NC_443: 'refused' });
    expect(r.stdout).toMatch(
      /^note {2}ephemeral containers are not available \(error: ephemeral containers are disabled/m,
    );
    expect(r.stdout).toContain('4 passed, 0 failed, 0 could not run');
    expect(r.status).toBe(0);
    expect(r.log).toMatch(
      /^run netpol-probe-\d+-\d+ -n other --image=busybox:1\.36\.1 --labels=app=x --restart=Never --rm -i --quiet --command -- sh -c /m,
    );
    expect(r.log).toMatch(/^delete pod -n other netpol-probe-\d+-\d+ --ignore-not-found --wait=false$/m);
    expect(r.log.match(/^debug /gm)?.length).toBe(1);
  });

  it('no permission to create probe pods either: could not run, with the reason', () => {
    const r = run({ FAKE_EPHEMERAL: 'off', FAKE_RUN: 'forbidden' });
    expect(r.stdout).toContain('cannot create resource');
    expect(r.status).toBe(2);
  });

  it('no running source pod: could not run', () => {
    const r = run({ FAKE_NO_POD: '1' });
    expect(r.stdout).toContain(
      'ERROR could not run: shop/api -> data/db:5432: no running pod for app=api in shop',
    );
    expect(r.status).toBe(2);
  });

  it('staged: says deny checks connect until promoted, and checks them that way', () => {
    const staged = run({}, true);
    expect(verifyScript(NAMESPACES, { staged: true })).toContain('every "deny" check is EXPECTED TO CONNECT');
    expect(staged.stdout).toContain(
      'ok    allow  other/x -> data/db:5433 (cross-namespace, never observed) (staged: connects until promoted) (connected)',
    );
    expect(staged.status).toBe(0);
    const promoted = run({ PROMOTED: '1' }, true);
    expect(promoted.status).toBe(1);
  });

  it('attacker-controlled values reach kubectl as single arguments and run nothing', () => {
    const marker = path.join(dir, 'pwned');
    const evil = [
      {
        ...NAMESPACES[0],
        tests: [
          {
            expect: 'allow',
            description: `x'; touch ${marker}; '$(touch ${marker})`,
            from: { namespace: `n$(touch ${marker})`, selector: { app: `a';touch ${marker};'` } },
            to: { kind: 'ip', ip: '10.0.0.1' },
            protocol: 'TCP',
            port: 80,
          },
        ],
      },
    ] as unknown as NamespaceRecommendation[];
    const r = run({}, false, evil);
    expect(existsSync(marker)).toBe(false);
    expect(r.log).toContain(
      `get pod -n n$(touch ${marker}) -l app=a';touch ${marker};' --field-selector=status.phase=Running`,
    );
    // the fake returned a pod name, but the namespace is not valid: the check ran against what kubectl said
    expect(r.stdout).toMatch(/ok {4}allow {2}x'; touch .*pwned; '\$\(touch .*pwned\) \(connected\)/);
  });
});
