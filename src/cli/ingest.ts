// `netpol-advisor ingest`: reads flow events from files (resuming from their checkpoints, so a
// re-run or a run after SIGKILL ingests each line exactly once) or stdin into the store.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { RejectReason } from '../flows/flow.js';
import { ingestParserFor, isFlowFormat, sniffFormat, type FlowFormat } from '../flows/parsers.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_EDGES, type RunTotals } from '../sources/batch-writer.js';
import { ingestInput } from '../sources/file-ingest.js';
import { openWriteStore } from './open-db.js';
import { defaultDbPath, parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';
import { createProgressBar } from './progress.js';

const HELP = `usage: netpol-advisor ingest --format hubble|calico-flowlog|calico-iptables|auto [options] PATH... | -

Reads flow events (one per line) from files or stdin (-) into the store. Each file's offset is
committed with the edges it produced, so running again ingests only lines not yet ingested,
and runs reading the same file at once (or a run and the daemon's file source) store each line
once: a batch whose file another writer has moved on is rolled back and read again from there.

options:
  --format F         hubble, calico-flowlog, calico-iptables, or auto (sniffed per file)
  --db FILE          the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --follow           keep reading as the files grow, through rotation and truncation
  --json             print {"accepted", "rejected", "rejectedByReason", "edges"} for this run
                     (edges: the total in the store afterwards)
  --batch-size N     most lines per transaction (default ${DEFAULT_BATCH_SIZE}; a batch is also
                     written once it holds ${DEFAULT_MAX_BATCH_EDGES} distinct edges or is 10 s old)
  -h, --help         this help
`;

const SNIFF_BYTES = 64 * 1024;

interface Input {
  readonly name: string;
  readonly handle?: FileHandle;
  format: FlowFormat;
}

async function openInput(name: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(name, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read ${name}: ${why}`, { cause: error });
  }
  const info = await handle.stat();
  if (!info.isFile() && !info.isFIFO()) {
    await handle.close();
    throw new UsageError(`cannot read ${name}: not a regular file`);
  }
  return handle;
}

async function sniffFile(name: string, handle: FileHandle): Promise<FlowFormat> {
  const buffer = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
  const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
  if (bytesRead === SNIFF_BYTES) lines.pop();
  const format = sniffFormat(lines);
  if (format === undefined) throw new UsageError(`cannot tell the format of ${name}; pass --format`);
  return format;
}

/** Closes what is still open (the reader closes a file it finished; a second close is ignored). */
async function closeAll(inputs: readonly Input[]): Promise<void> {
  for (const input of inputs) await input.handle?.close().catch(() => undefined);
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals: names } = parseCommandArgs(
    argv,
    {
      format: { type: 'string' },
      db: { type: 'string' },
      follow: { type: 'boolean' },
      json: { type: 'boolean' },
      'batch-size': { type: 'string' },
    },
    true,
  );
  const positionals: readonly string[] = names;
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = values.format;
  if (format === undefined) throw new UsageError('--format is required (hubble, calico-flowlog, calico-iptables or auto)');
  if (format !== 'auto' && !isFlowFormat(format)) {
    throw new UsageError(`--format: unknown format "${format}" (expected hubble, calico-flowlog, calico-iptables or auto)`);
  }
  if (positionals.length === 0) throw new UsageError('no input: give one or more files, or - for stdin');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) given more than once');
  if (format === 'auto' && positionals.includes('-')) throw new UsageError('--format auto cannot sniff stdin; pass the format');
  const batchSize = values['batch-size'] !== undefined ? parseIntegerOption('batch-size', values['batch-size'], 1, 1_000_000) : DEFAULT_BATCH_SIZE;
  const follow = values.follow === true;

  const inputs: Input[] = [];
  try {
    for (const name of positionals) {
      if (name === '-') {
        inputs.push({ name, format: format as FlowFormat });
        continue;
      }
      const input: Input = { name, handle: await openInput(name), format: 'hubble' };
      inputs.push(input);
      input.format = format === 'auto' && input.handle !== undefined ? await sniffFile(name, input.handle) : (format as FlowFormat);
    }
  } catch (error) {
    await closeAll(inputs);
    throw error;
  }

  const store = await openWriteStore(values.db ?? defaultDbPath());
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stoppedBy = signal;
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgressBar(process.stderr);
  const totals: RunTotals[] = [];
  const warnedConflict = new Set<string>();
  const year = new Date().getUTCFullYear();
  try {
    const ingestOne = async (input: Input): Promise<void> => {
      totals.push(
        await ingestInput({
          store,
          parser: ingestParserFor(input.format, { year }),
          input: input.handle === undefined ? { stream: process.stdin } : { path: input.name, handle: input.handle },
          batchSize,
          follow,
          signal: abort.signal,
          progress: (position, size, lines) => progress.update(input.name, position, size, lines),
          onConflict: () => {
            if (warnedConflict.has(input.name)) return;
            warnedConflict.add(input.name);
            process.stderr.write(`${input.name}: another writer is ingesting this file too; each line is stored once (continuing from its checkpoint)\n`);
          },
        }),
      );
    };
    if (follow) await Promise.all(inputs.map(ingestOne));
    else for (const input of inputs) await ingestOne(input);
  } catch (error) {
    store.close();
    throw error;
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeAll(inputs);
  }

  let accepted = 0;
  let rejected = 0;
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  for (const run of totals) {
    accepted += run.accepted;
    rejected += run.rejected;
    for (const [reason, count] of Object.entries(run.rejectedByReason) as [RejectReason, number][]) {
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + count;
    }
  }
  const edges = store.totals().edges;
  store.close();
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ accepted, rejected, rejectedByReason, edges })}\n`);
  } else {
    const reasons = Object.entries(rejectedByReason).map(([reason, count]) => `${reason} ${count}`).join(', ');
    process.stdout.write(`accepted ${accepted}, rejected ${rejected}${reasons !== '' ? ` (${reasons})` : ''}; ${edges} edges in the store\n`);
  }
  if (stoppedBy !== undefined && !follow) return stoppedBy === 'SIGINT' ? 130 : 143;
  return 0;
}

export const ingestCommand: Command = {
  summary: 'read flow events from files or stdin into the store',
  run,
};
