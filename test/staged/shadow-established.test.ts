// Shadow mode and connections established before observation (issue 15 item 3, issue 20): shadow
// counts connection starts, so a Calico record of connections started in an earlier interval or a
// Hubble ACK-only stream adds no connections to a set. Such a path is still judged: a path the
// staged set refuses is a would-drop (enforcing the set would cut the connection at its next
// reconnect) that keeps the set from being clean, is counted as a path, and is reported as new
// once, not once per batch. Real parsers, the real ingest aggregation, a real SQLite file shared
// by the flow store and the staged store, the daemon's ShadowRecorder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkPolicy } from '../../src/policy/model.js';
import type { WouldDropObservation } from '../../src/staged/shadow-evaluator.js';
import { ShadowRecorder } from '../../src/store/staged-shadow.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import { calicoLines, hubbleEndpoint, ipOf, type PodEnd } from '../scenarios/flow-lines.js';
import { ingestLines } from '../scenarios/ingest-lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'npa-shadow-established-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const web: PodEnd = {
  ns: 'shop',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.4.3',
  labels: { app: 'web' },
  workload: { name: 'web', kind: 'Deployment' },
};
const api: PodEnd = {
  ns: 'shop',
  pod: 'api-5f6b7c8d9b-qq4zt',
  ip: '10.0.4.2',
  labels: { app: 'api' },
  workload: { name: 'api', kind: 'Deployment' },
};
const consumer: PodEnd = {
  ns: 'shop',
  pod: 'consumer-6c9d8f7b5-k2j3h',
  ip: '10.0.4.4',
  labels: { app: 'consumer' },
  workload: { name: 'consumer', kind: 'Deployment' },
};
const kafka: PodEnd = {
  ns: 'data',
  pod: 'kafka-0',
  ip: '10.0.5.3',
  labels: { app: 'kafka' },
  workload: { name: 'kafka', kind: 'StatefulSet' },
};

const T0 = 1_777_636_800;
const denyEgress: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-egress', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Egress'] },
};

/** An ACK-only packet of a Kafka connection opened before the capture, is_reply unset. */
function kafkaPacket(second: number, toServer: boolean): string {
  const [from, to, sport, dport] = toServer ? [consumer, kafka, 41000, 9092] : [kafka, consumer, 9092, 41000];
  const time = new Date((T0 + second) * 1000).toISOString();
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: ipOf(from), destination: ipOf(to), ipVersion: 'IPv4' },
      l4: { TCP: { source_port: sport, destination_port: dport, flags: { ACK: true } } },
      source: hubbleEndpoint(from),
      destination: hubbleEndpoint(to),
      Type: 'L3_L4',
    },
  });
}

describe('shadow mode: connections established before observation', () => {
  it('are judged and kept from looking clean, never counted as starts or reported new twice', () => {
    const file = path.join(dir, 'flows.db');
    const flows = openStore(file);
    const staged = new StagedStore(file);
    try {
      const set = staged.stage({
        namespace: 'shop',
        flavor: 'k8s',
        origin: 'given',
        policies: [denyEgress],
        by: 'test',
        nowMs: 1,
      });
      let nowMs = 10;
      const fresh: WouldDropObservation[][] = [];
      const counted: number[] = [];
      const recorder = new ShadowRecorder({
        staged,
        snapshot: () => undefined,
        now: () => nowMs,
        hooks: {
          onNewWouldDrops: (drops) => fresh.push([...drops]),
          onWouldDropConnections: (_ns, connections) => counted.push(connections),
        },
      });
      const store = recorder.wrap(flows);
      const calico = (startSec: number, started: number): string[] =>
        calicoLines({ from: web, to: api, port: 8080, startSec, started });

      // Two connections start; in the next two intervals they are still open (started 0).
      ingestLines(store, 'calico-flowlog', calico(T0, 2));
      nowMs = 20;
      ingestLines(store, 'calico-flowlog', calico(T0 + 300, 0));
      nowMs = 30;
      ingestLines(store, 'calico-flowlog', calico(T0 + 600, 0));
      // A Kafka stream seen only mid-stream, over two batches.
      nowMs = 40;
      ingestLines(store, 'hubble', [kafkaPacket(1, true), kafkaPacket(2, false)]);
      nowMs = 50;
      ingestLines(store, 'hubble', [kafkaPacket(3, true)]);

      const edges = [...flows.iterateEdges()].map(
        (e) => `${e.source.workload}>${e.destination.workload}:${e.port} ${e.count}+${e.established ?? 0}`,
      );
      expect(edges.sort()).toEqual(['consumer>kafka:9092 0+3', 'web>api:8080 2+2']);

      // Connections are starts only; both paths were judged, both would drop, the last just now.
      expect(staged.traffic(set.id)).toMatchObject({
        paths: 2,
        connections: 2,
        unevaluated: 0,
        wouldDropPaths: 2,
        wouldDropConnections: 2,
        lastWouldDropAtMs: 50,
      });
      const drops = staged.wouldDrops(set.id, 10).items.map((d) => [d.port, d.connections, d.lastSeenMs]);
      expect(drops).toEqual([
        [8080, 2, (T0 + 600) * 1000],
        [9092, 0, (T0 + 3) * 1000],
      ]);
      // Each path reported new exactly once; the would-drop counter counts starts.
      expect(fresh.map((batch) => batch.map((d) => d.port))).toEqual([[8080], [9092]]);
      expect(counted).toEqual([2]);
    } finally {
      staged.close();
      flows.close();
    }
  });
});
