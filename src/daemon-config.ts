// What the daemon resolves from its config before it opens anything: the root logger, the API's
// read and write authentication, the start-up cluster snapshot and the live inventory. A setting
// this build cannot run is a DaemonConfigError (`serve` exits 2 with its message).
import { readFileSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/schema.js';
import { resolveWriteAuth } from './daemon-staged.js';
import { MIN_TOKEN_CHARS, type ApiAuth } from './http/auth.js';
import { KubeTokenReviewer } from './http/kube-auth.js';
import { LiveInventory, loadKubeConfig } from './k8s/inventory.js';
import { loadClusterSnapshot } from './k8s/snapshot-file.js';
import type { Clock } from './lib/clock.js';
import type { ClusterSnapshot } from './policy/model.js';
import { DEMO_CLUSTER_FILE } from './sources/demo-source.js';

/** A configuration this build cannot run (exit status 2). */
export class DaemonConfigError extends Error {
  override readonly name = 'DaemonConfigError';
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'netpol-advisor' },
      // Tokens and webhook URLs (which often embed a secret) never reach the log.
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'req.headers.authorization',
          'req.headers.cookie',
          'url',
          '*.url',
          'webhookUrl',
          '*.webhookUrl',
          'alerts[*].url',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** The API's authentication from config; the token is read once, from its file. */
export function resolveAuth(config: Config): ApiAuth {
  const { mode, tokenFile } = config.auth;
  if (mode === 'none') return { mode };
  if (mode === 'kubernetes') {
    try {
      const kubeConfig = loadKubeConfig(
        config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {},
      );
      return { mode, reviewer: new KubeTokenReviewer({ kubeConfig }) };
    } catch (error) {
      throw new DaemonConfigError(
        `auth.mode kubernetes: cannot load a kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  let token: string;
  try {
    token = readFileSync(tokenFile ?? '', 'utf8').trim();
  } catch (error) {
    throw new DaemonConfigError(
      `auth.tokenFile: cannot read ${tokenFile ?? '(unset)'}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new DaemonConfigError(
      `auth.tokenFile: ${tokenFile ?? ''} must hold one token of at least ${MIN_TOKEN_CHARS} characters without spaces`,
    );
  }
  return { mode, token };
}

/** The API's authentication: read (resolveAuth) and write tokens, which must differ. */
export function resolveApiAuth(config: Config): {
  auth: ApiAuth;
  writeAuth: ReturnType<typeof resolveWriteAuth>;
} {
  const readAuth = resolveAuth(config);
  let writeAuth: ReturnType<typeof resolveWriteAuth>;
  try {
    writeAuth = resolveWriteAuth(config, MIN_TOKEN_CHARS);
  } catch (error) {
    throw new DaemonConfigError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (readAuth.mode === 'token' && writeAuth.writeToken === readAuth.token) {
    throw new DaemonConfigError(
      'auth.writeTokenFile: must hold a different token from auth.tokenFile (the read token must not be able to change state)',
    );
  }
  // The write token reads too; what it may change is decided by writeAuth.authorize.
  const auth: ApiAuth =
    readAuth.mode === 'token' && writeAuth.writeToken !== undefined
      ? { ...readAuth, writeToken: writeAuth.writeToken }
      : readAuth;
  return { auth, writeAuth };
}

/**
 * The cluster as the API and the alerts see it at start: the snapshot file. Demo mode without an
 * inventory of its own uses the demo application's bundled snapshot, so coverage, explanations
 * and the doctor work on the demo as on a cluster.
 */
export async function loadStartSnapshot(config: Config): Promise<ClusterSnapshot | undefined> {
  const snapshotFile =
    config.kubernetes.snapshot ??
    (config.demoMode && !config.kubernetes.enabled ? DEMO_CLUSTER_FILE : undefined);
  if (snapshotFile === undefined) return undefined;
  const loaded = await loadClusterSnapshot([snapshotFile]);
  if (!loaded.ok)
    throw new DaemonConfigError(`kubernetes.snapshot: ${loaded.problems[0] ?? 'invalid snapshot'}`);
  return loaded.snapshot;
}

/**
 * With kubernetes.enabled, the live inventory: it replaces the snapshot file once its first full
 * list is in, so every feature that takes a snapshot works on the live cluster.
 */
export function createInventory(config: Config, clock: Clock, logger: Logger): LiveInventory | undefined {
  if (!config.kubernetes.enabled) return undefined;
  try {
    const kubeConfig = loadKubeConfig(
      config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {},
    );
    return new LiveInventory({
      kubeConfig,
      clock,
      logger: logger.child({ component: 'inventory' }),
      relistAfterMs: config.kubernetes.relistAfterMs,
    });
  } catch (error) {
    throw new DaemonConfigError(
      `kubernetes: cannot load a kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
