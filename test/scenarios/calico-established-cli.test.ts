// Issue 15 item 3 on Calico flow logs, through the real CLI: a long-lived connection whose records
// say `num_flows_started: 0` (started before the window, still open in it) becomes an edge of
// evidence kind `established-before-observation`; `recommend` allows it in every flavour with the
// evidence kind in the annotation, and the replay proof covers it. A record of that kind without
// its port makes no edge and the ingest summary says `missing-port`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../ingest/cli-helpers.js';
import { calicoLines, type PodEnd } from './flow-lines.js';

const pod = (ns: string, name: string, app: string, ip: string, kind: string): PodEnd => ({
  ns,
  pod: name,
  ip,
  labels: { app },
  workload: { name: app, kind },
});
const web = pod('shop', 'web-7d4b9c8f6d-x2k9p', 'web', '10.0.4.3', 'Deployment');
const api = pod('shop', 'api-5f6b7c8d9b-qq4zt', 'api', '10.0.4.2', 'Deployment');
const postgres = pod('data', 'postgres-0', 'postgres', '10.0.5.2', 'StatefulSet');
const kafka = pod('data', 'kafka-0', 'kafka', '10.0.5.3', 'StatefulSet');
const coredns = pod('kube-system', 'coredns-5d78c9869d-7xk2p', 'kube-dns', '10.0.0.10', 'Deployment');

const T0 = 1_777_636_800;
const lines = [
  // A database pool opened before the flow logs were collected: two intervals, no start.
  ...calicoLines({ from: api, to: postgres, port: 5432, startSec: T0, started: 0 }),
  ...calicoLines({ from: api, to: postgres, port: 5432, startSec: T0 + 300, started: 0 }),
  // A connection seen starting, then still open in the next interval.
  ...calicoLines({ from: web, to: api, port: 8080, startSec: T0, started: 1 }),
  ...calicoLines({ from: web, to: api, port: 8080, startSec: T0 + 300, started: 0 }),
  ...[web, api, postgres, kafka].flatMap((from) =>
    calicoLines({ from, to: coredns, port: 53, protocol: 'udp', startSec: T0, started: 1 }),
  ),
];
// The same kind of record without its destination port: no edge, said in the summary.
const portless = calicoLines({ from: api, to: kafka, port: 9092, startSec: T0, started: 0 }).map((l) =>
  JSON.stringify({ ...(JSON.parse(l) as object), dest_port: null }),
);

interface RecommendJson {
  safe: boolean;
  proof: { replayed: number; allowed: number; violations: number };
  warnings: { code: string; subject?: string }[];
  namespaces: Record<string, { safe: boolean; policies: Record<string, unknown>[] }>;
}

let dir = '';
let db = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netpol-calico-established-'));
  db = path.join(dir, 'flows.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Calico records of connections started before observation, through the CLI', () => {
  it('ingest stores them as evidence on the edge as written, and counts the portless one', () => {
    const file = path.join(dir, 'flows.jsonl');
    writeFileSync(file, [...lines, ...portless].join('\n') + '\n');
    const ingest = runCli(['ingest', '--format', 'calico-flowlog', '--db', db, '--json', file]);
    expect(ingest.stderr).toBe('');
    expect(ingest.status).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({
      accepted: lines.length + portless.length,
      edges: 6,
      // Every src report is the other end's; the dst report of the portless record says why.
      noEdgeByReason: { 'other-end-report': lines.length / 2 + 1, 'missing-port': 1 },
    });
    const flows = runCli(['flows', '--db', db, '--json']);
    const edges = JSON.parse(flows.stdout) as {
      source: { workload: string };
      destination: { workload: string };
      port: number | null;
      count: number;
      established: number;
      evidence: string;
    }[];
    const summary = edges
      .filter((e) => e.port !== 53)
      .map(
        (e) =>
          `${e.source.workload}>${e.destination.workload}:${e.port} ${e.count}+${e.established} ${e.evidence}`,
      )
      .sort();
    expect(summary).toEqual([
      'api>postgres:5432 0+2 established-before-observation',
      'web>api:8080 1+1 connection-start',
    ]);
  });

  it.each(['k8s', 'cilium', 'calico'])(
    'recommend --flavor %s allows them, proven by the replay, with the evidence kind annotated',
    (flavor) => {
      const result = runCli(['recommend', '--db', db, '--json', '--flavor', flavor]);
      expect(result.status).toBe(0);
      const out = JSON.parse(result.stdout) as RecommendJson;
      expect(out.safe).toBe(true);
      // Every forwarded edge (the two paths and four DNS edges) replayed and allowed.
      expect(out.proof).toMatchObject({ replayed: 6, allowed: 6, violations: 0 });
      expect(
        out.warnings.filter((w) => w.code === 'established-before-observation').map((w) => w.subject),
      ).toEqual(['shop/api -> data/postgres TCP/5432']);
      const data = JSON.stringify(out.namespaces['data']?.policies);
      expect(data).toContain('shop/api (Deployment) TCP/5432 x0 (established before observation)');
      const rule =
        flavor === 'k8s'
          ? '"from":[{"podSelector":{"matchLabels":{"app":"api"}},"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"shop"}}}],"ports":[{"protocol":"TCP","port":5432}]'
          : flavor === 'cilium'
            ? '"fromEndpoints":[{"matchLabels":{"app":"api","k8s:io.kubernetes.pod.namespace":"shop"}}],"toPorts":[{"ports":[{"port":"5432","protocol":"TCP"}]}]'
            : '"source":{"selector":"app == \'api\'","namespaceSelector":"kubernetes.io/metadata.name == \'shop\'"},"destination":{"ports":[5432]}';
      expect(data).toContain(rule);
      if (flavor === 'calico')
        expect(data).toContain(
          '2 mid-stream packets or records of connections established before observation',
        );
    },
  );
});
