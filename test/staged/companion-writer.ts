// A child process for the atomicity test of shadow mode's writes: opens the database, stages a
// default deny for `shop` unless one is active, and ingests the given Hubble lines through the
// live evaluation as the daemon runs it (ShadowRecorder around the store, one batch). With
// `--kill`, it SIGKILLs itself inside the batch's transaction, after the edges and the staged
// set's counters are written and before the commit: the real crash the test wants.
//   node --import tsx test/staged/companion-writer.ts DB LINES_FILE [--kill]
import { readFileSync } from 'node:fs';
import { parserFor } from '../../src/flows/parsers.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { ShadowRecorder } from '../../src/store/staged-shadow.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';

const [db, linesFile, kill] = process.argv.slice(2);
if (db === undefined || linesFile === undefined) throw new Error('usage: DB LINES_FILE [--kill]');
const store = openStore(db);
const staged = new StagedStore(db);
if (staged.activeSets().length === 0)
  staged.stage({
    namespace: 'shop',
    flavor: 'k8s',
    origin: 'given',
    policies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
    ],
    by: 'test',
    nowMs: 1,
  });
const killing: FlowStore = {
  ...store,
  writeBatch: (batch) =>
    store.writeBatch({
      ...batch,
      companion: {
        write: (connection) => {
          batch.companion?.write(connection);
          if (kill === '--kill') process.kill(process.pid, 'SIGKILL');
        },
      },
    }),
};
const recorder = new ShadowRecorder({ staged, snapshot: () => undefined, now: () => 2 });
const writer = new BatchWriter({ store: recorder.wrap(killing), batchSize: 100_000 });
const parse = parserFor('hubble');
for (const line of readFileSync(linesFile, 'utf8').split('\n')) if (line !== '') writer.add(parse(line));
writer.flush();
staged.close();
store.close();
