// The resume marks the live stream sources hand the pipeline with each event (source.ts
// ResumeMark): Goldmane's carries the fingerprint it already computed for its de-duplication;
// Hubble's keeps the decoded flow and computes the fingerprint only if the batch writer asks for
// it (the event is at the newest time of its batch), as the relay's lazy cursor does.
import type { ResumeMark } from './source.js';

export class FingerprintedMark implements ResumeMark {
  constructor(
    readonly sourceKey: string,
    readonly seconds: number,
    readonly nanos: number,
    private readonly key: string,
  ) {}

  fingerprint(): string {
    return this.key;
  }
}

export class LazyMark<T> implements ResumeMark {
  constructor(
    readonly sourceKey: string,
    readonly seconds: number,
    readonly nanos: number,
    private readonly item: T,
    private readonly node: string | undefined,
    private readonly fingerprintOf: (item: T, node: string | undefined) => string,
  ) {}

  fingerprint(): string {
    return this.fingerprintOf(this.item, this.node);
  }
}

/** The key under which a live source's resume point is stored. */
export function resumeKey(type: string, name: string): string {
  return `${type}:${name}`;
}
