// Reads a flow file as bytes from a checkpoint and hands out complete lines, with the offset just
// past each one (what a checkpoint records). Identity = `dev:ino` plus a fingerprint of the first
// ≤ 1 KiB, so a replaced or truncated file is detected and read again from 0. With `follow` it
// tails the file through truncation (size < offset → from 0) and rotation (rename + new file:
// finish the old one, then read the new one from 0); the poll clock is injected for tests.
// Stdin has no checkpoint: see readStream.
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { addAbortSignal } from 'node:stream';
import { LineSplitter, type LineHandler } from './line-splitter.js';

export const FINGERPRINT_BYTES = 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** How many leading bytes the fingerprint covers (≤ FINGERPRINT_BYTES; less for a short file). */
  readonly fingerprintBytes: number;
  readonly fingerprint: string;
}

export function formatIdentity(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fingerprintBytes}:${id.fingerprint}`;
}

export function parseIdentity(text: string): FileIdentity | undefined {
  const match = /^(\d+):(\d+):(\d+):([0-9a-f]+)$/.exec(text);
  if (match === null) return undefined;
  return {
    dev: Number(match[1]),
    ino: Number(match[2]),
    fingerprintBytes: Number(match[3]),
    fingerprint: match[4] ?? '',
  };
}

async function fingerprintOf(handle: FileHandle, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return createHash('sha256').update(buffer.subarray(0, filled)).digest('hex').slice(0, 32);
}

export async function identifyFile(handle: FileHandle): Promise<FileIdentity> {
  const info = await handle.stat();
  const fingerprintBytes = Math.min(info.size, FINGERPRINT_BYTES);
  return {
    dev: info.dev,
    ino: info.ino,
    fingerprintBytes,
    fingerprint: await fingerprintOf(handle, fingerprintBytes),
  };
}

/**
 * Where to resume in an open file given a stored checkpoint: its offset when the file is the same
 * one (same dev:ino, same leading bytes, not shorter than the offset), else 0.
 */
export async function resumeOffset(
  handle: FileHandle,
  stored: { identity: string; offset: number } | undefined,
): Promise<number> {
  if (stored === undefined) return 0;
  const previous = parseIdentity(stored.identity);
  if (previous === undefined) return 0;
  const info = await handle.stat();
  if (info.dev !== previous.dev || info.ino !== previous.ino || info.size < stored.offset) return 0;
  if (info.size < previous.fingerprintBytes) return 0;
  const now = await fingerprintOf(handle, previous.fingerprintBytes);
  return now === previous.fingerprint ? stored.offset : 0;
}

export type FileChange = 'start' | 'truncated' | 'rotated';

export interface FileReadOptions extends LineHandler {
  readonly path: string;
  /** Offset to start from (from resumeOffset), for the file open at the start. */
  readonly startOffset: number;
  readonly maxLineBytes: number;
  /** An already open handle of `path` (the caller opened it to check readability/resume). */
  readonly handle?: FileHandle;
  readonly follow?: boolean;
  readonly pollMs?: number;
  /** Waits between polls in follow mode; tests inject a fake. Resolves early on abort. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Before the first line of each file (or of a truncated file read again): its identity. */
  fileChanged?(identity: FileIdentity, change: FileChange): void;
  /** After each chunk read: bytes consumed so far in the current file and its size. */
  progress?(position: number, size: number): void;
  /** Once per poll in follow mode while idle (a chance to flush a time-based batch). */
  idle?(): void;
}

export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Reads one file (and with `follow`, its successors at the same path) until EOF or abort. */
export async function readFile(options: FileReadOptions): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  const pollMs = options.pollMs ?? 250;
  // Two buffers: the next chunk is read (in libuv's thread pool) while this one is split and
  // parsed, so the parser does not wait for the disk between chunks.
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let handle = options.handle ?? (await open(options.path, 'r'));
  const splitter = new LineSplitter(options.startOffset, options.maxLineBytes, options);
  const aborted = (): boolean => options.signal?.aborted === true;

  const readToEnd = async (): Promise<void> => {
    const size = (await handle.stat()).size;
    if (aborted()) return;
    let [current, next] = buffers as [Buffer, Buffer];
    let position = splitter.position;
    let ahead: Promise<{ bytesRead: number }> | undefined = handle.read(current, 0, CHUNK_BYTES, position);
    try {
      for (;;) {
        const { bytesRead } = await ahead;
        ahead = undefined;
        if (bytesRead === 0 || aborted()) return;
        const chunk = current.subarray(0, bytesRead);
        position += bytesRead;
        [current, next] = [next, current];
        ahead = handle.read(current, 0, CHUNK_BYTES, position);
        splitter.push(chunk);
        options.progress?.(splitter.position, Math.max(size, splitter.position));
      }
    } finally {
      // A read still in flight when a line handler threw or the reader stopped: nobody uses
      // its bytes, and closing the handle waits for it.
      if (ahead !== undefined) void ahead.catch(() => undefined);
    }
  };

  try {
    options.fileChanged?.(await identifyFile(handle), 'start');
    for (;;) {
      await readToEnd();
      if (aborted()) return;
      if (options.follow !== true) {
        splitter.finish();
        return;
      }
      options.idle?.();
      await sleep(pollMs, options.signal);
      if (aborted()) return;
      const current = await handle.stat();
      if (current.size < splitter.position) {
        splitter.reset(0);
        options.fileChanged?.(await identifyFile(handle), 'truncated');
        continue;
      }
      if (current.size > splitter.position) continue;
      const atPath = await stat(options.path).catch(() => undefined);
      if (atPath === undefined || (atPath.ino === current.ino && atPath.dev === current.dev)) continue;
      // Rotated: the old file is complete once read to its end (a last line without `\n` included).
      await readToEnd();
      if (aborted()) return;
      splitter.finish();
      const next = await open(options.path, 'r').catch(() => undefined);
      if (next === undefined) continue; // renamed away again already; try on the next poll
      await handle.close();
      handle = next;
      splitter.reset(0);
      options.fileChanged?.(await identifyFile(handle), 'rotated');
    }
  } finally {
    await handle.close();
  }
}

/** Reads a stream (stdin) to its end or until abort; a last line without `\n` counts. */
export async function readStream(
  stream: Readable,
  options: LineHandler & { readonly maxLineBytes: number; readonly signal?: AbortSignal },
): Promise<void> {
  const splitter = new LineSplitter(0, options.maxLineBytes, options);
  if (options.signal !== undefined) addAbortSignal(options.signal, stream);
  try {
    for await (const chunk of stream) {
      splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    }
  } catch (error) {
    if (options.signal?.aborted === true) return;
    throw error;
  }
  splitter.finish();
}
