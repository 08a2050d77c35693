// The fake relay's filters are the oracle of the relay/file parity test (issue 15: "the fake
// relay must implement Hubble's filter semantics for reply, tcp_flags, protocol, verdict,
// including unset is_reply"), so each rule is pinned here, on flows shaped as proto-loader hands
// them over (wrappers as {value}, the l4 oneof named in `protocol`).
import { describe, expect, it } from 'vitest';
import {
  InvalidFilterError,
  matchesFilter,
  passesFilters,
  validateFilters,
} from './hubble-filter-semantics.js';

type Obj = Record<string, unknown>;
const tcp = (flags: Obj | undefined, extra: Obj = {}): Obj => ({
  verdict: 'FORWARDED',
  l4: { TCP: { source_port: 40000, destination_port: 5432, ...(flags ? { flags } : {}) }, protocol: 'TCP' },
  ...extra,
});
const udp: Obj = {
  verdict: 'FORWARDED',
  l4: { UDP: { source_port: 53, destination_port: 40000 }, protocol: 'UDP' },
};
const icmp6: Obj = { verdict: 'FORWARDED', l4: { ICMPv6: { type: 128 }, protocol: 'ICMPv6' } };
const dns: Obj = { ...udp, l7: { dns: { query: 'db.' } } };

describe('Hubble filter semantics (fake relay)', () => {
  it('reply: a set wrapper compares its value; unset never matches, except on a DROPPED flow (as false)', () => {
    expect(matchesFilter({ reply: [false] }, tcp({ SYN: true }, { is_reply: { value: false } }))).toBe(true);
    expect(matchesFilter({ reply: [false] }, tcp({ ACK: true }, { is_reply: { value: true } }))).toBe(false);
    expect(matchesFilter({ reply: [true] }, tcp({ ACK: true }, { is_reply: { value: true } }))).toBe(true);
    // A wrapper at its zero value (proto-loader: {} or {value: false}) is set and false.
    expect(matchesFilter({ reply: [false] }, tcp({ SYN: true }, { is_reply: {} }))).toBe(true);
    // Unset: neither true nor false matches a forwarded flow …
    expect(matchesFilter({ reply: [false] }, tcp({ SYN: true }))).toBe(false);
    expect(matchesFilter({ reply: [true] }, tcp({ SYN: true }))).toBe(false);
    // … and a dropped one counts as false.
    expect(matchesFilter({ reply: [false] }, tcp({ SYN: true }, { verdict: 'DROPPED' }))).toBe(true);
    expect(matchesFilter({ reply: [true] }, tcp({ SYN: true }, { verdict: 'DROPPED' }))).toBe(false);
  });

  it('tcp_flags: TCP with flags only; an entry matches when all its flags are set; entries are ORed', () => {
    expect(matchesFilter({ tcp_flags: [{ SYN: true }] }, tcp({ SYN: true, ACK: true }))).toBe(true);
    expect(matchesFilter({ tcp_flags: [{ SYN: true, ACK: true }] }, tcp({ SYN: true }))).toBe(false);
    expect(matchesFilter({ tcp_flags: [{ FIN: true }, { SYN: true }] }, tcp({ SYN: true }))).toBe(true);
    expect(matchesFilter({ tcp_flags: [{ SYN: true }] }, tcp(undefined))).toBe(false);
    expect(matchesFilter({ tcp_flags: [{ SYN: true }] }, udp)).toBe(false);
  });

  it('protocol: the l4 member (icmp matches both versions) or the L7 record; unknown names are refused', () => {
    expect(matchesFilter({ protocol: ['tcp'] }, tcp({ SYN: true }))).toBe(true);
    expect(matchesFilter({ protocol: ['TCP'] }, udp)).toBe(false);
    expect(matchesFilter({ protocol: ['icmp'] }, icmp6)).toBe(true);
    expect(matchesFilter({ protocol: ['icmpv4'] }, icmp6)).toBe(false);
    expect(matchesFilter({ protocol: ['dns'] }, dns)).toBe(true);
    expect(matchesFilter({ protocol: ['dns'] }, udp)).toBe(false);
    expect(() => validateFilters([{ protocol: ['quic'] }])).toThrow(InvalidFilterError);
    expect(() => validateFilters([{ protocol: ['udp', 'http'] }])).not.toThrow();
  });

  it('verdict, and the whitelist/blacklist combination (fields ANDed, filters ORed)', () => {
    expect(matchesFilter({ verdict: ['DROPPED', 'FORWARDED'] }, udp)).toBe(true);
    expect(matchesFilter({ verdict: ['DROPPED'] }, udp)).toBe(false);
    expect(matchesFilter({ verdict: ['FORWARDED'], protocol: ['tcp'] }, udp)).toBe(false);
    const synAck = tcp({ SYN: true, ACK: true }, { is_reply: { value: true } });
    // Empty whitelist: everything passes the blacklist check only.
    expect(passesFilters([], [{ reply: [true] }], synAck)).toBe(false);
    expect(passesFilters([], [{ reply: [true] }], tcp({ ACK: true }))).toBe(true);
    expect(passesFilters([{ protocol: ['udp'] }, { tcp_flags: [{ SYN: true }] }], [], synAck)).toBe(true);
    expect(passesFilters([{ protocol: ['udp'] }], [], synAck)).toBe(false);
  });
});
