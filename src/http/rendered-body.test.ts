import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits, negotiateCoding, renderJson } from './rendered-body.js';

describe('renderJson', () => {
  it('UTF-8 bytes of the JSON and a strong ETag that changes with the bytes', () => {
    const a = renderJson({ name: 'é', n: 1 });
    expect(a.bytes.toString('utf8')).toBe('{"name":"é","n":1}');
    expect(a.etag).toMatch(/^"13-[A-Za-z0-9_-]{27}"$/);
    expect(renderJson({ name: 'é', n: 1 }).etag).toBe(a.etag);
    expect(renderJson({ name: 'é', n: 2 }).etag).not.toBe(a.etag);
  });
});

describe('ifNoneMatchHits', () => {
  const etag = '"a-b"';
  it('matches the tag alone, in a list, weak or *', () => {
    expect(ifNoneMatchHits('"a-b"', etag)).toBe(true);
    expect(ifNoneMatchHits('"x", W/"a-b"', etag)).toBe(true);
    expect(ifNoneMatchHits(' * ', etag)).toBe(true);
  });
  it('misses other tags, unquoted tags, empty and oversized headers', () => {
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    expect(ifNoneMatchHits('', etag)).toBe(false);
    expect(ifNoneMatchHits('a-b', etag)).toBe(false);
    expect(ifNoneMatchHits('"a-c"', etag)).toBe(false);
    expect(ifNoneMatchHits(`${'"x", '.repeat(2000)}"a-b"`, etag)).toBe(false);
  });
});

describe('negotiateCoding', () => {
  it('prefers br, then gzip, and honours q=0 and *', () => {
    expect(negotiateCoding('gzip, deflate, br')).toBe('br');
    expect(negotiateCoding('gzip')).toBe('gzip');
    expect(negotiateCoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiateCoding('*')).toBe('br');
    expect(negotiateCoding('*;q=0')).toBeUndefined();
    expect(negotiateCoding('identity')).toBeUndefined();
    expect(negotiateCoding(undefined)).toBeUndefined();
    expect(negotiateCoding('')).toBeUndefined();
  });
});
