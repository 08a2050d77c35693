// `netpol-advisor ingest`: reads flow events from files (resuming from their checkpoints, so a
// re-run or a run after SIGKILL ingests each line exactly once) or stdin into the store.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { NoEdgeReason, RejectReason } from '../flows/flow.js';
import { ingestParserFor, isFlowFormat, type FlowFormat, type ParserOptions } from '../flows/parsers.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_EDGES, type RunTotals } from '../ingest/batch-writer.js';
import { ingestInput } from '../ingest/file-ingest.js';
import { openWriteStore } from './open-db.js';
import { defaultDbPath, parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';
import { detectFormat, formatMismatch, peekStream, readFileHead } from './format-detect.js';
import { createProgressBar } from './progress.js';

const HELP = `usage: netpol-advisor ingest --format hubble|calico-flowlog|calico-iptables|auto [options] PATH... | -

Reads flow logs (one event per line) from files or stdin (-) into the database. How far each
file was read is saved with what it produced, so running again reads only the new lines, and
runs reading the same file at once (or a run and the service's file source) store each line
once: a batch whose file another writer has moved on is rolled back and read again from there.

options:
  --format F         hubble (hubble observe -o json, Hubble exporter files), calico-flowlog
                     (Calico flow log JSON), calico-iptables (kernel log lines of a Calico Log
                     rule), or auto: told apart per file (and on stdin) from the first lines;
                     a file that matches none is skipped with a warning. A file whose first
                     lines do not fit the format given stops the run (exit 2) and names the
                     line and the format it looks like.
  --db FILE          the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --follow           keep reading as the files grow, through rotation and truncation
  --json             print {"accepted", "rejected", "rejectedByReason", "noEdgeByReason", "edges"}
                     for this run (edges: the distinct paths in the database afterwards)
  --batch-size N     most lines per transaction (default ${DEFAULT_BATCH_SIZE}; a batch is also
                     written once it holds ${DEFAULT_MAX_BATCH_EDGES} distinct edges or is 10 s old)
  -h, --help         this help

Accepted lines that made no edge are counted by why (the summary and noEdgeByReason):
  reply                   the answer of a connection (is_reply, a SYN-ACK, an L7 response):
                          the request direction counts the connection
  tcp-reset               a TCP RST: not evidence that a connection existed
  blocked-mid-connection  a dropped, audited or errored packet that starts no connection (blocked
                          attempts count from their SYN or first packet)
  icmp-reply              an ICMP echo reply or error message
  socket-event            a Hubble socket trace (SOCK) event: nothing crossed the network
  other-end-report        a Calico report of a connection the other end's report counts
  mid-connection          a kernel-log line of a TCP packet that is not a SYN
  missing-port            a TCP, UDP or SCTP event without its server's port (absent or 0), or
                          whose ports cannot tell which end serves: never a port-0 edge or rule
  not-a-connection-start  any other event that starts no connection
`;

interface Input {
  readonly name: string;
  readonly handle?: FileHandle;
  /** stdin after its head was read to judge the format (the head is replayed). */
  readonly stream?: Readable;
  readonly format: FlowFormat;
}

async function openInput(name: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(name, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read ${name}: ${why}`, { cause: error });
  }
  const info = await handle.stat();
  if (!info.isFile() && !info.isFIFO()) {
    await handle.close();
    throw new UsageError(`cannot read ${name}: not a regular file`);
  }
  return handle;
}

/** Closes what is still open (the reader closes a file it finished; a second close is ignored). */
async function closeAll(inputs: readonly Input[]): Promise<void> {
  for (const input of inputs) await input.handle?.close().catch(() => undefined);
}

/**
 * Opens one input and settles its format: the given one, checked against the input's head (a
 * mismatch is bad input, exit 2), or with `auto` the sniffed one (an input of no known format is
 * skipped with a warning, not fatal).
 */
async function openFormatted(
  name: string,
  format: FlowFormat | 'auto',
  options: ParserOptions,
): Promise<{ ok: true; input: Input } | { ok: false; why: string }> {
  let handle: FileHandle | undefined;
  let stream: Readable | undefined;
  let lines: string[];
  if (name === '-') {
    ({ lines, stream } = await peekStream(process.stdin));
  } else {
    handle = await openInput(name);
    lines = await readFileHead(handle).catch(async (error: unknown) => {
      await handle?.close();
      throw error;
    });
  }
  const label = name === '-' ? 'stdin' : name;
  let chosen: FlowFormat;
  if (format === 'auto') {
    const sniffed = detectFormat(lines);
    if (sniffed === undefined) {
      await handle?.close();
      return {
        ok: false,
        why:
          lines.length === 0
            ? 'empty, so its format cannot be told'
            : 'cannot tell its format (not Hubble, Calico flow log or Calico Log-rule lines); pass --format',
      };
    }
    chosen = sniffed;
  } else {
    chosen = format;
  }
  const mismatch = formatMismatch(label, lines, chosen, options);
  if (mismatch !== undefined) {
    await handle?.close();
    throw new UsageError(mismatch);
  }
  return {
    ok: true,
    input: {
      name,
      format: chosen,
      ...(handle !== undefined ? { handle } : {}),
      ...(stream !== undefined ? { stream } : {}),
    },
  };
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
  if (format === undefined)
    throw new UsageError('--format is required (hubble, calico-flowlog, calico-iptables or auto)');
  if (format !== 'auto' && !isFlowFormat(format)) {
    throw new UsageError(
      `--format: unknown format "${format}" (expected hubble, calico-flowlog, calico-iptables or auto)`,
    );
  }
  if (positionals.length === 0) throw new UsageError('no input: give one or more files, or - for stdin');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) given more than once');
  const batchSize =
    values['batch-size'] !== undefined
      ? parseIntegerOption('batch-size', values['batch-size'], 1, 1_000_000)
      : DEFAULT_BATCH_SIZE;
  const follow = values.follow === true;
  const year = new Date().getUTCFullYear();

  const inputs: Input[] = [];
  const skipped: string[] = [];
  try {
    for (const name of positionals) {
      const opened = await openFormatted(name, format, { year });
      if (opened.ok) inputs.push(opened.input);
      else {
        skipped.push(name);
        process.stderr.write(`netpol-advisor ingest: warning: skipping ${name}: ${opened.why}\n`);
      }
    }
  } catch (error) {
    await closeAll(inputs);
    throw error;
  }
  if (inputs.length === 0) {
    process.stderr.write(
      `netpol-advisor ingest: nothing could be read (${skipped.length} input${skipped.length === 1 ? '' : 's'} skipped)\n`,
    );
    return 1;
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
  try {
    const ingestOne = async (input: Input): Promise<void> => {
      totals.push(
        await ingestInput({
          store,
          parser: ingestParserFor(input.format, { year }),
          input:
            input.handle === undefined
              ? { stream: input.stream ?? process.stdin }
              : { path: input.name, handle: input.handle },
          batchSize,
          follow,
          signal: abort.signal,
          progress: (position, size, lines) => progress.update(input.name, position, size, lines),
          onConflict: () => {
            if (warnedConflict.has(input.name)) return;
            warnedConflict.add(input.name);
            process.stderr.write(
              `${input.name}: another writer is ingesting this file too; each line is stored once (continuing from its checkpoint)\n`,
            );
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
  const noEdgeByReason: Partial<Record<NoEdgeReason, number>> = {};
  for (const run of totals) {
    accepted += run.accepted;
    rejected += run.rejected;
    for (const [reason, count] of Object.entries(run.noEdgeByReason) as [NoEdgeReason, number][]) {
      noEdgeByReason[reason] = (noEdgeByReason[reason] ?? 0) + count;
    }
    for (const [reason, count] of Object.entries(run.rejectedByReason) as [RejectReason, number][]) {
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + count;
    }
  }
  const edges = store.totals().edges;
  store.close();
  if (values.json === true) {
    process.stdout.write(
      `${JSON.stringify({ accepted, rejected, rejectedByReason, noEdgeByReason, edges })}\n`,
    );
  } else {
    const reasons = Object.entries(rejectedByReason)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    process.stdout.write(
      `accepted ${accepted}, rejected ${rejected}${reasons !== '' ? ` (${reasons})` : ''}; ${edges} edges in the store${noEdgeSummary(noEdgeByReason)}\n`,
    );
  }
  if (stoppedBy !== undefined && !follow) return stoppedBy === 'SIGINT' ? 130 : 143;
  return 0;
}

/** `; N accepted line(s) made no edge: 5 reply, 1 tcp-reset (see --help)`, most frequent first; empty when none. */
function noEdgeSummary(byReason: Partial<Record<NoEdgeReason, number>>): string {
  const entries = (Object.entries(byReason) as [NoEdgeReason, number][])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (entries.length === 0) return '';
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `; ${total} accepted line(s) made no edge: ${entries.map(([reason, count]) => `${count} ${reason}`).join(', ')} (see ingest --help)`;
}

export const ingestCommand: Command = {
  summary: 'read flow events from files or stdin into the store',
  run,
};
