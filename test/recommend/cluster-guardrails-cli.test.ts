// `recommend --cluster-policies` spawned for real over a real store: --json carries the guardrails
// and their proof, the YAML stream ends with them, --out puts them in their own kustomization
// (rendered with the real `kubectl kustomize`), a bad value exits 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateFlows } from '../../src/flows/edge.js';
import { skipWhenMissing } from '../ci-tools.js';
import { hasKubectl, kubectl } from '../deploy/render.js';
import { openStore } from '../../src/store/store.js';
import { MIN, T0, pod, repeat } from '../drops/flow-builder.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;
let db: string;
const run = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main-entry.ts', 'recommend', '--db', db, ...args],
    { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
  );

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardrails-cli-'));
  db = path.join(dir, 'flows.db');
  const flows = repeat(6, T0, MIN, {
    from: pod('jobs', 'batch'),
    to: pod('shop', 'cart'),
    port: 8080,
    verdict: 'forwarded',
  });
  const store = openStore(db);
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason: {} });
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recommend --cluster-policies', { timeout: 60_000 }, () => {
  it('adds the guardrails to --json and to the YAML stream', () => {
    const json = run('--cluster-policies', 'cnp', '--json');
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout) as {
      clusterGuardrails: {
        flavor: string;
        objects: { kind: string; metadata: { name: string } }[];
        proof: { dropped: number };
      };
    };
    expect(out.clusterGuardrails.flavor).toBe('cnp');
    expect(out.clusterGuardrails.objects.map((o) => o.metadata.name)).toEqual([
      'netpol-advisor-cross-namespace-shop-cart',
      'netpol-advisor-cross-namespace-deny-jobs',
      'netpol-advisor-cross-namespace-deny-shop',
    ]);
    expect(json.stderr).toContain(
      'cluster guardrails (cnp): 3 object(s) admitting 1 observed cross-namespace path(s)',
    );
    const yaml = run('--cluster-policies', 'anp');
    expect(yaml.status).toBe(0);
    const kinds = parseAllDocuments(yaml.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'AdminNetworkPolicy')).toHaveLength(3);
    expect(kinds).toContain('NetworkPolicy');
  });

  it.skipIf(skipWhenMissing(hasKubectl(), `"${kubectl}" (kubectl, for kustomize; .ci/run installs it)`))(
    '--out: kubectl kustomize DIR renders the NetworkPolicies only, DIR/cluster-guardrails the guardrails',
    () => {
      const out = path.join(dir, 'out');
      const written = run('--cluster-policies', 'cnp', '--out', out);
      expect(written.status).toBe(0);
      expect(written.stdout).toContain(`kubectl apply -k ${path.join(out, 'cluster-guardrails')}`);
      const kinds = (folder: string) => {
        const r = spawnSync(kubectl, ['kustomize', folder], { encoding: 'utf8', timeout: 60_000 });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return parseAllDocuments(r.stdout).map((d) => {
          const o = d.toJS() as { kind: string; metadata: { name: string } };
          return `${o.kind} ${o.metadata.name}`;
        });
      };
      const namespaced = kinds(out);
      expect(namespaced.length).toBeGreaterThan(0);
      expect(namespaced.every((k) => k.startsWith('NetworkPolicy '))).toBe(true);
      expect(kinds(path.join(out, 'cluster-guardrails'))).toEqual([
        'ClusterNetworkPolicy netpol-advisor-cross-namespace-deny-jobs',
        'ClusterNetworkPolicy netpol-advisor-cross-namespace-deny-shop',
        'ClusterNetworkPolicy netpol-advisor-cross-namespace-shop-cart',
      ]);
    },
  );

  it('exits 2 on an unknown value', () => {
    const bad = run('--cluster-policies', 'banp');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--cluster-policies: expected anp');
  });
});
