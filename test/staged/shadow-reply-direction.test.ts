// Shadow mode and replies read backwards (issue 15 item 3): mid-stream packets with is_reply unset
// toward a high port, whose reverse pair was seen starting, are replies of that pair, not a
// connection; the recommender proposes no rule for them, so a staged set that refuses them has
// no would-drop for them (whether the start came in an earlier, committed batch or in the same
// one). The same stream with is_reply false is a connection: a set that refuses it would cut it.
// Real parsers, the real ingest aggregation, one real SQLite file shared by the flow store and the
// staged store, the daemon's ShadowRecorder.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkPolicy } from '../../src/policy/model.js';
import { ShadowRecorder } from '../../src/store/staged-shadow.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';
import { hubbleMidStreamLine, hubbleLines, type PodEnd } from '../scenarios/flow-lines.js';
import { ingestLines } from '../scenarios/ingest-lines.js';
import { tempDir } from '../store/store-helpers.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const gateway: PodEnd = {
  ns: 'shop',
  pod: 'gateway-7d4b9c8f6d-x2k9p',
  ip: '10.0.4.3',
  labels: { app: 'gateway' },
  workload: { name: 'gateway', kind: 'Deployment' },
};
const model: PodEnd = {
  ns: 'ml',
  pod: 'model-5f6b7c8d9b-qq4zt',
  ip: '10.0.6.2',
  labels: { app: 'model' },
  workload: { name: 'model', kind: 'Deployment' },
};
const denyIngress: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-ingress', namespace: 'ml' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

/** gateway:45000 ↔ model:40000 mid-stream, both ways. */
function stream(isReply: (toServer: boolean) => boolean | undefined): string[] {
  return [0, 1, 2].flatMap((i) => [
    hubbleMidStreamLine(gateway, model, 45000, 40000, isReply(true), T0 + i * 1000),
    hubbleMidStreamLine(model, gateway, 40000, 45000, isReply(false), T0 + i * 1000 + 1),
  ]);
}
/** model → gateway:8080, seen starting (the reverse pair). */
const reverseStart = hubbleLines({ from: model, to: gateway, port: 8080, timeMs: T0 });

let dir: string;
let cleanup: () => void;
let flows: FlowStore;
let staged: StagedStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('npa-shadow-reply-'));
  const file = path.join(dir, 'flows.db');
  flows = openStore(file);
  staged = new StagedStore(file);
});
afterEach(() => {
  staged.close();
  flows.close();
  cleanup();
});

function shadowRun(batches: string[][]): { ports: (number | null)[]; paths: number } {
  const set = staged.stage({
    namespace: 'ml',
    flavor: 'k8s',
    origin: 'given',
    policies: [denyIngress],
    by: 'test',
    nowMs: 1,
  });
  const recorder = new ShadowRecorder({ staged, snapshot: () => undefined, now: () => 10 });
  const store = recorder.wrap(flows);
  for (const lines of batches) ingestLines(store, 'hubble', lines);
  return {
    ports: staged.wouldDrops(set.id, 10).items.map((d) => d.port),
    paths: staged.traffic(set.id).paths,
  };
}

describe('shadow mode: replies read backwards are not judged', () => {
  it('is_reply unset, the reverse start in an earlier batch: no would-drop', () => {
    const run = shadowRun([reverseStart, stream(() => undefined)]);
    expect([...flows.iterateEdges()].find((e) => e.port === 40000)).toMatchObject({
      count: 0,
      established: 6,
      establishedObserved: 0,
    });
    expect(run.ports).toEqual([]);
  });

  it('is_reply unset, the reverse start in the same batch: no would-drop', () => {
    expect(shadowRun([[...reverseStart, ...stream(() => undefined)]]).ports).toEqual([]);
  });

  it('is_reply unset without the reverse pair started: a connection, the set would cut it', () => {
    expect(shadowRun([stream(() => undefined)]).ports).toEqual([40000]);
  });

  it('is_reply false: the direction was reported, a connection the set would cut', () => {
    expect(shadowRun([reverseStart, stream((toServer) => !toServer)]).ports).toEqual([40000]);
  });
});
