// A blocking call from a worker thread to the thread that owns a MessagePort pair: the worker
// posts a request and sleeps on a shared flag (Atomics.wait) until the owner's event loop has
// handled it and posted the answer, which the worker then takes off its port synchronously
// (receiveMessageOnPort). The file source's worker uses it so that its unchanged, synchronous
// BatchWriter and checkpoint compare-and-set run against the daemon's store on the main thread:
// a batch is committed (or refused) before the worker reads on, exactly as in one thread.
// Messages that need no answer (notes) travel on the same port, so they stay in order with the
// calls. The owner answers every call, whatever happens; a worker whose owner is gone is
// terminated with it.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** A call's answer: the value, or the error's name and message (a class is rebuilt by the caller). */
export type CallReply =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorShape };

export interface ErrorShape {
  readonly name: string;
  readonly message: string;
  /** Fields a caller needs to rebuild the error (e.g. the checkpoint conflict's). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

interface Envelope {
  readonly call: boolean;
  readonly body: unknown;
}

/** The worker's side: `call` blocks until the owner answered; `note` does not wait. */
export class SyncCaller {
  private readonly flag: Int32Array;

  constructor(
    private readonly port: MessagePort,
    shared: SharedArrayBuffer,
  ) {
    this.flag = new Int32Array(shared);
  }

  call(body: unknown): CallReply {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ call: true, body } satisfies Envelope);
    // The owner answers every call; the wait is sliced only so a debugger can interrupt it.
    while (Atomics.wait(this.flag, 0, 0, 1000) === 'timed-out');
    const received = receiveMessageOnPort(this.port);
    if (received === undefined) throw new Error('sync call: woken without an answer');
    return received.message as CallReply;
  }

  note(body: unknown): void {
    this.port.postMessage({ call: false, body } satisfies Envelope);
  }
}

/** The owner's side: answers calls with `answer` (a throw becomes an error reply) and hands notes to `onNote`. */
export function answerCalls(
  port: MessagePort,
  shared: SharedArrayBuffer,
  handlers: {
    readonly answer: (body: unknown) => unknown;
    readonly onNote: (body: unknown) => void;
    readonly shapeError: (error: unknown) => ErrorShape;
  },
): void {
  const flag = new Int32Array(shared);
  port.on('message', (message: Envelope) => {
    if (!message.call) {
      handlers.onNote(message.body);
      return;
    }
    let reply: CallReply;
    try {
      reply = { ok: true, value: handlers.answer(message.body) };
    } catch (error) {
      reply = { ok: false, error: handlers.shapeError(error) };
    }
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
}
