// Issue 17: the daemon against a real Alertmanager (Debian's prometheus-alertmanager, clustering
// off, state in a temp dir) with a webhook receiver of the test's own (send_resolved: true). Flows
// arrive through a file source; checks go through Alertmanager's /api/v2/alerts and what it
// notifies. resolve_timeout (1 s) is shorter than the daemon's keep-alive interval (2 s): an alert
// posted without endsAt would resolve between two re-sends and fire again (the flapping of the
// issue); with endsAt 4 intervals ahead it stays active as long as its drops continue.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { AlertReceiver } from '../fakes/alert-receiver.js';
import {
  findBinary,
  freePort,
  isCi,
  requirePath,
  skipUnlessPresent,
  startBinary,
  tryGet,
  type RunningBinary,
} from './binaries.js';
import { hubbleLine, type PodRef } from './hubble-lines.js';

const alertmanager = findBinary('prometheus-alertmanager');
const promtool = findBinary('promtool');
const MIN = 60_000;
const RESOLVE_TIMEOUT_SEC = 1;
const KEEP_ALIVE_SEC = 2;
const RESOLVE_AFTER_SEC = 4;

const frontend: PodRef = { namespace: 'shop', workload: 'frontend', ip: '10.0.1.10' };
const cart: PodRef = { namespace: 'shop', workload: 'cart', ip: '10.0.1.20' };
const postgres: PodRef = { namespace: 'data', workload: 'postgres', ip: '10.0.2.30' };
const report: PodRef = { namespace: 'batch', workload: 'report', ip: '10.0.3.40' };
const ledger: PodRef = { namespace: 'billing', workload: 'ledger', ip: '10.0.4.50' };

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}
interface AmNotification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

