// The one schema of the daemon's configuration (contracts.md "Configuration"), with every bound
// as a setting with a safe default. Objects are strict so a misspelt key is reported, not ignored.
// Secrets (tokens, client keys) are only ever referenced by file path.
import { z } from 'zod';
import { isLoopbackHost, parseListen } from './listen.js';

const filePath = z.string().min(1).max(4096);

const listenAddress = z.string().superRefine((value, ctx) => {
  const parsed = parseListen(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const tls = z
  .strictObject({
    ca: filePath.optional(),
    cert: filePath.optional(),
    key: filePath.optional(),
    serverName: z.string().min(1).max(253).optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together',
    path: ['key'],
  });

const sourceName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes (DNS label)');

const hubbleRelaySource = z.strictObject({
  type: z.literal('hubble-relay'),
  name: sourceName.optional(),
  address: z.string().min(1).max(300),
  tls: tls.optional(),
  /**
   * Reconnect a stream that delivered nothing for this long while the relay's ServerStatus shows
   * it saw flows (0: off). A needless reconnect costs nothing but a log line: the stream resumes
   * from its cursor without double counting.
   */
  staleAfterMs: z.number().int().min(0).max(86_400_000).default(300_000),
});

const goldmaneSource = z.strictObject({
  type: z.literal('goldmane'),
  name: sourceName.optional(),
  address: z.string().min(1).max(300),
  tls: tls.optional(),
});

const fileSource = z.strictObject({
  type: z.literal('file'),
  name: sourceName.optional(),
  format: z.enum(['hubble', 'calico-flowlog', 'calico-iptables']),
  path: filePath,
  follow: z.boolean().default(true),
});

/** Calico Log-rule lines from the systemd journal's kernel messages (`journalctl -k -f`). */
const journalSource = z.strictObject({
  type: z.literal('journal'),
  name: sourceName.optional(),
  /** The journalctl executable. */
  command: filePath.optional(),
  /** Only kernel lines containing this are Log-rule lines (Calico's prefixes start with `calico-`). */
  prefix: z.string().min(1).max(64).optional(),
});

export const sourceSchema = z.discriminatedUnion('type', [
  hubbleRelaySource,
  goldmaneSource,
  fileSource,
  journalSource,
]);

const alertSchema = z
  .strictObject({
    type: z.enum(['webhook', 'slack', 'alertmanager', 'log']),
    /** The receiver URL; a Slack or webhook URL that embeds a secret may come from `urlFile` instead. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    urlFile: filePath.optional(),
    minSeverity: z.enum(['info', 'warning', 'critical']).default('warning'),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Drop classes this sink is told about; default regression, dns, expected-by-baseline, likely-legitimate. */
    classifications: z
      .array(
        z.enum(['regression', 'dns', 'expected-by-baseline', 'likely-legitimate', 'suspicious', 'unknown']),
      )
      .min(1)
      .max(6)
      .optional(),
  })
  .superRefine((alert, ctx) => {
    if (alert.type === 'log') return;
    if (alert.url === undefined && alert.urlFile === undefined)
      ctx.addIssue({ code: 'custom', message: 'required (or urlFile)', path: ['url'] });
    if (alert.url !== undefined && alert.urlFile !== undefined)
      ctx.addIssue({ code: 'custom', message: 'set url or urlFile, not both', path: ['urlFile'] });
  });

const limitsSchema = z
  .strictObject({
    /** Events per write transaction. */
    batchSize: z.number().int().min(1).max(100_000).default(20_000),
    /** Longest time an accepted event waits before it is written. */
    flushIntervalMs: z.number().int().min(10).max(60_000).default(1000),
    /** Lines longer than this are rejected as oversized_line. */
    maxLineBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Events buffered between the sources and the writer; a full queue pauses the sources. */
    queueCapacity: z.number().int().min(1).max(10_000_000).default(20_000),
    /** Largest and default page of list routes. */
    pageSizeMax: z.number().int().min(1).max(10_000).default(1000),
    pageSizeDefault: z.number().int().min(1).max(10_000).default(100),
    /** Largest JSON/YAML request body accepted by the API. */
    requestBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Bytes of rendered API response bodies kept for reuse (all of the API's body caches together). */
    bodyCacheBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(4 * 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    /**
     * Above this many stored edges the API refuses the whole-cluster recommendation and its export
     * (422 scope_too_large): per namespace, or `netpol-advisor recommend --out` from the CLI.
     * Its memory grows with the edges (about 1.5 GiB at 100,000), past the daemon's limit.
     */
    wholeClusterEdgesMax: z.number().int().min(0).max(100_000_000).default(10_000),
    /**
     * The analysis worker thread's V8 heap limit in MiB (drops, diagnostics, the cluster map, the
     * recommendations): with deploy/base's main thread (--max-old-space-size=160), the body caches
     * and a reserve it adds up to its 512 MiB memory limit (src/config/memory-budget.ts).
     * A computation that needs more stops the worker (not the daemon): the request answers 503
     * analysis_out_of_memory and the worker restarts. Raise it with the pod's memory limit.
     */
    analysisHeapMb: z.number().int().min(8).max(65_536).default(192),
    /**
     * A computed view (drops, diagnostics, maps…) older than this is not served stale (with
     * X-Data-Stale and Age) while its new version is computed: the request waits for it. The
     * background refresher keeps the whole-store views well within it while it keeps up.
     */
    staleMaxAgeMs: z.number().int().min(0).max(86_400_000).default(600_000),
    /**
     * Edges last seen more than this many days before the newest edge are deleted, at start and
     * then hourly (src/store/retention.ts: relative to the newest observation, not the clock).
     */
    retentionDays: z.number().int().min(1).max(3650).default(30),
  })
  .refine((l) => l.pageSizeDefault <= l.pageSizeMax, {
    message: 'must not exceed pageSizeMax',
    path: ['pageSizeDefault'],
  });

/** The database file's start-up check (src/store/integrity.ts). */
const storageSchema = z.strictObject({
  /** quick: PRAGMA quick_check at start; full: integrity_check (slower, also checks indexes against rows); off. */
  integrityCheck: z.enum(['quick', 'full', 'off']).default('quick'),
  /** The check is abandoned (and the daemon starts, with a warning) after this long. */
  integrityCheckTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
});

/** The alerting loop (src/alerts/dispatcher.ts); every field optional, defaults there. */
const alertingSchema = z.strictObject({
  /** How often the drops report is re-evaluated into alerts. */
  evaluateIntervalSec: z.number().int().min(1).max(3600).default(30),
  dedupWindowSec: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .optional(),
  resolveAfterSec: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .optional(),
  rate: z
    .strictObject({ burst: z.number().int().min(1).max(10_000), perMinute: z.number().min(0.1).max(100_000) })
    .partial()
    .optional(),
  retry: z
    .strictObject({
      initialMs: z.number().int().min(10).max(3_600_000),
      maxMs: z.number().int().min(10).max(86_400_000),
      maxAttempts: z.number().int().min(1).max(100),
    })
    .partial()
    .optional(),
  /** Alertmanager: every firing alert is sent again this often, with endsAt 4 intervals ahead (default 60). */
  keepAliveIntervalSec: z.number().int().min(1).max(3600).optional(),
  /** Resolved alerts, and delivered or failed notifications, older than this are deleted. */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** At most this many resolved alerts are kept (the most recent). */
  maxResolvedAlerts: z.number().int().min(0).max(10_000_000).default(10_000),
  /** Pending notifications beyond this are given up, oldest first (default 10000). */
  maxPendingDeliveries: z.number().int().min(1).max(10_000_000).optional(),
});

/** Shadow mode (src/staged): when a staged set counts as ready, and whether would-drops alert. */
const stagedSchema = z.strictObject({
  /** How long a staged set must have been clean before it is `ready`. */
  cleanPeriodDays: z.number().min(0).max(365).default(7),
  /** Connection starts judged since staging needed before `ready`. */
  minConnections: z.number().int().min(0).max(1_000_000_000).default(100),
  /** Distinct paths judged since staging needed before `ready`. */
  minPaths: z.number().int().min(0).max(1_000_000).default(1),
  /** Send would-drops to the alert sinks (classification `would-drop`). Off by default. */
  alerts: z.boolean().default(false),
});

const demoSchema = z.strictObject({
  /** After the first replay, keep replaying slowly so the live views move. */
  loop: z.boolean().default(true),
  /** Connection starts per second while looping. */
  flowsPerSecond: z.number().min(0.1).max(1000).default(3),
});

export const configSchema = z.strictObject({
  listen: listenAddress.default('127.0.0.1:8080'),
  /** Absent: ./netpol-advisor.db, or ./netpol-advisor-demo.db in demo mode (resolved by loadConfig). */
  db: filePath.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  sources: z.array(sourceSchema).max(64).default([]),
  kubernetes: z
    .strictObject({
      enabled: z.boolean().default(false),
      snapshot: filePath.optional(),
      kubeconfig: filePath.optional(),
      /** Informers relist after this long without a watch event (0: never); a stalled watch cannot hide changes longer. */
      relistAfterMs: z.number().int().min(0).max(86_400_000).default(900_000),
    })
    .default({ enabled: false, relistAfterMs: 900_000 }),
  auth: z
    .strictObject({
      mode: z.enum(['none', 'token', 'kubernetes']).default('none'),
      tokenFile: filePath.optional(),
      /** Token mode: the token that may also change state (shadow mode's stage, promote, retire). */
      writeTokenFile: filePath.optional(),
    })
    .default({ mode: 'none' }),
  alerts: z.array(alertSchema).max(32).default([]),
  alerting: alertingSchema.default(() => alertingSchema.parse({})),
  limits: limitsSchema.default(() => limitsSchema.parse({})),
  storage: storageSchema.default(() => storageSchema.parse({})),
  demo: demoSchema.default(() => demoSchema.parse({})),
  staged: stagedSchema.default(() => stagedSchema.parse({})),
});

/**
 * Rules across fields, checked on the raw (merged, not yet valid) input so they are reported
 * together with every per-field problem: zod skips refinements once a field is invalid.
 */
export function crossFieldProblems(
  raw: Readonly<Record<string, unknown>>,
): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const listenText = typeof raw['listen'] === 'string' ? raw['listen'] : '127.0.0.1:8080';
  const listen = parseListen(listenText);
  const auth = isObject(raw['auth']) ? raw['auth'] : {};
  const mode = auth['mode'] ?? 'none';
  const sources = Array.isArray(raw['sources']) ? (raw['sources'] as unknown[]) : [];
  if (typeof listen !== 'string' && !isLoopbackHost(listen.host)) {
    if (mode === 'none') {
      problems.push({
        path: ['auth', 'mode'],
        message: `"none" is only allowed on a loopback listen address (listen is ${listenText}); use token or kubernetes`,
      });
    }
    if (sources.length === 0) {
      problems.push({
        path: ['listen'],
        message: 'demo mode (no sources) binds a loopback address only, e.g. 127.0.0.1:8080',
      });
    }
  }
  if (mode === 'token' && auth['tokenFile'] === undefined) {
    problems.push({ path: ['auth', 'tokenFile'], message: 'required when auth.mode is token' });
  }
  const names = new Map<string, number>();
  sources.forEach((source, i) => {
    if (!isObject(source)) return;
    const name = typeof source['name'] === 'string' ? source['name'] : `${String(source['type'])}-${i}`;
    if (names.has(name))
      problems.push({
        path: ['sources', i, 'name'],
        message: `duplicate source name "${name}" (also sources[${names.get(name)}])`,
      });
    else names.set(name, i);
  });
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type SourceConfig = z.infer<typeof sourceSchema>;
export type AlertConfig = z.infer<typeof alertSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
export type AlertingConfig = z.infer<typeof alertingSchema>;
export type StagedConfig = z.infer<typeof stagedSchema>;
type ParsedConfig = z.infer<typeof configSchema>;

/** The loaded configuration: db resolved, every source named, deeply frozen. */
export type Config = Readonly<Omit<ParsedConfig, 'db' | 'sources'>> & {
  readonly db: string;
  readonly demoMode: boolean;
  readonly sources: readonly (SourceConfig & { readonly name: string })[];
};

export function defaultSourceName(source: SourceConfig, index: number): string {
  return `${source.type}-${index}`;
}
