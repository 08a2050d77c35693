// The contract between a flow source (file tail, Hubble Relay, Goldmane, kernel log) and the
// daemon's pipeline. Sources translate their wire format into ParseResults and push them; the
// pipeline batches them into the store. Backpressure works like Node streams: push() returning
// false means "stop and wait for drained()" (a gRPC source then pauses its call, a file source
// stops reading), so no queue between a source and the store is unbounded.
import type { ParseResult } from '../flows/flow.js';

/**
 * Where a live stream stands after one event (Hubble Relay, Goldmane): its time and, computed
 * only if the writer needs it (the event is at the newest time of its batch), its fingerprint.
 * The writer commits the newest mark of each source with the batch (store ResumePoint).
 */
export interface ResumeMark {
  readonly sourceKey: string;
  readonly seconds: number;
  readonly nanos: number;
  fingerprint(): string;
}

export interface FlowSink {
  /** Hands one event to the pipeline. False: the pipeline is full, pause until drained(). */
  push(result: ParseResult, mark?: ResumeMark): boolean;
  /** Resolves when the pipeline can take events again. */
  drained(): Promise<void>;
}

export type SourceState = 'starting' | 'connected' | 'reconnecting' | 'stopped' | 'failed';

export interface SourceStatus {
  readonly name: string;
  readonly type: string;
  readonly state: SourceState;
  /** Time of the last event received (ms since epoch), if any. */
  readonly lastEventMs?: number;
  /** Now minus the event time of the last event, at the moment it arrived. */
  readonly lagMs?: number;
  readonly events: number;
  readonly errors: number;
  /** Events the source itself reports as lost (Hubble lost_events, relay gaps). */
  readonly lostEvents: number;
  readonly lastError?: string;
}

export interface FlowSource {
  readonly name: string;
  readonly type: string;
  /** Starts streaming into the sink; resolves once started (not when the stream ends). */
  start(sink: FlowSink): Promise<void>;
  /** Stops and releases everything; resolves when no more events will be pushed. */
  stop(): Promise<void>;
  status(): SourceStatus;
}
