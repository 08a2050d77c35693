// `serve` with a hubble-relay source resumes from the resume point committed in its database:
// the first GetFlows asks `since` exactly that time (issue 14 item 8, the daemon's wiring of what
// test/sources/relay-resume.test.ts proves at the source level).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { openStore } from '../../src/store/store.js';
import { waitFor } from '../fakes/fake-clock.js';
import { FakeRelay } from '../fakes/fake-relay.js';
import { tempDir } from '../store/store-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('npa-daemon-resume-')));
afterAll(() => cleanup());

describe('serve with a hubble-relay source', () => {
  it('asks the relay since the committed resume point', async () => {
    const db = path.join(dir, 'flows.db');
    const store = openStore(db);
    store.writeBatch({
      deltas: [],
      accepted: 0,
      rejectedByReason: {},
      resume: [
        { sourceKey: 'hubble-relay:cluster', seconds: 1_777_000_000, nanos: 123_000_000, boundary: ['x'] },
      ],
    });
    store.close();
    const relay = await new FakeRelay().start();
    try {
      const configFile = path.join(dir, 'config.yaml');
      writeFileSync(
        configFile,
        `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(db)}\nsources:\n  - type: hubble-relay\n    name: cluster\n    address: ${JSON.stringify(relay.address)}\n    staleAfterMs: 120000\n`,
      );
      const loaded = loadConfig({ file: configFile, env: {} });
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
      try {
        await waitFor(() => relay.requests.length === 1, 10_000, 'GetFlows');
        expect(relay.requests[0]?.['since']).toEqual({ seconds: 1_777_000_000, nanos: 123_000_000 });
      } finally {
        await daemon.stop();
      }
    } finally {
      await relay.stop();
    }
  }, 30_000);
});
