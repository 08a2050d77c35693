// Cilium host policies end to end through the real CLI: Hubble flows ingested, a snapshot with
// labelled Nodes and a hostNetwork pod, and a CiliumClusterwideNetworkPolicy with `nodeSelector`.
// `simulate` drops the path the host policy does not admit and names it, says NOT EVALUATED for a
// host address no Node has (exit 1 unless --allow-unknown); `eval` names the deciding host policy;
// `doctor` names it for traffic forwarded despite it, with the host firewall as the likely cause.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFileDaemon } from '../browser/harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const WEB = {
  ID: 101,
  identity: 40001,
  namespace: 'shop',
  pod_name: 'web-0',
  labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'],
  workloads: [{ name: 'web', kind: 'StatefulSet' }],
};

function flow(destination: Record<string, unknown>, ip: string, port: number, second: number): string {
  const time = `2026-11-20T09:00:0${second}.000Z`;
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: '10.0.1.5', destination: ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000 + second, destination_port: port, flags: { SYN: true } } },
      source: WEB,
      destination,
      Type: 'L3_L4',
      node_name: 'kind/n1',
      traffic_direction: 'EGRESS',
      is_reply: false,
      event_type: { type: 4 },
    },
    node_name: 'kind/n1',
    time,
  });
}

const REMOTE_NODE = { identity: 6, labels: ['reserved:remote-node'] };
const HOST = { identity: 1, labels: ['reserved:host'] };

const node = (name: string, ip: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});
const SNAPSHOT = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
    node('n1', '192.168.1.1', { role: 'worker', 'kubernetes.io/hostname': 'n1' }),
    node('n2', '192.168.1.2', { role: 'edge', 'kubernetes.io/hostname': 'n2' }),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        namespace: 'shop',
        name: 'web-0',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }],
      },
      spec: { nodeName: 'n1', containers: [{ name: 'web' }] },
      status: { phase: 'Running', podIP: '10.0.1.5' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'monitoring', name: 'node-exporter-n2', labels: { app: 'node-exporter' } },
      spec: { nodeName: 'n2', hostNetwork: true, containers: [{ name: 'exporter' }] },
      status: { phase: 'Running', podIP: '192.168.1.2' },
    },
  ],
};
const HOST_POLICY = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'edge-host' },
  spec: {
    nodeSelector: { matchLabels: { role: 'edge' } },
    ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9100', protocol: 'TCP' }] }] }],
  },
};

const FLOW_LINES = [
  flow(REMOTE_NODE, '192.168.1.2', 9100, 1),
  flow(REMOTE_NODE, '192.168.1.2', 22, 2),
  flow(HOST, '10.9.9.9', 10250, 3),
];

