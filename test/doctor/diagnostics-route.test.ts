// GET /api/v1/diagnostics over real HTTP on 127.0.0.1:0: the doctor's findings from a real store
// and the inventory's snapshot, scoped by namespace; a bad namespace is a 400. Computed in the
// analysis worker (the app has the database file) once per data version: a repeat is a 304.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/doctor/types.js';
import { aggregateFlows } from '../../src/flows/edge.js';
import { Registry } from 'prom-client';
import { ApiAnalysis } from '../../src/http/analysis.js';
import { WorkerRunner } from '../../src/http/analysis-runner.js';
import type { AppDeps } from '../../src/http/deps.js';
import { errorHandler } from '../../src/http/errors.js';
import { diagnosticsRoutes } from '../../src/http/routes/diagnostics.js';
import { loadDoctorCluster } from '../../src/cli/doctor.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';
import { MIN, T0, pod, repeat } from '../drops/flow-builder.js';
import { FIXTURES } from './scenario.js';

let dir: string;
let store: FlowStore;
let server: Server;
let base: string;
let deps: AppDeps;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'doctor-http-'));
  const file = path.join(dir, 'flows.db');
  store = openStore(file);
  const flows = repeat(3, T0, MIN, {
    from: pod('jobs', 'batch'),
    to: pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
    port: 53,
    protocol: 'UDP',
    verdict: 'dropped',
    dropReason: 'POLICY_DENIED',
  });
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason: {} });
  const { snapshot } = await loadDoctorCluster([
    path.join(FIXTURES, 'cluster.json'),
    path.join(FIXTURES, 'dns.yaml'),
  ]);
  const app = express();
  const readiness = () => ({ ready: true, store: 'open' as const, sources: [] });
  deps = {
    store,
    analysis: new ApiAnalysis({ store, readiness, clusterSnapshot: () => snapshot, dbFile: file }),
    auth: { mode: 'none' },
    registry: new Registry(),
    readiness,
    limits: { pageSizeMax: 100, pageSizeDefault: 10, requestBodyBytes: 65_536 },
  };
  app.use(diagnosticsRoutes(deps));
  app.use(errorHandler());
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deps.analysis.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/v1/diagnostics', () => {
  it('returns the findings as the doctor --json array', async () => {
    const response = await fetch(`${base}/api/v1/diagnostics?namespace=jobs`);
    expect(response.status).toBe(200);
    const findings = (await response.json()) as Finding[];
    expect(findings.map((f) => [f.kind, f.namespace])).toEqual([['dns-blocked', 'jobs']]);
    expect(findings[0]?.objects).toEqual(['jobs/deny-egress', 'jobs/batch-abc12-1']);
  });

  it('computes in the analysis worker, once per data version: a repeat revalidates to 304', async () => {
    const runner = deps.analysis.runner;
    expect(runner).toBeInstanceOf(WorkerRunner);
    const first = await fetch(`${base}/api/v1/diagnostics`);
    expect(first.status).toBe(200);
    const jobs = (runner as WorkerRunner).jobs;
    expect(jobs).toBeGreaterThan(0);
    const again = await fetch(`${base}/api/v1/diagnostics`, {
      headers: { 'if-none-match': first.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    expect((runner as WorkerRunner).jobs).toBe(jobs);
  });

  it('scopes by namespace and refuses a bad one', async () => {
    expect(await (await fetch(`${base}/api/v1/diagnostics?namespace=shop`)).json()).toEqual([]);
    const bad = await fetch(`${base}/api/v1/diagnostics?namespace=Bad_NS`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
  });
});
