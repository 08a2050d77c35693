// The daemon in-process with `kubernetes.enabled`: the live inventory (informers through
// @kubernetes/client-node against a fake API server speaking list/watch) gates readiness,
// replaces the snapshot for the API, and names the pods behind the bare addresses of Calico
// Log-rule lines read by a file source.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { FakeKubeApiServer, pod } from '../fakes/fake-kube-apiserver.js';

const silent = pino({ level: process.env['DEBUG_TEST'] ? 'debug' : 'silent' });
let dir: string;
let api: FakeKubeApiServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-daemon-inventory-'));
  api = await new FakeKubeApiServer().start();
  api.apply('/api/v1/namespaces', { metadata: { name: 'shop' } });
  api.apply('/api/v1/namespaces', { metadata: { name: 'data' } });
  api.apply(
    '/api/v1/pods',
    pod('shop', 'api-7d9c8b6f5-x2x2x', '10.0.1.23', { app: 'api' }, { startTime: '2025-03-04T09:00:00Z' }),
  );
  api.apply(
    '/api/v1/pods',
    pod('data', 'postgres-0', '10.0.2.45', { app: 'postgres' }, { startTime: '2025-03-04T09:00:00Z' }),
  );
  api.apply('/apis/networking.k8s.io/v1/networkpolicies', {
    metadata: { namespace: 'data', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
});

afterAll(async () => {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(): string {
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: fake',
      'clusters: [{name: fake, cluster: {server: "http://127.0.0.1:' +
        String(api.port) +
        '", insecure-skip-tls-verify: true}}]',
      'users: [{name: fake, user: {token: test-token}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
      '',
    ].join('\n'),
  );
  const log = path.join(dir, 'kern.log');
  writeFileSync(
    log,
    '2025-03-04T10:15:31.000000+00:00 node-b kernel: calico-packet: IN=cali1 OUT=cali2 MAC= SRC=10.0.1.23 DST=10.0.2.45 LEN=60 TOS=0x00 PREC=0x00 TTL=62 ID=1 DF PROTO=TCP SPT=51234 DPT=5432 WINDOW=29200 RES=0x00 SYN URGP=0\n',
  );
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'flows.db'))}`,
      'sources:',
      '  - {type: file, name: kernel, format: calico-iptables, path: ' + JSON.stringify(log) + '}',
      'kubernetes:',
      '  enabled: true',
      `  kubeconfig: ${JSON.stringify(kubeconfig)}`,
      '',
    ].join('\n'),
  );
  return file;
}

function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (value === undefined) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

describe('daemon with the live Kubernetes inventory', () => {
  it('is ready after the first full list, serves coverage from the inventory and names pods behind bare addresses', async () => {
    const loaded = loadConfig({ file: writeConfig(), env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const daemon = await startDaemon(loaded.config, { logger: silent });
    const base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      const ready = await until('readiness', async () => {
        const res = await fetch(`${base}/readyz`);
        const body = (await res.json()) as { ready: boolean; inventory?: { ready: boolean } };
        if (process.env['DEBUG_TEST']) console.log(JSON.stringify(body));
        return res.status === 200 ? body : undefined;
      });
      expect(ready.inventory?.ready).toBe(true);

      const flows = await until('the enriched flow', async () => {
        const body = (await (await fetch(`${base}/api/v1/flows`)).json()) as {
          items: { source: Record<string, unknown>; destination: Record<string, unknown>; port: number }[];
        };
        return body.items.length > 0 ? body.items : undefined;
      });
      expect(flows).toHaveLength(1);
      expect(flows[0]).toMatchObject({
        source: { namespace: 'shop', kind: 'Pod' },
        destination: { namespace: 'data', workload: 'postgres-0', kind: 'Pod' },
        port: 5432,
      });

      const namespaces = (await (await fetch(`${base}/api/v1/namespaces`)).json()) as {
        items: { name: string; coverage: { defaultDenyIngress?: boolean } | null }[];
      };
      const data = namespaces.items.find((n) => n.name === 'data');
      expect(data?.coverage).not.toBeNull();
      expect(JSON.stringify(data?.coverage)).toContain('true');
    } finally {
      await daemon.stop();
    }
  });
});
