// `eval` on a snapshot with Cilium and Calico policies (issue 16 point 5): the human output and
// --json name the deciding object and rule, as they do for NetworkPolicies.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const CLUSTER = path.join(repoRoot, 'test/fixtures/policy/cluster.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'netpol-eval-cni-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function clusterWith(name: string, objects: Record<string, unknown>[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  copyFileSync(CLUSTER, path.join(dir, 'cluster.json'));
  writeFileSync(path.join(dir, 'cni.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'eval', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('eval names the deciding Cilium or Calico object and rule', { timeout: 60_000 }, () => {
  it('a CiliumNetworkPolicy deny rule', () => {
    const dir = clusterWith('cilium', [
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { namespace: 'db', name: 'no-shop' },
        spec: {
          endpointSelector: { matchLabels: { app: 'pg' } },
          ingress: [{ fromEntities: ['cluster'] }],
          ingressDeny: [
            {
              fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
              toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
            },
          ],
        },
      },
    ]);
    const human = run(
      '--cluster',
      dir,
      '--from',
      'shop/web-7d4b9c8f6d-abcde',
      '--to',
      'db/pg-0',
      '--port',
      '5432',
    );
    expect(human.stderr).toBe('');
    expect(human.stdout).toContain(
      'ingress (DENIED): db/pg-0: TCP/5432 from shop/web-7d4b9c8f6d-abcde is denied by CiliumNetworkPolicy db/no-shop ingressDeny[0]',
    );
    const json = JSON.parse(
      run(
        '--cluster',
        dir,
        '--from',
        'db/report-28000000-xyz12',
        '--to',
        'db/pg-0',
        '--port',
        '5432',
        '--json',
      ).stdout,
    ) as { verdict: string; ingress: { decidedBy: unknown } };
    expect(json.verdict).toBe('allow');
    expect(json.ingress.decidedBy).toEqual({
      object: 'CiliumNetworkPolicy db/no-shop',
      rule: 'ingress[0]',
      action: 'Allow',
    });
  });

  it('a Calico tier Deny, and the end of a tier', () => {
    const dir = clusterWith('calico', [
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'Tier',
        metadata: { name: 'security' },
        spec: { order: 100 },
      },
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: 'security.pg' },
        spec: {
          tier: 'security',
          selector: "app == 'pg'",
          types: ['Ingress'],
          ingress: [
            { action: 'Pass', source: { namespaceSelector: "projectcalico.org/name == 'db'" } },
            { action: 'Deny', protocol: 'TCP', destination: { ports: [5432] } },
          ],
        },
      },
    ]);
    const human = run(
      '--cluster',
      dir,
      '--from',
      'shop/web-7d4b9c8f6d-abcde',
      '--to',
      'db/pg-0',
      '--port',
      '5432',
    );
    expect(human.stdout).toContain('is denied by GlobalNetworkPolicy security.pg ingress[1]');
    const other = run(
      '--cluster',
      dir,
      '--from',
      'shop/web-7d4b9c8f6d-abcde',
      '--to',
      'db/pg-0',
      '--port',
      '80',
      '--json',
    );
    expect((JSON.parse(other.stdout) as { ingress: { decidedBy: unknown } }).ingress.decidedBy).toEqual({
      object: 'tier security',
      rule: 'end of tier (default action Deny)',
      action: 'Deny',
    });
  });
});
