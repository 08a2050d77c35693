// Part of the composition root of `serve` (daemon.ts): shadow mode. Opens the staged-set store on
// the daemon's database, builds the live-evaluation step that wraps the store's batch writes
// (ShadowRecorder), its metrics, the stream's would-drop events and the would-drop alerts (off by
// default), and the write authorisation of the API from the auth config.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { createWouldDropAlerter } from './daemon-staged-alerts.js';
import type { EventBus } from './http/event-bus.js';
import { KubeWriteReviewer } from './http/kube-write-auth.js';
import { createStagedMetrics } from './http/staged-metrics.js';
import { writeAuthorizer, type WriteAuthorizer } from './http/write-auth.js';
import { loadKubeConfig } from './k8s/inventory.js';
import type { ClusterSnapshot } from './policy/model.js';
import { DAY_MS, type ReadinessOptions } from './staged/readiness.js';
import { wouldDropJson } from './staged/set-view.js';
import type { Clock } from './lib/clock.js';
import { ShadowRecorder } from './store/staged-shadow.js';
import { StagedStore } from './store/staged-store.js';

export interface ShadowModeDeps {
  readonly config: Config;
  readonly snapshot: () => ClusterSnapshot | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly bus: EventBus;
  /** This service's base URL (Alertmanager's generatorURL of would-drop alerts). */
  readonly generatorBaseUrl: string;
}

export interface ShadowMode {
  readonly store: StagedStore;
  readonly recorder: ShadowRecorder;
  readonly readiness: ReadinessOptions;
  /** Would-drop alerts still being sent, settled (shutdown). */
  settled(): Promise<void>;
  close(): void;
}

export function readinessOptions(config: Config): ReadinessOptions {
  return {
    cleanPeriodMs: Math.round(config.staged.cleanPeriodDays * DAY_MS),
    minConnections: config.staged.minConnections,
    minPaths: config.staged.minPaths,
  };
}

export function startShadowMode(deps: ShadowModeDeps): ShadowMode {
  const log = deps.logger.child({ component: 'staged' });
  const store = new StagedStore(deps.config.db);
  const readiness = readinessOptions(deps.config);
  // Would-drops to the alert sinks only when asked for (staged.alerts, off by default).
  const alerter = deps.config.staged.alerts
    ? createWouldDropAlerter({
        alerts: deps.config.alerts,
        logger: deps.logger,
        clock: deps.clock,
        generatorBaseUrl: deps.generatorBaseUrl,
      })
    : undefined;
  const metrics = createStagedMetrics(deps.registry, store, readiness, () => deps.clock.now());
  let lastErrorLogMs = Number.NEGATIVE_INFINITY;
  const recorder = new ShadowRecorder({
    staged: store,
    snapshot: deps.snapshot,
    now: () => deps.clock.now(),
    hooks: {
      onWouldDropConnections: (namespace, connections) => metrics.recordWouldDrops(namespace, connections),
      onNewWouldDrops: (drops, namespaceOf) => {
        for (const drop of drops.slice(0, 500)) {
          deps.bus.publish({
            type: 'would-drop',
            wouldDrop: {
              ...wouldDropJson({ ...drop, decider: drop.decider }),
              setId: drop.setId,
              namespace: namespaceOf(drop.setId) ?? '',
            },
          });
        }
        log.info({ paths: drops.length }, 'staged sets would drop new paths');
        alerter?.(drops, namespaceOf);
      },
      onError: (error) => {
        if (deps.clock.now() - lastErrorLogMs < 60_000) return;
        lastErrorLogMs = deps.clock.now();
        log.error(
          { err: error },
          'evaluating a batch against the staged sets failed (its edges are stored; its evaluation is lost)',
        );
      },
    },
  });
  return {
    store,
    recorder,
    readiness,
    settled: () => alerter?.settled() ?? Promise.resolve(),
    close: () => store.close(),
  };
}

/** The API's write authorisation from the auth config; the write token is read once, from its file. */
export function resolveWriteAuth(
  config: Config,
  minTokenChars: number,
): { authorize: WriteAuthorizer; writeToken?: string } {
  const { mode, writeTokenFile } = config.auth;
  if (mode === 'none') return { authorize: writeAuthorizer({ mode }) };
  if (mode === 'kubernetes') {
    const kubeConfig = loadKubeConfig(
      config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {},
    );
    return { authorize: writeAuthorizer({ mode, reviewer: new KubeWriteReviewer({ kubeConfig }) }) };
  }
  if (writeTokenFile === undefined) return { authorize: writeAuthorizer({ mode, writeToken: undefined }) };
  let token: string;
  try {
    token = readFileSync(writeTokenFile, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `auth.writeTokenFile: cannot read ${writeTokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  if (token.length < minTokenChars || /\s/.test(token)) {
    throw new Error(
      `auth.writeTokenFile: ${writeTokenFile} must hold one token of at least ${minTokenChars} characters without spaces`,
    );
  }
  return { authorize: writeAuthorizer({ mode, writeToken: token }), writeToken: token };
}
