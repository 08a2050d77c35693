// The IPv4 integer path of ipBlock matching (peerMatches) against the BigInt CIDR arithmetic of
// src/net/ip.ts (ipBlockContains): every prefix length including /0 and /32, addresses above
// 2^31 (where 32-bit signed arithmetic would go wrong), with and without `except`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../net/ip.js';
import {
  compilePeer,
  ipBlockContains,
  ipv4Numbers,
  peerMatches,
  type PeerContext,
  type ResolvedEndpoint,
} from './peers.js';

const context: PeerContext = { policyNamespace: 'ns', resolvePods: () => new Uint8Array(0) };
const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

function external(text: string): ResolvedEndpoint {
  const ip = parseIp(text);
  if (ip === undefined) throw new Error(`bad test address ${text}`);
  return { kind: 'external', ips: [ip], ipv4: ipv4Numbers([ip]), display: text, note: '' };
}

describe('ipBlock peers', () => {
  it('match IPv4 addresses exactly as the BigInt CIDR arithmetic does', () => {
    fc.assert(
      fc.property(
        octets,
        fc.nat(32),
        octets,
        fc.option(fc.nat(32), { nil: undefined }),
        (base, length, address, exceptLength) => {
          const except =
            exceptLength === undefined ? undefined : [`${address}/${Math.max(length, exceptLength)}`];
          const peer = compilePeer(
            { ipBlock: { cidr: `${base}/${length}`, ...(except ? { except } : {}) } },
            context,
          );
          if (peer?.kind !== 'ipBlock') throw new Error('expected an ipBlock peer');
          const endpoint = external(address);
          expect(peerMatches(peer, endpoint, true)).toBe(
            ipBlockContains(peer, endpoint.ips[0] as NonNullable<ReturnType<typeof parseIp>>),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('named boundaries: /0, /32, high addresses, except, and no IPv4/IPv6 mixing', () => {
    const block = (cidr: string, except?: string[]) => {
      const peer = compilePeer({ ipBlock: { cidr, ...(except ? { except } : {}) } }, context);
      if (peer?.kind !== 'ipBlock') throw new Error('expected an ipBlock peer');
      return peer;
    };
    expect(peerMatches(block('0.0.0.0/0'), external('255.255.255.255'), true)).toBe(true);
    expect(peerMatches(block('0.0.0.0/0', ['10.0.0.0/8']), external('10.1.2.3'), true)).toBe(false);
    expect(peerMatches(block('0.0.0.0/0', ['10.0.0.0/8']), external('203.0.113.9'), true)).toBe(true);
    expect(peerMatches(block('255.255.255.255/32'), external('255.255.255.255'), true)).toBe(true);
    expect(peerMatches(block('255.255.255.254/32'), external('255.255.255.255'), true)).toBe(false);
    expect(peerMatches(block('128.0.0.0/1'), external('200.1.1.1'), true)).toBe(true);
    expect(peerMatches(block('128.0.0.0/1'), external('127.255.255.255'), true)).toBe(false);
    expect(peerMatches(block('0.0.0.0/0'), external('fd00::1'), true)).toBe(false);
    expect(peerMatches(block('::/0'), external('10.0.0.1'), true)).toBe(false);
    expect(peerMatches(block('::/0', ['fd00::/8']), external('fd00::1'), true)).toBe(false);
    expect(peerMatches(block('::/0', ['fd00::/8']), external('2001:db8::1'), true)).toBe(true);
  });
});
