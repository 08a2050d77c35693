// `eval` on the houses cluster with network-policy-api objects read from a manifest directory:
// the human output and --json name the deciding cluster policy, tier, priority, rule and action.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceManifest, housesObjects } from './houses.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'netpol-eval-cluster-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'eval', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('eval names the deciding cluster policy', { timeout: 60_000 }, () => {
  it('reads ClusterNetworkPolicies from a manifest directory and explains an Admin-tier deny', () => {
    writeFileSync(
      path.join(tmp, 'houses.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: housesObjects() }),
    );
    writeFileSync(
      path.join(tmp, 'cnp.yaml'),
      conformanceManifest('admin_tier-standard-priority-field.yaml')
        .map((o) => stringify(o))
        .join('---\n'),
    );
    const args = [
      '--cluster',
      tmp,
      '--from',
      'network-policy-conformance-slytherin/draco-malfoy-0',
      '--to',
      'network-policy-conformance-gryffindor/harry-potter-0',
      '--port',
      '80',
    ];
    const human = run(...args);
    expect(human.stderr).toBe('');
    expect(human.stdout).toContain('DENY');
    expect(human.stdout).toContain(
      'is denied by ClusterNetworkPolicy priority-50-example ingress[0] "deny-all-ingress-from-slytherin" (Admin tier, priority 50, Deny)',
    );
    const json = run(...args, '--json');
    const decision = JSON.parse(json.stdout) as {
      verdict: string;
      ingress: { decidedBy: { cluster: Record<string, unknown> } };
    };
    expect(decision.verdict).toBe('deny');
    expect(decision.ingress.decidedBy.cluster).toEqual({
      kind: 'ClusterNetworkPolicy',
      name: 'priority-50-example',
      tier: 'Admin',
      priority: 50,
      direction: 'ingress',
      ruleIndex: 0,
      ruleName: 'deny-all-ingress-from-slytherin',
      action: 'Deny',
    });
  });

  it('exits 2 naming the field of a cluster policy the API server would refuse', () => {
    const dir = mkdtempSync(path.join(tmp, 'bad-'));
    writeFileSync(
      path.join(dir, 'houses.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: housesObjects() }),
    );
    writeFileSync(
      path.join(dir, 'anp.yaml'),
      stringify({
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'x' },
        spec: { priority: 5000, subject: { namespaces: {} } },
      }),
    );
    const result = run(
      '--cluster',
      dir,
      '--from',
      'network-policy-conformance-slytherin/draco-malfoy-0',
      '--to',
      'network-policy-conformance-gryffindor/harry-potter-0',
      '--port',
      '80',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AdminNetworkPolicy x: spec.priority: must be an integer from 0 to 1000');
  });
});
