// Splits a byte stream into lines at `\n`, tracking the absolute offset just past each line so a
// consumer can checkpoint "everything up to here is consumed". A line longer than maxLineBytes is
// never held in memory: its bytes are skipped and it is reported once, by length, at its end.
// Lines handed to `line()` may be views into the caller's buffer: consume them synchronously.

export interface LineHandler {
  /** One line without its `\n`; `endOffset` is the offset just past the `\n` (or end of input). */
  line(bytes: Uint8Array, endOffset: number): void;
  /** A line over the bound was skipped. */
  oversized(byteLength: number, endOffset: number): void;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  private pieces: Buffer[] = [];
  private pendingLength = 0;
  private skipping = false;
  private offset: number;

  constructor(
    startOffset: number,
    private readonly maxLineBytes: number,
    private readonly handler: LineHandler,
  ) {
    this.offset = startOffset;
  }

  /** Offset of the next byte to be pushed. */
  get position(): number {
    return this.offset;
  }

  /** Bytes of a started line not yet ended by `\n`. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** Offset just past the last complete line (where a restart must resume). */
  get consumedOffset(): number {
    return this.offset - this.pendingLength;
  }

  push(chunk: Buffer): void {
    let start = 0;
    const base = this.offset;
    this.offset += chunk.length;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      const endOffset = base + newline + 1;
      if (this.pendingLength === 0 && !this.skipping) {
        this.emit(chunk.subarray(start, newline), newline - start, endOffset);
      } else {
        this.hold(chunk.subarray(start, newline));
        this.endPending(endOffset);
      }
      start = newline + 1;
    }
  }

  /** End of input: a trailing partial line is a complete line. */
  finish(): void {
    if (this.pendingLength > 0 || this.skipping) this.endPending(this.offset);
  }

  /** Forgets any partial line and continues from `offset` (a truncated or replaced file). */
  reset(offset: number): void {
    this.pieces = [];
    this.pendingLength = 0;
    this.skipping = false;
    this.offset = offset;
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pendingLength += bytes.length;
    if (this.skipping) return;
    if (this.pendingLength > this.maxLineBytes) {
      this.skipping = true;
      this.pieces = [];
      return;
    }
    // Copy: the caller reuses its read buffer.
    this.pieces.push(Buffer.from(bytes));
  }

  private endPending(endOffset: number): void {
    const length = this.pendingLength;
    const skipped = this.skipping;
    const pieces = this.pieces;
    this.pieces = [];
    this.pendingLength = 0;
    this.skipping = false;
    if (skipped) this.handler.oversized(length, endOffset);
    else
      this.emit(
        pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, length),
        length,
        endOffset,
      );
  }

  private emit(bytes: Buffer, length: number, endOffset: number): void {
    if (length > this.maxLineBytes) this.handler.oversized(length, endOffset);
    else this.handler.line(bytes, endOffset);
  }
}
