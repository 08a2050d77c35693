// Snapshot loading: kubectl List JSON, YAML, directories, multi-document files, invalid objects
// (every problem named with file, object and field) and unknown kinds ignored; plus the pure
// object parser's workload resolution and implicit namespaces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/policy');
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'netpol-snap-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadClusterSnapshot', () => {
  it('loads a kubectl List (JSON) with pods, owners, services, nodes and policies', async () => {
    const result = await loadClusterSnapshot([path.join(FIXTURES, 'cluster.json')]);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { snapshot } = result;
    expect(snapshot.policies.map((p) => p.metadata.name)).toEqual(['pg-from-web', 'web-egress']);
    const web = snapshot.pods.find((p) => p.name.startsWith('web-'));
    expect(web).toMatchObject({
      ips: ['10.0.1.5', 'fd00::105'],
      workload: { kind: 'Deployment', name: 'web' },
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    });
    expect(snapshot.pods.find((p) => p.name === 'pg-0')?.workload).toEqual({
      kind: 'StatefulSet',
      name: 'pg',
    });
    expect(snapshot.pods.find((p) => p.name.startsWith('report-'))).toMatchObject({
      ips: [],
      workload: { kind: 'CronJob', name: 'report' },
    });
    expect(snapshot.pods.find((p) => p.name === 'agent-x1')).toMatchObject({
      hostNetwork: true,
      workload: { kind: 'DaemonSet', name: 'agent' },
    });
    expect(snapshot.namespaces.find((n) => n.name === 'shop')?.labels).toEqual({
      team: 'web',
      'kubernetes.io/metadata.name': 'shop',
    });
    expect(snapshot.namespaces.find((n) => n.name === 'kube-system')?.labels).toEqual({
      'kubernetes.io/metadata.name': 'kube-system',
    });
    expect(snapshot.nodes).toEqual([{ name: 'node-1', ips: ['192.168.1.10'] }]);
    expect(snapshot.services[0]).toMatchObject({
      name: 'pg',
      clusterIPs: ['10.96.0.20'],
      ports: [{ port: 5432, targetPort: 'pg', protocol: 'TCP' }],
    });
  });

  it('loads the same List written as YAML', async () => {
    const dir = tempDir();
    const json = (await import('node:fs')).readFileSync(path.join(FIXTURES, 'cluster.json'), 'utf8');
    writeFileSync(path.join(dir, 'cluster.yaml'), stringify(JSON.parse(json)));
    const result = await loadClusterSnapshot([path.join(dir, 'cluster.yaml')]);
    expect(result.ok && result.snapshot.pods.length).toBe(4);
  });

  it('loads a directory of multi-document YAML recursively and ignores unknown kinds', async () => {
    const result = await loadClusterSnapshot([path.join(FIXTURES, 'manifests')]);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.snapshot.namespaces.map((n) => n.name)).toEqual(['x', 'y']);
    expect(result.snapshot.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['x/a', 'y/a']);
    expect(result.snapshot.policies).toHaveLength(2);
  });

  it('loads several files given together', async () => {
    const result = await loadClusterSnapshot([
      path.join(FIXTURES, 'manifests/namespaces.yaml'),
      path.join(FIXTURES, 'manifests/policy.yaml'),
    ]);
    expect(result.ok && result.snapshot.policies.length).toBe(2);
  });

  it('lists every problem of an invalid policy, naming file, object and field', async () => {
    const result = await loadClusterSnapshot([path.join(FIXTURES, 'invalid-policy.yaml')]);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const file = path.join(FIXTURES, 'invalid-policy.yaml');
    expect(problems).toEqual([
      `${file}: NetworkPolicy x/broken: spec.podSelector.matchExpressions[0].operator: not a valid selector operator "Equals" (In, NotIn, Exists, DoesNotExist)`,
      `${file}: NetworkPolicy x/broken: spec.policyTypes[1]: unsupported value "Sideways" (Ingress, Egress)`,
      `${file}: NetworkPolicy x/broken: spec.ingress[0].ports[0].port: must be between 1 and 65535, inclusive (got 70000)`,
      `${file}: NetworkPolicy x/broken: spec.ingress[0].ports[1].endPort: must be greater than or equal to port (79 < 80)`,
      `${file}: NetworkPolicy x/broken: spec.ingress[0].from[0].ipBlock.except[0]: must be a strict subset of cidr 10.0.0.0/8 (got 192.168.0.0/16)`,
    ]);
  });

  it('reports YAML syntax errors with the line, invalid JSON and missing paths', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.yaml'), 'kind: Pod\nmetadata: {name: [\n');
    writeFileSync(path.join(dir, 'bad.json'), '{"kind": ');
    const result = await loadClusterSnapshot([dir, path.join(dir, 'missing.yaml')]);
    const problems = result.ok ? [] : result.problems;
    expect(problems.some((p) => p.startsWith(`${path.join(dir, 'bad.json')}: invalid JSON`))).toBe(true);
    expect(problems.some((p) => p.startsWith(path.join(dir, 'bad.yaml')) && p.includes('invalid YAML'))).toBe(
      true,
    );
    expect(problems).toContain(`${path.join(dir, 'missing.yaml')}: no such file or directory`);
  });
});