describe.skipIf(skipUnlessPresent(alertmanager))('alerts through a real Alertmanager', () => {
  let dir: string;
  let am: RunningBinary;
  let amBase: string;
  let receiver: AlertReceiver;
  let daemon: Daemon | undefined;
  const flowFile = (): string => path.join(dir, 'flows.log');

  beforeAll(async () => {
    const bin = requirePath(alertmanager);
    dir = mkdtempSync(path.join(tmpdir(), 'npa-alertmanager-'));
    receiver = new AlertReceiver();
    await receiver.start();
    const port = await freePort();
    amBase = `http://127.0.0.1:${port}`;
    writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      [
        'global:',
        `  resolve_timeout: ${RESOLVE_TIMEOUT_SEC}s`,
        'route:',
        '  receiver: test',
        "  group_by: ['...']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: test',
        '    webhook_configs:',
        `      - url: ${receiver.baseUrl}/am-hook`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    mkdirSync(path.join(dir, 'am-data'));
    am = startBinary(bin, [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    await vi.waitFor(
      async () => {
        if (am.child.exitCode !== null) throw new Error(`alertmanager exited: ${am.output()}`);
        expect((await tryGet(`${amBase}/-/ready`))?.status).toBe(200);
      },
      { timeout: 20_000, interval: 50 },
    );
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await am?.stop();
    await receiver?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function amAlerts(): Promise<AmAlert[]> {
    const res = await fetch(`${amBase}/api/v2/alerts`);
    expect(res.status).toBe(200);
    return (await res.json()) as AmAlert[];
  }
  const notifications = (): AmNotification[] =>
    receiver.requests.filter((r) => r.path === '/am-hook').map((r) => r.body as AmNotification);
  /** What Alertmanager told the receiver about one destination workload, in order. */
  const toldAbout = (workload: string): string[] =>
    notifications().flatMap((n) =>
      n.alerts.filter((a) => a.labels['destination_workload'] === workload).map((a) => a.status),
    );

  it('one alert per blocked path, a regression as regression; it stays firing past resolve_timeout while dropping, and resolves after', async () => {
    const now = Date.now();
    // Forwarded 11 minutes (cart) and 2 days (postgres) before the drops; report → ledger never
    // forwarded and tried once: unknown, which the default sink classes leave out.
    writeFileSync(
      flowFile(),
      [
        ...[0, 1, 2].map((i) => hubbleLine(frontend, cart, 8080, 'FORWARDED', now - 11 * MIN + i * 1000)),
        ...[0, 1, 2].map((i) =>
          hubbleLine(frontend, postgres, 5432, 'FORWARDED', now - 2 * 24 * 60 * MIN + i * 1000),
        ),
        hubbleLine(frontend, cart, 8080, 'DROPPED', now),
        hubbleLine(frontend, postgres, 5432, 'DROPPED', now),
        hubbleLine(report, ledger, 5432, 'DROPPED', now),
      ].join(''),
    );
    const config = path.join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'listen: "127.0.0.1:0"',
        `db: ${JSON.stringify(path.join(dir, 'netpol.db'))}`,
        'sources:',
        '  - type: file',
        '    format: hubble',
        `    path: ${JSON.stringify(flowFile())}`,
        'alerts:',
        '  - type: alertmanager',
        `    url: ${amBase}`,
        'alerting:',
        '  evaluateIntervalSec: 1',
        `  resolveAfterSec: ${RESOLVE_AFTER_SEC}`,
        `  keepAliveIntervalSec: ${KEEP_ALIVE_SEC}`,
        'limits:',
        '  flushIntervalMs: 100',
        '',
      ].join('\n'),
    );
    const loaded = loadConfig({ file: config, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });

    // Both regressions reach Alertmanager, once each, with their labels and annotations.
    await vi.waitFor(async () => expect(await amAlerts()).toHaveLength(2), {
      timeout: 20_000,
      interval: 100,
    });
    const alerts = await amAlerts();
    const byDestination = new Map(alerts.map((a) => [a.labels['destination_workload'], a]));
    expect([...byDestination.keys()].sort()).toEqual(['cart', 'postgres']);
    const cartAlert = byDestination.get('cart');
    expect(cartAlert?.labels).toEqual({
      alertname: 'NetpolBlockedTraffic',
      classification: 'regression',
      severity: 'warning',
      protocol: 'TCP',
      port: '8080',
      source_namespace: 'shop',
      source_workload: 'frontend',
      destination_namespace: 'shop',
      destination_workload: 'cart',
    });
    expect(cartAlert?.status.state).toBe('active');
    expect(cartAlert?.annotations['summary']).toBe('shop/frontend → shop/cart TCP/8080 blocked (regression)');
    expect(cartAlert?.annotations['description']).toMatch(/forwarded/);
    expect(cartAlert?.generatorURL).toMatch(/\/api\/v1\/drops\?namespace=shop$/);
    expect(Date.parse(cartAlert?.endsAt ?? '')).toBeGreaterThan(Date.now());
    expect(byDestination.get('postgres')?.labels).toMatchObject({
      classification: 'regression',
      destination_namespace: 'data',
      port: '5432',
    });

    // cart keeps dropping; postgres does not. Watch for 5 × resolve_timeout (2.5 keep-alive intervals).
    const watchStart = Date.now();
    const missing: number[] = [];
    await vi.waitFor(
      async () => {
        appendFileSync(flowFile(), hubbleLine(frontend, cart, 8080, 'DROPPED', Date.now()));
        const active = (await amAlerts()).filter(
          (a) => a.labels['destination_workload'] === 'cart' && a.status.state === 'active',
        );
        if (active.length !== 1) missing.push(Date.now() - watchStart);
        if (Date.now() - watchStart < 5 * RESOLVE_TIMEOUT_SEC * 1000) throw new Error('still watching');
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(missing).toEqual([]);
    expect(toldAbout('cart')).toEqual(['firing']);

    // postgres stopped dropping at the start: resolved by the daemon after resolveAfterSec, and told.
    await vi.waitFor(() => expect(toldAbout('postgres')).toEqual(['firing', 'resolved']), {
      timeout: 20_000,
      interval: 100,
    });

    // cart stops: resolved after resolveAfterSec, sent once with endsAt, and Alertmanager tells the receiver.
    await vi.waitFor(
      async () => {
        expect(toldAbout('cart')).toEqual(['firing', 'resolved']);
        expect(await amAlerts()).toEqual([]);
      },
      { timeout: 20_000, interval: 100 },
    );
    // Nothing about the unknown path, and nothing twice.
    expect(toldAbout('ledger')).toEqual([]);
    expect(toldAbout('postgres')).toEqual(['firing', 'resolved']);

    // The daemon's figures after all that: two firing and two resolved notifications delivered,
    // the re-sends counted, nothing failed; and promtool still has nothing to say.
    const metrics = await (await fetch(`http://127.0.0.1:${daemon.address.port}/metrics`)).text();
    const value = (series: string): number =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    expect(value('netpol_advisor_alerts_sent_total{sink="alertmanager-0"}')).toBe(4);
    expect(value('netpol_advisor_alerts_failed_total{sink="alertmanager-0"}')).toBe(0);
    expect(value('netpol_advisor_alertmanager_resend_failures_total{sink="alertmanager-0"}')).toBe(0);
    expect(
      value('netpol_advisor_alertmanager_resent_alerts_total{sink="alertmanager-0"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(value('netpol_advisor_alerts_firing{classification="regression"}')).toBe(0);
    if (promtool.path !== undefined || isCi) {
      const check = spawnSync(requirePath(promtool), ['check', 'metrics'], {
        input: metrics,
        encoding: 'utf8',
      });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    }
  }, 90_000);
});
