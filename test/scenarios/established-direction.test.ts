// Issue 15 item 3: a connection established before observation toward a high port (a gRPC server
// listening on 40000) whose server also connects back to its client. The recommender takes an
// established-only edge toward an ephemeral port, against a pair seen starting the other way, as
// the replies of that pair read backwards, but only when the direction of its evidence was
// inferred from ports and flags: Hubble's explicit `is_reply: false` or a Calico record (reported
// by the initiator) says which way the connection runs, and the path gets its allow rule.
// Hubble through the store's ingest parser, SQLite, the recommender and the replay proof; Calico
// flow logs through the real CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../ingest/cli-helpers.js';
import { calicoLines, hubbleMidStreamLine, hubbleLines, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const pod = (ns: string, name: string, app: string, ip: string, kind = 'Deployment'): PodEnd => ({
  ns,
  pod: name,
  ip,
  labels: { app },
  workload: { name: app, kind },
});
const gateway = pod('shop', 'gateway-7d4b9c8f6d-x2k9p', 'gateway', '10.0.4.3');
const model = pod('ml', 'model-5f6b7c8d9b-qq4zt', 'model', '10.0.6.2');
const coredns = pod('kube-system', 'coredns-5d78c9869d-7xk2p', 'kube-dns', '10.0.0.10');
const GRPC_PORT = 40000;

/** gateway → model:40000, a stream that started before the capture; model also calls gateway:8080. */
function capture(isReply: (toServer: boolean) => boolean | undefined): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 5; i++) {
    lines.push(hubbleMidStreamLine(gateway, model, 45000, GRPC_PORT, isReply(true), T0 + i * 1000));
    lines.push(hubbleMidStreamLine(model, gateway, GRPC_PORT, 45000, isReply(false), T0 + i * 1000 + 1));
  }
  lines.push(...hubbleLines({ from: model, to: gateway, port: 8080, timeMs: T0 }));
  for (const from of [gateway, model])
    lines.push(...hubbleLines({ from, to: coredns, port: 53, protocol: 'UDP', timeMs: T0 }));
  return lines;
}

const STREAM = 'shop/gateway -> ml/model TCP/40000';

describe('an established-only edge toward a high port, the reverse pair seen starting', () => {
  it('is_reply false: the direction was observed, the path is allowed (warned), proven by the replay', () => {
    const run = runScenario([{ format: 'hubble', lines: capture((toServer) => !toServer) }]);
    const edge = run.edges.find((e) => e.port === GRPC_PORT);
    expect(edge).toMatchObject({ count: 0, established: 5, establishedObserved: 5 });
    expect(edge?.source.workload).toBe('gateway');
    expectSoundProposal(run, ['ml', 'shop'], coredns, [gateway, model]);
    expect(run.allowed(gateway, model, GRPC_PORT)).toBe(true);
    expect(run.allowed(model, gateway, 8080)).toBe(true);
    const warning = run.recommendation.warnings.find((w) => w.subject === STREAM);
    expect(warning?.code).toBe('established-before-observation');
    expect(warning?.message).toContain('allowed');
    expect(warning?.message).not.toContain('taken as replies');
  });

  it('is_reply unset: the ports oriented it, taken as replies of the reverse pair (not allowed, warned)', () => {
    const run = runScenario([{ format: 'hubble', lines: capture(() => undefined) }]);
    const edge = run.edges.find((e) => e.port === GRPC_PORT);
    // Both ports ephemeral: the lower one is taken as the server's, both directions fold into one edge.
    expect(edge).toMatchObject({ count: 0, established: 10, establishedObserved: 0 });
    expect(run.allowed(gateway, model, GRPC_PORT)).toBe(false);
    expect(run.allowed(model, gateway, 8080)).toBe(true);
    const warning = run.recommendation.warnings.find((w) => w.subject === STREAM);
    expect(warning?.code).toBe('established-before-observation');
    expect(warning?.message).toContain('taken as replies');
    // Declared to the replay proof: a known gap (conntrack passes replies), not a violation.
    expect(run.proof.violations).toEqual([]);
    expect(run.proof.knownGaps).toBe(1);
    expect(run.recommendation.uncovered.map((u) => u.code)).toEqual(['established-before-observation']);
    expect(run.recommendation.unsafe).toEqual([]);
  });
});

describe('the same Hubble captures through the CLI: ingest, then recommend', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-established-direction-hubble-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['false', true],
    ['unset', false],
  ] as const)('is_reply %s: exit 0, the stream allowed: %s', (isReply, allowed) => {
    const db = path.join(dir, `${isReply}.db`);
    const file = path.join(dir, `${isReply}.jsonl`);
    writeFileSync(
      file,
      capture((toServer) => (isReply === 'false' ? !toServer : undefined)).join('\n') + '\n',
    );
    expect(runCli(['ingest', '--format', 'hubble', '--db', db, file]).status).toBe(0);
    const result = runCli(['recommend', '--db', db, '--json']);
    expect(result.stderr).not.toContain('BUG');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as {
      proof: { violations: number };
      namespaces: Record<string, { policies: unknown[] }>;
    };
    expect(out.proof.violations).toBe(0);
    expect(JSON.stringify(out.namespaces['ml']?.policies).includes('"port":40000')).toBe(allowed);
  });
});

describe('a Calico flow-log record of connections started earlier, toward a high port, through the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-established-direction-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sec = Math.floor(T0 / 1000);
  const lines = [
    ...calicoLines({ from: gateway, to: model, port: GRPC_PORT, startSec: sec, started: 0 }),
    ...calicoLines({ from: model, to: gateway, port: 8080, startSec: sec, started: 1 }),
    ...[gateway, model].flatMap((from) =>
      calicoLines({ from, to: coredns, port: 53, protocol: 'udp', startSec: sec, started: 1 }),
    ),
  ];

  it('is allowed: Calico reports every record by its initiator', () => {
    const db = path.join(dir, 'flows.db');
    const file = path.join(dir, 'flows.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const ingest = runCli(['ingest', '--format', 'calico-flowlog', '--db', db, file]);
    expect(ingest.status).toBe(0);
    const edges = JSON.parse(runCli(['flows', '--db', db, '--json']).stdout) as {
      port: number;
      count: number;
      established: number;
      establishedObserved: number;
    }[];
    expect(edges.find((e) => e.port === GRPC_PORT)).toMatchObject({
      count: 0,
      established: 1,
      establishedObserved: 1,
    });
    const result = runCli(['recommend', '--db', db, '--json']);
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as {
      proof: { replayed: number; allowed: number; violations: number };
      warnings: { code: string; subject?: string; message: string }[];
      namespaces: Record<string, { policies: unknown[] }>;
    };
    expect(out.proof).toMatchObject({ replayed: 4, allowed: 4, violations: 0 });
    const warning = out.warnings.find((w) => w.subject === STREAM);
    expect(warning?.message).not.toContain('taken as replies');
    expect(JSON.stringify(out.namespaces['ml']?.policies)).toContain('"port":40000');
  });
});
