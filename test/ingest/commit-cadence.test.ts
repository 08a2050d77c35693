// How often a long ingest commits (issue 14, "tests that must exist"): the line bound is
// DEFAULT_BATCH_SIZE (1,000,000, as docs/cli.md says), and a one-shot read of a large file also
// commits whenever its pending batch is BULK_FLUSH_INTERVAL_MS old, so a kill near the end of the
// file loses at most that much work. The clock is injected: it advances per line parsed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { ingestParserFor } from '../../src/flows/parsers.js';
import type { IngestParser } from '../../src/flows/flow.js';
import { DEFAULT_BATCH_SIZE, type BatchStats } from '../../src/ingest/batch-writer.js';
import { BULK_FLUSH_INTERVAL_MS, ingestInput } from '../../src/ingest/file-ingest.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../store/store-helpers.js';
import { repoRoot, runCli } from './cli-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-cadence-')));
afterAll(() => cleanup());

describe('ingest commit cadence', () => {
  it('docs/cli.md shows the `ingest --help` the code prints, with the 1,000,000-line batch default', () => {
    expect(DEFAULT_BATCH_SIZE).toBe(1_000_000);
    const help = runCli(['ingest', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(
      `--batch-size N     most lines per transaction (default ${DEFAULT_BATCH_SIZE};`,
    );
    const doc = readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## `ingest`'));
    const block = /```text\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(help.stdout);
  }, 60_000);

  it('a long one-shot ingest commits every BULK_FLUSH_INTERVAL_MS of work, far below the line bound', async () => {
    const lines = [
      ...generateHubbleLines({ flows: 15_000, seed: 5, namespaces: 3, workloadsPerNamespace: 8 }),
    ];
    const file = path.join(dir, 'long.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const store = openStore(path.join(dir, 'long.db'));
    const msPerLine = 4; // 15,000 lines = 60 s of parsing on the injected clock
    let nowMs = 0;
    const parse = ingestParserFor('hubble', { year: 2026 });
    const slowParser: IngestParser = (line) => {
      nowMs += msPerLine;
      return parse(line);
    };
    const batches: BatchStats[] = [];
    try {
      const totals = await ingestInput({
        store,
        parser: slowParser,
        input: { path: file },
        now: () => nowMs,
        onBatch: (stats) => batches.push(stats),
      });
      expect(totals.accepted).toBe(lines.length);
      const linesPerInterval = BULK_FLUSH_INTERVAL_MS / msPerLine;
      expect(batches.length).toBeGreaterThanOrEqual(Math.floor(lines.length / (linesPerInterval + 1)));
      for (const batch of batches) expect(batch.lines).toBeLessThanOrEqual(linesPerInterval + 1);
      // Every batch carries the file offset it reached: a kill after any of them resumes there.
      const offsets = batches.map((b) => b.checkpoint?.offset ?? -1);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(batches.length);
      expect(store.checkpoint(path.resolve(file))?.offset).toBe(offsets.at(-1));
    } finally {
      store.close();
    }
  });
});
