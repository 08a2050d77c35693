// Backpressure for a streaming source: when the sink refuses an event, pause the stream (a gRPC
// call, a child's stdout) and resume it once the sink drains. At most one wait is pending at a
// time, and a stream that has ended meanwhile is not resumed.
import type { FlowSink } from './source.js';

export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** Returns the function to call with each push() answer. */
export function pauseOnFull(
  stream: Pausable,
  sink: FlowSink,
  hooks: { onPause?: () => void; isDone?: () => boolean } = {},
): (accepted: boolean) => void {
  let paused = false;
  return (accepted) => {
    if (accepted || paused) return;
    paused = true;
    hooks.onPause?.();
    stream.pause();
    void sink.drained().then(() => {
      paused = false;
      if (hooks.isDone?.() !== true) stream.resume();
    });
  };
}
