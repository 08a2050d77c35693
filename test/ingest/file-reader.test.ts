import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LineSplitter } from '../../src/ingest/line-splitter.js';
import {
  formatIdentity,
  identifyFile,
  readFile,
  resumeOffset,
  type FileChange,
} from '../../src/ingest/file-reader.js';
import { tempDir } from '../store/store-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('netpol-reader-')));
afterEach(() => cleanup());

function collect(maxLineBytes = 1024) {
  const out: string[] = [];
  const splitter = new LineSplitter(0, maxLineBytes, {
    line: (bytes, end) => out.push(`${Buffer.from(bytes).toString()}@${end}`),
    oversized: (length, end) => out.push(`oversized(${length})@${end}`),
  });
  return { out, splitter };
}

describe('LineSplitter', () => {
  it('splits across chunk boundaries with the offset just past each line', () => {
    const { out, splitter } = collect();
    for (const chunk of ['ab', 'c\nde', 'f\n\ng', 'h']) splitter.push(Buffer.from(chunk));
    expect(out).toEqual(['abc@4', 'def@8', '@9']);
    expect(splitter.consumedOffset).toBe(9);
    expect(splitter.pendingBytes).toBe(2);
    splitter.finish();
    expect(out.at(-1)).toBe('gh@11');
  });

  it('skips an oversized line without holding it and keeps the lines around it', () => {
    const { out, splitter } = collect(8);
    splitter.push(Buffer.from('ok\n0123'));
    splitter.push(Buffer.from('456789'));
    splitter.push(Buffer.from('abcdef\nfine\n123456789\nlast'));
    splitter.finish();
    expect(out).toEqual(['ok@3', 'oversized(16)@20', 'fine@25', 'oversized(9)@35', 'last@39']);
  });
});

describe('resumeOffset', () => {
  it('resumes the same file, restarts a replaced or truncated one, and survives growth past 1 KiB', async () => {
    const file = path.join(dir, 'flows.log');
    writeFileSync(file, 'line one\nline two\n');
    let handle = await open(file);
    const small = { identity: formatIdentity(await identifyFile(handle)), offset: 9 };
    expect(await resumeOffset(handle, small)).toBe(9);
    await handle.close();

    appendFileSync(file, 'x'.repeat(3000) + '\n');
    handle = await open(file);
    expect(await resumeOffset(handle, small)).toBe(9); // fingerprint covers the first 18 bytes only
    await handle.close();

    // Replaced: same content, new inode.
    writeFileSync(path.join(dir, 'new.log'), 'line one\nline two\n');
    renameSync(path.join(dir, 'new.log'), file);
    handle = await open(file);
    expect(await resumeOffset(handle, small)).toBe(0);
    const fresh = { identity: formatIdentity(await identifyFile(handle)), offset: 18 };
    await handle.close();

    // Truncated (copytruncate) and rewritten with other content.
    truncateSync(file, 0);
    writeFileSync(file, 'other\n');
    handle = await open(file);
    expect(await resumeOffset(handle, fresh)).toBe(0);
    expect(await resumeOffset(handle, undefined)).toBe(0);
    expect(await resumeOffset(handle, { identity: 'garbage', offset: 3 })).toBe(0);
    await handle.close();
  });
});

describe('readFile --follow', () => {
  it('tails through truncation and rotation, finishing the old file first', async () => {
    const file = path.join(dir, 'events.log');
    writeFileSync(file, 'a1\na2\npart');
    const lines: string[] = [];
    const changes: FileChange[] = [];
    const abort = new AbortController();
    // The fake clock: each poll runs the next scripted change to the file, no real waiting.
    const script: (() => void)[] = [
      () => appendFileSync(file, 'ial\na3\n'),
      () => {
        truncateSync(file, 0);
        writeFileSync(file, 'b1\n');
      },
      () => {
        appendFileSync(file, 'b2\nb-last-no-newline');
        renameSync(file, `${file}.1`);
        writeFileSync(file, 'c1\n');
      },
      () => appendFileSync(file, 'c2\n'),
      () => undefined,
    ];
    let polls = 0;
    await readFile({
      path: file,
      startOffset: 0,
      maxLineBytes: 1024,
      follow: true,
      pollMs: 5,
      signal: abort.signal,
      sleep: () => {
        const step = script[polls++];
        if (step === undefined) abort.abort();
        else step();
        return Promise.resolve();
      },
      line: (bytes) => lines.push(Buffer.from(bytes).toString()),
      oversized: () => lines.push('oversized'),
      fileChanged: (_identity, change) => changes.push(change),
    });
    expect(lines).toEqual(['a1', 'a2', 'partial', 'a3', 'b1', 'b2', 'b-last-no-newline', 'c1', 'c2']);
    expect(changes).toEqual(['start', 'truncated', 'rotated']);
  });

  it('does not consume a trailing partial line when stopped while following', async () => {
    const file = path.join(dir, 'events.log');
    writeFileSync(file, 'a1\nhalf');
    const ends: number[] = [];
    const abort = new AbortController();
    await readFile({
      path: file,
      startOffset: 0,
      maxLineBytes: 1024,
      follow: true,
      signal: abort.signal,
      sleep: () => {
        abort.abort();
        return Promise.resolve();
      },
      line: (_bytes, end) => ends.push(end),
      oversized: () => undefined,
    });
    expect(ends).toEqual([3]);
  });
});
