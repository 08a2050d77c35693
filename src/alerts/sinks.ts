// Alert sinks: generic webhook (JSON), Slack incoming webhook, Alertmanager v2, and the log.
// Each send returns an outcome instead of throwing: 2xx is sent; 429, 5xx and connection errors
// are retryable; any other 4xx is permanent (retrying a bad request cannot succeed). URLs are
// secrets: errors and displays carry the host only.
import type { Classification } from '../drops/types.js';
import { ALERTING_CLASSIFICATIONS } from '../drops/types.js';
import type { AlertRecord } from '../store/alerts.js';
import {
  alertmanagerAlert,
  alertmanagerPayload,
  slackPayload,
  webhookPayload,
  type Notification,
} from './format.js';
import { redactUrl } from './redact.js';

export type SinkType = 'webhook' | 'slack' | 'alertmanager' | 'log';

export interface SinkConfig {
  readonly type: SinkType;
  /** Required except for `log`. For alertmanager, the base URL (…/api/v2/alerts is appended). */
  readonly url?: string;
  readonly timeoutMs?: number;
  /** Classes this sink receives; default regression, dns, expected-by-baseline, likely-legitimate. */
  readonly classifications?: readonly Classification[];
}

export type SendOutcome =
  | { readonly ok: true; readonly status?: number }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly error: string;
      readonly retryAfterMs?: number;
    };

export interface Sink {
  /** Stable id used in the outbox: `<type>-<index>`. */
  readonly id: string;
  readonly type: SinkType;
  /** For logs and the API: type and host, never the URL's path or query. */
  readonly display: string;
  readonly classifications: ReadonlySet<string>;
  send(notification: Notification): Promise<SendOutcome>;
  /**
   * Receivers that keep alert state (Alertmanager) are told of every firing alert again at the
   * keep-alive interval, as Prometheus does, instead of deduplicated re-notifications; they are
   * not rate-limited either (the dispatcher's dedup and token bucket are for people's inboxes).
   */
  readonly keepAlive?: (alerts: readonly AlertRecord[], validUntilMs: number) => Promise<SendOutcome>;
}

export interface AlertLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface SinkDeps {
  readonly logger: AlertLogger;
  /** Base URL of this service for Alertmanager's generatorURL. */
  readonly generatorBaseUrl?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  return undefined;
}

function errorText(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  return error instanceof Error ? error.name : 'error';
}

export async function postJson(
  url: string,
  body: unknown,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    return { ok: false, retryable: true, error: `connection failed (${errorText(error)})` };
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.ok) return { ok: true, status: response.status };
  const retryable = response.status === 429 || response.status >= 500;
  const after = retryAfterMs(response.headers.get('retry-after'));
  return {
    ok: false,
    retryable,
    error: `HTTP ${response.status}`,
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  };
}

export function alertmanagerUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v2/alerts') ? trimmed : `${trimmed}/api/v2/alerts`;
}

export function createSink(config: SinkConfig, index: number, deps: SinkDeps): Sink {
  const id = `${config.type}-${index}`;
  const classifications = new Set<string>(config.classifications ?? ALERTING_CLASSIFICATIONS);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (config.type === 'log') {
    return {
      id,
      type: 'log',
      display: 'log',
      classifications,
      send: (n) => {
        deps.logger.warn(
          {
            alert: {
              event: n.event,
              classification: n.alert.classification,
              summary: n.alert.summary,
              count: n.alert.count,
              key: n.idempotencyKey,
            },
          },
          n.event === 'resolved' ? 'blocked traffic resolved' : 'blocked traffic',
        );
        return Promise.resolve({ ok: true });
      },
    };
  }
  const url = config.url;
  if (url === undefined) throw new Error(`alerts[${index}] (${config.type}): url is required`);
  const display = `${config.type} ${redactUrl(url)}`;
  const base = deps.generatorBaseUrl ?? 'http://127.0.0.1:8080';
  switch (config.type) {
    case 'webhook':
      return {
        id,
        type: 'webhook',
        display,
        classifications,
        send: (n) => postJson(url, webhookPayload(n), n.idempotencyKey, timeoutMs),
      };
    case 'slack':
      return {
        id,
        type: 'slack',
        display,
        classifications,
        send: (n) => postJson(url, slackPayload(n), n.idempotencyKey, timeoutMs),
      };
    case 'alertmanager': {
      const target = alertmanagerUrl(url);
      return {
        id,
        type: 'alertmanager',
        display,
        classifications,
        send: (n) => postJson(target, alertmanagerPayload(n, base), n.idempotencyKey, timeoutMs),
        keepAlive: (alerts, validUntilMs) =>
          postJson(
            target,
            alerts.map((a) => alertmanagerAlert(a, base, validUntilMs)),
            `keepalive-${validUntilMs}`,
            timeoutMs,
          ),
      };
    }
  }
}
