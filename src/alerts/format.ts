// Payloads per sink format, built from a stored alert. Everything in an alert comes from flow or
// cluster data (attacker-controlled): values are bounded, and escaped for Slack's mrkdwn.
import type { AlertRecord, AlertStatus } from '../store/alerts.js';

export interface Notification {
  readonly alert: AlertRecord;
  readonly event: AlertStatus;
  readonly idempotencyKey: string;
  readonly sentAtMs: number;
  /** Alertmanager: the `endsAt` of a firing alert (a few keep-alive intervals after sentAtMs). */
  readonly validUntilMs?: number;
}

const MAX_VALUE_CHARS = 256;

function bound(text: string, max = MAX_VALUE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

interface DetailView {
  source?: Record<string, unknown>;
  destination?: Record<string, unknown>;
  port?: number | null;
  protocol?: string;
  evidence?: string[];
  deniedBy?: string[];
  fix?: unknown[];
}

function detailOf(alert: AlertRecord): DetailView {
  const d = alert.detail;
  return typeof d === 'object' && d !== null ? d : {};
}

function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === null || value === undefined
      ? ''
      : JSON.stringify(value);
}

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

/** Generic webhook: the alert as JSON, with the idempotency key for receivers that dedupe. */
export function webhookPayload(n: Notification): Record<string, unknown> {
  const d = detailOf(n.alert);
  return {
    version: '1',
    idempotencyKey: n.idempotencyKey,
    status: n.event,
    classification: n.alert.classification,
    summary: n.alert.summary,
    source: d.source ?? null,
    destination: d.destination ?? null,
    port: d.port ?? null,
    protocol: d.protocol ?? null,
    count: n.alert.count,
    firstSeen: iso(n.alert.firstSeenMs),
    lastSeen: iso(n.alert.lastSeenMs),
    startsAt: iso(n.alert.startedMs),
    ...(n.event === 'resolved' ? { endsAt: iso(n.alert.resolvedMs ?? n.sentAtMs) } : {}),
    evidence: d.evidence ?? [],
    deniedBy: d.deniedBy ?? [],
    fix: d.fix ?? [],
  };
}

/** Slack mrkdwn control characters (api.slack.com formatting: escape &, <, >). */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming webhook: `text` (fallback and notifications) plus Block Kit `blocks`. */
export function slackPayload(n: Notification): { text: string; blocks: unknown[] } {
  const d = detailOf(n.alert);
  const head =
    n.event === 'resolved'
      ? 'Resolved: blocked traffic stopped'
      : `Blocked traffic (${n.alert.classification})`;
  const summary = escapeSlack(bound(n.alert.summary));
  const lines = [
    `*${escapeSlack(head)}*: ${summary}`,
    `${n.alert.count} connection(s) dropped, last at ${iso(n.alert.lastSeenMs) ?? ''}`,
    ...(d.deniedBy !== undefined && d.deniedBy.length > 0
      ? [`Denied by: ${escapeSlack(bound(d.deniedBy.join(', ')))}`]
      : []),
    ...(d.evidence ?? []).slice(0, 3).map((e) => `• ${escapeSlack(bound(text(e)))}`),
  ];
  return {
    text: `${head}: ${summary}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: bound(head, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: bound(lines.join('\n'), 3000) } },
    ],
  };
}

/**
 * One Alertmanager v2 postable alert. Alertmanager's client contract (what Prometheus does): a
 * firing alert carries `endsAt` a few re-send intervals ahead (`validUntilMs`), so it stays active
 * exactly as long as it is re-sent, whatever `resolve_timeout` is; a resolved alert carries
 * `endsAt` = the time it resolved. An alert resolved by now is always sent as resolved, even by a
 * late firing delivery, so a retried notification can never re-open it.
 */
export function alertmanagerAlert(
  alert: AlertRecord,
  generatorBaseUrl: string,
  validUntilMs: number | undefined,
): Record<string, unknown> {
  const d = detailOf(alert);
  const src = d.source ?? {};
  const dst = d.destination ?? {};
  const labels: Record<string, string> = {
    alertname: 'NetpolBlockedTraffic',
    classification: alert.classification,
    severity: alert.classification === 'suspicious' ? 'info' : 'warning',
    protocol: text(d.protocol),
    port: text(d.port),
  };
  for (const [prefix, side] of [
    ['source', src],
    ['destination', dst],
  ] as const) {
    for (const key of ['namespace', 'workload', 'ip'] as const) {
      const v = side[key];
      if (typeof v === 'string' && v !== '') labels[`${prefix}_${key}`] = bound(v, 128);
    }
  }
  const namespace =
    typeof dst['namespace'] === 'string'
      ? dst['namespace']
      : typeof src['namespace'] === 'string'
        ? src['namespace']
        : '';
  const body: Record<string, unknown> = {
    labels,
    annotations: {
      summary: bound(alert.summary),
      description: bound((d.evidence ?? []).map(text).join('; '), 2000),
      denied_by: bound((d.deniedBy ?? []).join(', ')),
      fix: bound(JSON.stringify(d.fix ?? []), 4000),
    },
    startsAt: iso(alert.startedMs),
    generatorURL: `${generatorBaseUrl.replace(/\/+$/, '')}/api/v1/drops?namespace=${encodeURIComponent(namespace)}`,
  };
  if (alert.status === 'resolved') body['endsAt'] = iso(alert.resolvedMs);
  else if (validUntilMs !== undefined) body['endsAt'] = iso(validUntilMs);
  return body;
}

/** Alertmanager v2 `POST /api/v2/alerts` body for one outbox notification. */
export function alertmanagerPayload(n: Notification, generatorBaseUrl: string): Record<string, unknown>[] {
  const alert =
    n.event === 'resolved' && n.alert.status !== 'resolved'
      ? { ...n.alert, status: 'resolved' as const, resolvedMs: n.sentAtMs }
      : n.alert;
  return [alertmanagerAlert(alert, generatorBaseUrl, n.validUntilMs)];
}
