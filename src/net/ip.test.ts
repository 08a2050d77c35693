import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cidrContains, cidrCovers, cidrOf, formatCidr, formatIp, parseCidr, parseIp } from './ip.js';

describe('ip', () => {
  it('parses and formats IPv4', () => {
    expect(formatIp(parseIp('10.0.0.1')!)).toBe('10.0.0.1');
    expect(parseIp('256.0.0.1')).toBeUndefined();
    expect(parseIp('01.2.3.4')).toBeUndefined();
    expect(parseIp('1.2.3')).toBeUndefined();
  });

  it('parses IPv6 forms and formats them canonically', () => {
    expect(formatIp(parseIp('2001:db8:0:0:0:0:0:1')!)).toBe('2001:db8::1');
    expect(formatIp(parseIp('::')!)).toBe('::');
    expect(formatIp(parseIp('::ffff:10.1.2.3')!)).toBe('::ffff:a01:203');
    expect(parseIp('1::2::3')).toBeUndefined();
    expect(parseIp('12345::')).toBeUndefined();
  });

  it('tests CIDR membership per family, clearing host bits', () => {
    const block = parseCidr('10.0.0.7/24')!;
    expect(formatCidr(block)).toBe('10.0.0.0/24');
    expect(cidrContains(block, parseIp('10.0.0.255')!)).toBe(true);
    expect(cidrContains(block, parseIp('10.0.1.0')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
    expect(cidrContains(parseCidr('fd00::/8')!, parseIp('fd12::1')!)).toBe(true);
    expect(cidrCovers(parseCidr('10.0.0.0/8')!, parseCidr('10.1.0.0/16')!)).toBe(true);
    expect(cidrCovers(parseCidr('10.1.0.0/16')!, parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('round-trips any IPv4 and IPv6 address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const parsed = parseIp(text);
        expect(parsed).toBeDefined();
        expect(parseIp(formatIp(parsed!))).toEqual(parsed);
        expect(cidrContains(cidrOf(parsed!, parsed!.family === 4 ? 32 : 128), parsed!)).toBe(true);
      }),
    );
  });
});