describe('parseClusterObjects validation', () => {
  const policy = (spec: unknown) =>
    parseClusterObjects([{ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'n' }, spec }]);
  const messages = (spec: unknown) => policy(spec).problems.map((p) => `${p.path}: ${p.message}`);

  it('rejects values with Exists and missing values with In', () => {
    expect(
      messages({
        podSelector: {
          matchExpressions: [
            { key: 'a', operator: 'Exists', values: ['x'] },
            { key: 'b', operator: 'In' },
          ],
        },
      }),
    ).toEqual([
      'spec.podSelector.matchExpressions[0].values: may not be specified when operator is Exists',
      'spec.podSelector.matchExpressions[1].values: must be specified when operator is In',
    ]);
  });
  it('rejects endPort without a numeric port, bad protocols, bad named ports', () => {
    expect(
      messages({
        podSelector: {},
        egress: [
          {
            ports: [
              { port: 'http', endPort: 90 },
              { endPort: 90 },
              { protocol: 'ICMP' },
              { port: 'Bad_Name' },
            ],
          },
        ],
      }),
    ).toEqual([
      'spec.egress[0].ports[0].endPort: may not be specified when port is absent or a named port',
      'spec.egress[0].ports[1].endPort: may not be specified when port is absent or a named port',
      'spec.egress[0].ports[2].protocol: unsupported protocol "ICMP" (TCP, UDP, SCTP)',
      'spec.egress[0].ports[3].port: must be a port number or an IANA_SVC_NAME: "Bad_Name" is not a port name: lower case alphanumeric characters or \'-\' only',
    ]);
  });
  it('rejects invalid CIDRs, empty peers and ipBlock combined with selectors', () => {
    expect(
      messages({
        podSelector: {},
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '10.0.0.0/33' } },
              {},
              { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} },
            ],
          },
        ],
      }),
    ).toEqual([
      'spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR "10.0.0.0/33"',
      'spec.ingress[0].from[1]: must specify a peer (podSelector, namespaceSelector or ipBlock)',
      'spec.ingress[0].from[2]: may not specify both ipBlock and another peer',
    ]);
  });
  it('accepts a valid policy and keeps absent versus empty lists', () => {
    const result = policy({ podSelector: {}, ingress: [{ from: [] }, {}], policyTypes: ['Ingress'] });
    expect(result.problems).toEqual([]);
    expect(result.snapshot.policies[0]?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [] }, {}],
    });
  });
  it('collects problems across objects, names unnamed ones, ignores unknown kinds, and keeps valid objects', () => {
    const result = parseClusterObjects([
      {
        kind: 'List',
        items: [
          { kind: 'Pod', metadata: { namespace: 'n' } },
          { kind: 'Widget', metadata: { name: 'w' } },
          { kind: 'Pod', metadata: { name: 'ok', namespace: 'n' } },
        ],
      },
      'not an object',
    ]);
    expect(result.problems.map((p) => `${p.object}: ${p.path}: ${p.message}`)).toEqual([
      'object 2: : not an object',
      'Pod object 1 items[0]: metadata.name: required',
    ]);
    expect(result.snapshot.pods.map((p) => p.name)).toEqual(['ok']);
    expect(result.snapshot.namespaces).toEqual([
      { name: 'n', labels: { 'kubernetes.io/metadata.name': 'n' } },
    ]);
  });
  it('resolves a ReplicaSet present in the input to its own owner', () => {
    const result = parseClusterObjects([
      {
        kind: 'ReplicaSet',
        metadata: {
          name: 'rs-1',
          namespace: 'n',
          ownerReferences: [{ kind: 'Deployment', name: 'real', controller: true }],
        },
      },
      {
        kind: 'Pod',
        metadata: {
          name: 'p',
          namespace: 'n',
          ownerReferences: [{ kind: 'ReplicaSet', name: 'rs-1', controller: true }],
        },
      },
      {
        kind: 'Pod',
        metadata: { name: 'q', namespace: 'n' },
        status: { phase: 'Succeeded', podIP: '10.0.0.1' },
      },
    ]);
    expect(result.snapshot.pods[0]?.workload).toEqual({ kind: 'Deployment', name: 'real' });
    expect(result.snapshot.pods[1]).toMatchObject({ workload: { kind: 'Pod', name: 'q' }, ips: [] });
  });
});
