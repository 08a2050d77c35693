// A real app on a real store for the API suites: the shop scenario's Hubble lines (test/fixtures/
// recommend) through the real parser and BatchWriter into a temp SQLite file, its cluster snapshot
// loaded by the real loader, an alert store on the same file, listening on 127.0.0.1 port 0.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parserFor } from '../../src/flows/parsers.js';
import { ApiAnalysis } from '../../src/http/analysis.js';
import { buildApp } from '../../src/http/app.js';
import { answerClientErrors } from '../../src/http/client-error.js';
import type { ApiAuth } from '../../src/http/auth.js';
import type { AppDeps } from '../../src/http/deps.js';
import { EventBus } from '../../src/http/event-bus.js';
import { createMetrics } from '../../src/http/metrics.js';
import { publishingStore } from '../../src/http/publishing-store.js';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import type { ClusterSnapshot } from '../../src/policy/model.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { openAlertStore, type AlertStore } from '../../src/store/alerts.js';
import { openStore } from '../../src/store/store.js';
import { StagedStore } from '../../src/store/staged-store.js';
import type { FlowStore } from '../../src/store/types.js';

export const FIXTURES = fileURLToDir('../fixtures/recommend/');

function fileURLToDir(relative: string): string {
  return new URL(relative, import.meta.url).pathname;
}

export interface SeededApp {
  readonly base: string;
  readonly server: Server;
  readonly store: FlowStore;
  readonly alerts: AlertStore;
  readonly staged: StagedStore;
  readonly bus: EventBus;
  readonly writer: BatchWriter;
  readonly deps: AppDeps;
  readonly snapshot: ClusterSnapshot;
  readonly dir: string;
  close(): Promise<void>;
}

export interface SeedOptions {
  readonly auth?: ApiAuth;
  readonly withSnapshot?: boolean;
  readonly pageSizeMax?: number;
  readonly requestBodyBytes?: number;
  /** Give the app the database file, so the heavy analyses run in the worker thread. */
  readonly worker?: boolean;
  readonly staleGraceMs?: number;
  /** A built dashboard directory to serve at `/`. */
  readonly webDir?: string;
  /** Write authorisation of shadow mode's routes (default: auth.mode none allows). */
  readonly writeAuth?: AppDeps['writeAuth'];
  readonly auditLogger?: AppDeps['auditLogger'];
  readonly bodyCacheBytes?: number;
  readonly wholeClusterEdgesMax?: number;
}

export async function startSeededApp(options: SeedOptions = {}): Promise<SeededApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-api-'));
  const file = path.join(dir, 'flows.db');
  const raw = openStore(file);
  const bus = new EventBus();
  const store = publishingStore(raw, bus);
  const writer = new BatchWriter({ store, batchSize: 1000 });
  const parse = parserFor('hubble');
  for (const line of readFileSync(path.join(FIXTURES, 'shop-hubble.jsonl'), 'utf8').split('\n')) {
    if (line.length > 0) writer.add(parse(line));
  }
  writer.flush();
  const loaded = await loadClusterSnapshot([path.join(FIXTURES, 'shop-cluster.json')]);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const snapshot = loaded.snapshot;
  const alerts = openAlertStore(file);
  const staged = new StagedStore(file);
  let lastSeenMs = 0;
  for (const edge of raw.iterateEdges()) lastSeenMs = Math.max(lastSeenMs, edge.lastSeenMs);
  const metrics = createMetrics({ queueCapacity: 100 });
  const readiness = () => ({ ready: true, store: 'open' as const, sources: [] });
  const analysis = new ApiAnalysis({
    store,
    readiness,
    ...(options.withSnapshot !== false ? { clusterSnapshot: () => snapshot } : {}),
    // "Now" is just after the fixture's last flow, so "the last hour" holds its drop.
    now: () => lastSeenMs + 60_000,
    cacheMaxStaleMs: 0,
    dataVersion: store.version,
    ...(options.worker === true ? { dbFile: file } : {}),
    ...(options.staleGraceMs !== undefined ? { staleGraceMs: options.staleGraceMs } : {}),
    ...(options.bodyCacheBytes !== undefined ? { bodyCacheBytes: options.bodyCacheBytes } : {}),
    ...(options.wholeClusterEdgesMax !== undefined
      ? { wholeClusterEdgesMax: options.wholeClusterEdgesMax }
      : {}),
  });
  const deps: AppDeps = {
    store,
    auth: options.auth ?? { mode: 'none' },
    registry: metrics.registry,
    readiness,
    analysis,
    limits: {
      pageSizeMax: options.pageSizeMax ?? 50,
      pageSizeDefault: 10,
      requestBodyBytes: options.requestBodyBytes ?? 64 * 1024,
    },
    alerts,
    staged,
    ...(options.webDir !== undefined ? { webDir: options.webDir } : {}),
    ...(options.writeAuth !== undefined ? { writeAuth: options.writeAuth } : {}),
    ...(options.auditLogger !== undefined ? { auditLogger: options.auditLogger } : {}),
  };
  const server = buildApp(deps).listen(0, '127.0.0.1');
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    server,
    store,
    alerts,
    staged,
    bus,
    writer,
    deps,
    snapshot,
    dir,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await analysis.close();
      alerts.close();
      staged.close();
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
