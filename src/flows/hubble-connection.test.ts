import { describe, expect, it } from 'vitest';
import { connectionRole, serverSideByPorts, type L4Facts } from './hubble-connection.js';

const base: L4Facts = {
  protocol: 'TCP',
  sourcePort: 45000,
  destinationPort: 5432,
  hasFlags: true,
  syn: false,
  ack: true,
  rst: false,
  isReply: undefined,
  forwarded: true,
  dropped: false,
};

describe('serverSideByPorts', () => {
  it('names the well-known port, else the non-ephemeral one, else nothing', () => {
    expect(serverSideByPorts(53, 40000)).toBe('source');
    expect(serverSideByPorts(40000, 443)).toBe('destination');
    expect(serverSideByPorts(9092, 41000)).toBe('source');
    expect(serverSideByPorts(33000, 8080)).toBe('destination');
    expect(serverSideByPorts(8080, 9090)).toBeUndefined();
    expect(serverSideByPorts(22, 80)).toBeUndefined();
    expect(serverSideByPorts(40000, 50000)).toBeUndefined();
    // An absent port (0 in proto3 JSON) says nothing about which end serves.
    expect(serverSideByPorts(53, 0)).toBeUndefined();
    expect(serverSideByPorts(0, 443)).toBeUndefined();
  });
});

describe('connectionRole', () => {
  it('TCP: SYN starts, SYN-ACK with is_reply unset is the reverse connection, a definite reply is nothing', () => {
    expect(connectionRole({ ...base, syn: true, ack: false })).toEqual({ isConnectionStart: true });
    expect(connectionRole({ ...base, syn: true, ack: false, isReply: true })).toEqual({
      isConnectionStart: false,
      noEdge: 'reply',
    });
    expect(connectionRole({ ...base, sourcePort: 5432, destinationPort: 45000, syn: true })).toEqual({
      isConnectionStart: false,
      established: 'reverse',
    });
    expect(connectionRole({ ...base, syn: true, isReply: false })).toEqual({
      isConnectionStart: false,
      noEdge: 'reply',
    });
  });

  it('TCP mid-stream: forwarded packets are established evidence, oriented by is_reply, then the ports', () => {
    expect(connectionRole({ ...base, isReply: false })).toEqual({
      isConnectionStart: false,
      established: 'forward',
    });
    expect(connectionRole({ ...base, isReply: true })).toEqual({ isConnectionStart: false, noEdge: 'reply' });
    expect(connectionRole(base)).toEqual({ isConnectionStart: false, established: 'forward' });
    expect(connectionRole({ ...base, sourcePort: 5432, destinationPort: 45000 })).toEqual({
      isConnectionStart: false,
      established: 'reverse',
    });
    // Ports that do not tell: the lower one is taken as the server's.
    expect(connectionRole({ ...base, sourcePort: 8080, destinationPort: 9090 })).toEqual({
      isConnectionStart: false,
      established: 'reverse',
    });
    expect(connectionRole({ ...base, sourcePort: 9090, destinationPort: 8080 })).toEqual({
      isConnectionStart: false,
      established: 'forward',
    });
    expect(connectionRole({ ...base, rst: true })).toEqual({ isConnectionStart: false, noEdge: 'tcp-reset' });
    expect(connectionRole({ ...base, forwarded: false, dropped: true })).toEqual({
      isConnectionStart: false,
      noEdge: 'blocked-mid-connection',
    });
    // Field-masked output without flags: a drop is an attempt, a forwarded one a packet of a connection.
    expect(connectionRole({ ...base, hasFlags: false, ack: false, forwarded: false, dropped: true })).toEqual(
      { isConnectionStart: true },
    );
    expect(connectionRole({ ...base, hasFlags: false, ack: false })).toEqual({
      isConnectionStart: false,
      established: 'forward',
    });
  });

  it('UDP/SCTP: a packet from a service port to a client port with is_reply unset is a reply, never a start', () => {
    const udp: L4Facts = { ...base, protocol: 'UDP', hasFlags: false, ack: false };
    expect(connectionRole({ ...udp, sourcePort: 40000, destinationPort: 53 })).toEqual({
      isConnectionStart: true,
    });
    expect(connectionRole({ ...udp, sourcePort: 53, destinationPort: 40000 })).toEqual({
      isConnectionStart: false,
      established: 'reverse',
    });
    expect(
      connectionRole({ ...udp, sourcePort: 123, destinationPort: 45123, forwarded: false, dropped: true }),
    ).toEqual({ isConnectionStart: false, noEdge: 'blocked-mid-connection' });
    expect(connectionRole({ ...udp, protocol: 'SCTP', sourcePort: 3868, destinationPort: 40000 })).toEqual({
      isConnectionStart: false,
      established: 'reverse',
    });
    // With the flag set, the flag decides.
    expect(connectionRole({ ...udp, sourcePort: 53, destinationPort: 40000, isReply: false })).toEqual({
      isConnectionStart: true,
    });
    expect(connectionRole({ ...udp, sourcePort: 40000, destinationPort: 53, isReply: true })).toEqual({
      isConnectionStart: false,
      noEdge: 'reply',
    });
    // Ports that do not tell: a start, as before.
    expect(connectionRole({ ...udp, sourcePort: 8125, destinationPort: 9125 })).toEqual({
      isConnectionStart: true,
    });
  });

  it('never keys an edge on port 0: an absent server port, or ports that cannot name the server', () => {
    const noPort = { isConnectionStart: false, noEdge: 'missing-port' };
    // Mid-stream with is_reply false: the destination port is the server's, and it is absent.
    expect(connectionRole({ ...base, destinationPort: 0, isReply: false })).toEqual(noPort);
    // is_reply unset and one port absent: the ports cannot tell which end serves.
    expect(connectionRole({ ...base, destinationPort: 0 })).toEqual(noPort);
    expect(connectionRole({ ...base, sourcePort: 443, destinationPort: 0 })).toEqual(noPort);
    expect(connectionRole({ ...base, sourcePort: 0 })).toEqual(noPort);
    expect(connectionRole({ ...base, sourcePort: 0, destinationPort: 0, hasFlags: false })).toEqual(noPort);
    // A SYN-ACK read as the reverse connection needs its source port; a SYN its destination port.
    expect(connectionRole({ ...base, sourcePort: 0, syn: true })).toEqual(noPort);
    expect(connectionRole({ ...base, destinationPort: 0, syn: true, ack: false })).toEqual(noPort);
    const udp: L4Facts = { ...base, protocol: 'UDP', hasFlags: false, ack: false };
    expect(connectionRole({ ...udp, sourcePort: 53, destinationPort: 0 })).toEqual(noPort);
    // The client's port may be absent when the flag names the direction.
    expect(connectionRole({ ...base, sourcePort: 0, isReply: false })).toEqual({
      isConnectionStart: false,
      established: 'forward',
    });
    // Replies, resets and blocked packets keep their own reason.
    expect(connectionRole({ ...base, destinationPort: 0, isReply: true })).toEqual({
      isConnectionStart: false,
      noEdge: 'reply',
    });
    expect(connectionRole({ ...base, destinationPort: 0, rst: true })).toEqual({
      isConnectionStart: false,
      noEdge: 'tcp-reset',
    });
  });
});