describe('Cilium host policies through the CLI', () => {
  let dir = '';
  let db = '';
  let cluster = '';
  let policies = '';
  let clusterWithPolicy = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-host-policies-'));
    db = path.join(dir, 'flows.db');
    cluster = path.join(dir, 'cluster.json');
    policies = path.join(dir, 'host-policy.json');
    clusterWithPolicy = path.join(dir, 'cluster-with-policy.json');
    writeFileSync(cluster, JSON.stringify(SNAPSHOT));
    writeFileSync(policies, JSON.stringify(HOST_POLICY));
    writeFileSync(
      clusterWithPolicy,
      JSON.stringify({ ...SNAPSHOT, items: [...SNAPSHOT.items, HOST_POLICY] }),
    );
    const flows = path.join(dir, 'flows.jsonl');
    writeFileSync(flows, FLOW_LINES.join('\n') + '\n');
    const ingest = cli(['ingest', '--format', 'hubble', '--db', db, flows]);
    expect(ingest.stderr).not.toMatch(/rejected [1-9]/);
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('simulate drops the port the host policy does not admit and names the policy; an unknown host is NOT EVALUATED', () => {
    const run = cli(['simulate', '--db', db, '--cluster', cluster, '--policies', policies]);
    expect(run.stdout).toMatch(
      /replayed 2 observed flows .* 1 allowed, 1 would be dropped, 1 not replayable \(1 of them not evaluated\)/,
    );
    expect(run.stdout).toMatch(
      /DROP .*TCP\/22 .*host endpoint of node n2 \(192\.168\.1\.2\) is isolated for ingress by CiliumClusterwideNetworkPolicy edge-host/,
    );
    expect(run.stdout).toMatch(/NOT EVALUATED edge \d+: 10\.9\.9\.9 is a node's host endpoint/);
    expect(run.stdout).not.toMatch(/IGNORED/);
    expect(run.stderr).toMatch(/1 observed path\(s\) not evaluated/);
    expect(run.status).toBe(1);
    const accepted = cli([
      'simulate',
      '--db',
      db,
      '--cluster',
      cluster,
      '--policies',
      policies,
      '--allow-unknown',
      '--json',
    ]);
    expect(accepted.status).toBe(0);
    const json = JSON.parse(accepted.stdout) as {
      dropped: { port: number; ingress: { decidedBy: { object: string; rule: string }; notes: string[] } }[];
      notEvaluated: number;
    };
    expect(json.notEvaluated).toBe(1);
    expect(json.dropped.map((d) => d.port)).toEqual([22]);
    expect(json.dropped[0]?.ingress.decidedBy).toEqual({
      object: 'CiliumClusterwideNetworkPolicy edge-host',
      rule: 'default deny',
      action: 'Deny',
    });
    expect(json.dropped[0]?.ingress.notes[0]).toMatch(/host firewall/);
  });

  it('without the host policy the same paths replay clean (the node IP alone imposes nothing)', () => {
    const run = cli(['simulate', '--db', db, '--cluster', cluster]);
    expect(run.stdout).toMatch(/3 allowed, 0 would be dropped/);
    expect(run.status).toBe(0);
  });

  it('eval names the deciding host policy, for a node address and for a hostNetwork pod', () => {
    const denied = cli([
      'eval',
      '--cluster',
      clusterWithPolicy,
      '--from',
      'shop/web-0',
      '--to',
      '192.168.1.2',
      '--port',
      '22',
      '--json',
    ]);
    expect(denied.status).toBe(0);
    expect(denied.stdout).toMatch(/"verdict": "deny"/);
    expect(denied.stdout).toMatch(/CiliumClusterwideNetworkPolicy edge-host/);
    const allowed = cli([
      'eval',
      '--cluster',
      clusterWithPolicy,
      '--from',
      'shop/web-0',
      '--to',
      'monitoring/node-exporter-n2',
      '--port',
      '9100',
    ]);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(
      /host endpoint of node n2 .* allowed by CiliumClusterwideNetworkPolicy edge-host ingress\[0\]/,
    );
  });

  it("recommend's proof replays the host policy in force and says what it could not evaluate", () => {
    const run = cli([
      'recommend',
      '--db',
      db,
      '--cluster',
      clusterWithPolicy,
      '--flavor',
      'cilium',
      '--accept-unsafe',
    ]);
    expect(run.stderr).toMatch(/1 already denied by the policies in force/);
    expect(run.stderr).toMatch(/1 observed path\(s\) NOT EVALUATED \(a Cilium host policy/);
    expect(run.status).toBe(0);
  });

  it('doctor names the host policy for traffic forwarded despite it, the host firewall as the likely cause', () => {
    const run = cli(['doctor', '--db', db, '--cluster', clusterWithPolicy]);
    expect(run.stdout).toMatch(
      /the Cilium host firewall may be off or in audit mode: host policies \(CiliumClusterwideNetworkPolicy edge-host\)/,
    );
    expect(run.stdout).toMatch(/path\(s\) of node host endpoints/);
    expect(run.stdout).not.toMatch(/does not appear to enforce NetworkPolicy/);
    expect(run.stdout).toMatch(
      /1 observed path\(s\) could not be evaluated[^\n]*\nNOT EVALUATED shop\/web -> host:10\.9\.9\.9 TCP\/10250 \(forwarded\): 10\.9\.9\.9 is a node's host endpoint/,
    );
    expect(run.status).toBe(0);
  });
});

describe('Cilium host policies through POST /api/v1/simulate', () => {
  it('says which paths it could not evaluate, as the CLI does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-host-policies-api-'));
    const cluster = path.join(dir, 'cluster-with-policy.json');
    writeFileSync(cluster, JSON.stringify({ ...SNAPSHOT, items: [...SNAPSHOT.items, HOST_POLICY] }));
    const { daemon } = await startFileDaemon(dir, FLOW_LINES, { snapshot: cluster });
    try {
      const res = await fetch(`${daemon.base}/api/v1/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'allow-all-egress', namespace: 'shop' },
          spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        replayed: number;
        droppedTotal: number;
        notEvaluated: number;
        skippedPaths: { edgeId: number; reason: string; notEvaluated?: true }[];
      };
      expect(body.notEvaluated).toBe(1);
      expect(body.skippedPaths).toHaveLength(1);
      expect(body.skippedPaths[0]?.notEvaluated).toBe(true);
      expect(body.skippedPaths[0]?.reason).toMatch(/10\.9\.9\.9 is a node's host endpoint/);
      expect(body.replayed).toBe(2);
      expect(body.droppedTotal).toBe(1);
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
