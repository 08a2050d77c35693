// The error a batch gets when its file checkpoint moved under it: another writer (a second
// `ingest`, the daemon's file source) committed lines of the same file since this writer read
// the checkpoint. The batch's transaction rolled back; the writer re-reads from the stored
// checkpoint, so every line is counted once however many processes read the file.
import type { ExpectedCheckpoint, FileCheckpoint } from './types.js';

function describe(checkpoint: ExpectedCheckpoint | undefined): string {
  return checkpoint === null || checkpoint === undefined ? 'none' : `offset ${checkpoint.offset}`;
}

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(
    readonly sourceKey: string,
    readonly expected: ExpectedCheckpoint,
    readonly stored: FileCheckpoint | undefined,
  ) {
    super(
      `${sourceKey}: another writer moved the checkpoint (expected ${describe(expected)}, stored ${describe(stored)}); batch rolled back`,
    );
  }
}

export function sameCheckpoint(expected: ExpectedCheckpoint, stored: FileCheckpoint | undefined): boolean {
  if (expected === null) return stored === undefined;
  return stored !== undefined && stored.identity === expected.identity && stored.offset === expected.offset;
}
