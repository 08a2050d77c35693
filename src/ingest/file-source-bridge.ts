// The store a file source's worker thread (file-source-worker.ts) writes through. Every batch is
// committed either on the main thread, through the daemon's store (a blocking call: shadow mode
// judges it there, the live stream and the data version move, damage latches), or, when the main
// thread routes it here (BatchRoute: shadow mode has nothing to judge), on the thread's own
// connection to the same file, after which the main thread is told (a note on the same port) so
// that its data version and live stream move as if it had written it. Either way the file
// checkpoint commits in the batch's transaction with its compare-and-set, so which thread commits
// changes nothing in what is stored or where a restart resumes.
import { performance } from 'node:perf_hooks';
import type { EdgeDelta } from '../flows/edge.js';
import { CheckpointConflictError } from '../store/checkpoint-conflict.js';
import type { Batch, ExpectedCheckpoint, FileCheckpoint, FlowStore } from '../store/types.js';
import type { BatchRoute, SourceNote, StoreCall } from './file-source-thread-protocol.js';
import type { CallReply, SyncCaller } from './sync-call.js';

function unwrap(reply: CallReply): unknown {
  if (reply.ok) return reply.value;
  const { name, message, fields } = reply.error;
  if (name === 'CheckpointConflictError' && fields !== undefined)
    throw new CheckpointConflictError(
      String(fields.sourceKey),
      fields.expected as ExpectedCheckpoint,
      fields.stored as FileCheckpoint | undefined,
    );
  const error = new Error(message);
  error.name = name;
  throw error;
}

/** The live stream's sample of a batch: dropped edges first (as publishBatch orders them), at most `max`. */
export function streamSample(deltas: readonly EdgeDelta[], max: number): EdgeDelta[] {
  if (max <= 0) return [];
  const dropped = deltas.filter((d) => d.verdict === 'dropped');
  const rest = dropped.length >= max ? [] : deltas.filter((d) => d.verdict !== 'dropped');
  return [...dropped, ...rest].slice(0, max);
}

/** The only two store operations a file source uses. `own`: the thread's connection, if it has one. */
export function bridgeStore(
  caller: SyncCaller,
  own: Pick<FlowStore, 'writeBatch' | 'checkpoint'> | undefined,
): Pick<FlowStore, 'writeBatch' | 'checkpoint'> {
  const call = (request: StoreCall): unknown => unwrap(caller.call(request));
  const note = (body: SourceNote): void => caller.note(body);
  return {
    writeBatch(batch: Batch): void {
      // A file source's batches carry no companion (shadow mode adds its own on the main thread).
      const { deltas: iterable, companion: _companion, ...rest } = batch;
      const deltas = [...iterable];
      const route = own === undefined ? undefined : (call({ op: 'route' }) as BatchRoute);
      if (own === undefined || route === undefined || route.onMain) {
        call({ op: 'writeBatch', batch: { ...rest, deltas } });
        return;
      }
      const started = performance.now();
      own.writeBatch({ ...rest, deltas });
      note({
        type: 'committed',
        events: streamSample(deltas, route.maxEvents),
        edges: deltas.length,
        writeMs: performance.now() - started,
      });
    },
    // A committed checkpoint reads the same on either connection.
    checkpoint: (sourceKey) =>
      own !== undefined
        ? own.checkpoint(sourceKey)
        : (call({ op: 'checkpoint', sourceKey }) as FileCheckpoint | undefined),
  };
}
