import { readFileSync, rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HubbleRelaySource } from '../../src/sources/hubble-relay.js';
import { connectionStartFilters } from '../../src/sources/hubble-relay-filters.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeRelay, lostEvents, nodeStatus, tcpSyn } from '../fakes/fake-relay.js';
import { hasOpenssl, makeTestPki } from '../fakes/test-certs.js';
import { skipWhenMissing } from '../ci-tools.js';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track<T extends { stop(): Promise<void> }>(x: T): T {
  cleanups.push(() => x.stop());
  return x;
}

function source(
  relay: FakeRelay,
  clock: FakeClock,
  extra: Partial<ConstructorParameters<typeof HubbleRelaySource>[0]> = {},
) {
  return track(
    new HubbleRelaySource({
      name: 'relay',
      address: relay.address,
      clock,
      random: () => 0.5,
      backoff: { initialMs: 100, maxMs: 1000 },
      ...extra,
    }),
  );
}

function ports(sink: CollectingSink): number[] {
  return sink.flows.map((f) => f.sourcePort ?? -1);
}

describe('HubbleRelaySource against a fake relay', () => {
  it('follows GetFlows with the reply blacklist and normalizes what arrives', async () => {
    const ack = tcpSyn(T0 + 1, { srcPort: 5001 });
    (ack.flow as { l4: unknown }).l4 = {
      TCP: { source_port: 5001, destination_port: 8080, flags: { ACK: true } },
    };
    const synAck = tcpSyn(T0 + 1, { srcPort: 8080, dstPort: 5000 });
    (synAck.flow as { l4: unknown; is_reply: unknown }).l4 = {
      TCP: { source_port: 8080, destination_port: 5000, flags: { SYN: true, ACK: true } },
    };
    (synAck.flow as { is_reply: unknown }).is_reply = { value: true };
    const relay = track(
      await new FakeRelay({
        history: [
          tcpSyn(T0, { srcPort: 5000 }),
          synAck,
          ack,
          tcpSyn(T0 + 2, { srcPort: 5002, verdict: 'DROPPED' }),
        ],
      }).start(),
    );
    const sink = new CollectingSink();
    const src = source(relay, new FakeClock());
    await src.start(sink);
    await waitFor(() => sink.results.length === 3, 10_000, 'history');
    // The reply stays on the relay; the mid-stream ACK comes: it is evidence of an established connection.
    expect(ports(sink)).toEqual([5000, 5001, 5002]);
    expect(relay.filteredOut).toBe(1);
    expect(sink.flows[1]).toMatchObject({ isConnectionStart: false, established: 'forward' });
    const req = relay.requests[0] ?? {};
    expect(req['follow']).toBe(true);
    expect(req['since']).toBeUndefined();
    expect(req['whitelist'] ?? []).toEqual([]);
    expect(req['blacklist']).toEqual([{ reply: [true] }]);
    expect(connectionStartFilters().whitelist).toHaveLength(0);
    // Follow: a flow emitted later arrives on the same stream.
    relay.emit(tcpSyn(T0 + 3, { srcPort: 5003 }));
    await waitFor(() => sink.results.length === 4, 10_000, 'followed flow');
    const last = sink.flows[3];
    expect(last).toMatchObject({
      protocol: 'TCP',
      destinationPort: 8080,
      verdict: 'forwarded',
      isConnectionStart: true,
    });
    expect(last?.source.namespace).toBe('shop');
    expect(src.status()).toMatchObject({ state: 'connected', events: 4, lostEvents: 0 });
    expect(relay.requests).toHaveLength(1);
    const st = await src.serverStatus();
    expect(st).toMatchObject({ connectedNodes: 2, unavailableNodes: 0, maxFlows: 4095, version: 'fake' });
  });

  it('reconnects after the relay is killed and restarted on the same port, resuming with since and counting nothing twice', async () => {
    // Two flows share the last timestamp before the crash: the resume (since is inclusive) re-sends both.
    const history = [
      tcpSyn(T0, { srcPort: 1 }),
      tcpSyn(T0 + 10, { srcPort: 2 }),
      tcpSyn(T0 + 20, { srcPort: 3 }),
      tcpSyn(T0 + 20, { srcPort: 4 }),
    ];
    const relay1 = await new FakeRelay({ history }).start();
    const port = relay1.port;
    const clock = new FakeClock();
    const sink = new CollectingSink();
    const src = source(relay1, clock);
    await src.start(sink);
    await waitFor(() => sink.results.length === 4, 10_000, 'first batch');
    relay1.kill();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'reconnect backoff');
    expect(src.status().state).toBe('reconnecting');
    expect(clock.delays[0]).toBeGreaterThanOrEqual(100);

    // Restart on the same port with the same ring buffer plus newer flows, one of them at the boundary time.
    const relay2 = track(
      await new FakeRelay({
        port,
        history: [...history, tcpSyn(T0 + 20, { srcPort: 5 }), tcpSyn(T0 + 30, { srcPort: 6 })],
      }).start(),
    );
    expect(relay2.port).toBe(port);
    clock.wakeAll();
    await waitFor(() => sink.results.length === 6, 10_000, 'resumed flows');
    expect(ports(sink)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(relay2.requests[0]?.['since']).toEqual({
      seconds: Math.floor((T0 + 20) / 1000),
      nanos: ((T0 + 20) % 1000) * 1e6,
    });
    const st = src.status();
    expect(st.duplicates).toBe(2);
    expect(st.reconnects).toBe(1);
    expect(st.state).toBe('connected');
    // The backoff resets after the first good message: the next failure starts from the base delay again.
    relay2.kill();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'second backoff');
    expect(clock.delays[1]).toBeLessThanOrEqual(100);
  });

  it('counts lost events and tracks unavailable nodes without ending the stream', async () => {
    const relay = track(
      await new FakeRelay({
        history: [
          tcpSyn(T0),
          lostEvents(T0 + 1, 500),
          nodeStatus('NODE_UNAVAILABLE', ['kind-kind/node-b'], T0 + 2),
          lostEvents(T0 + 3, 7, 'PERF_EVENT_RING_BUFFER'),
          tcpSyn(T0 + 4),
        ],
      }).start(),
    );
    const warnings: object[] = [];
    const sink = new CollectingSink();
    const src = source(relay, new FakeClock(), {
      logger: { info: () => undefined, warn: (o) => warnings.push(o) },
    });
    await src.start(sink);
    await waitFor(() => sink.results.length === 2, 10_000, 'flows');
    await waitFor(() => src.status().lostEvents === 507, 10_000, 'lost events');
    expect(src.status()).toMatchObject({
      lostEvents: 507,
      unavailableNodes: ['kind-kind/node-b'],
      state: 'connected',
      reconnects: 0,
    });
    expect(warnings.length).toBe(2); // one per lost-event source, rate-limited
    relay.emit(nodeStatus('NODE_CONNECTED', ['kind-kind/node-b'], T0 + 5));
    await waitFor(() => src.status().unavailableNodes.length === 0, 10_000, 'node back');
  });

  it('pauses the gRPC call while the sink is full, so the relay’s writes block, and resumes on drain', async () => {
    const relay = track(await new FakeRelay().start());
    const sink = new CollectingSink(10);
    const src = source(relay, new FakeClock());
    await src.start(sink);
    await waitFor(() => relay.openStreams === 1, 10_000, 'stream open');
    const total = 3000;
    const pumping = relay.pump((i) => tcpSyn(T0 + i, { srcPort: 1 + (i % 60000) }), total);
    await waitFor(() => relay.waitingForDrain && sink.refusals > 0, 10_000, 'server blocked');
    const writtenWhenBlocked = relay.written;
    const heldWhenBlocked = sink.results.length;
    // The client stopped pulling: only its Readable buffer and HTTP/2 windows hold flows.
    expect(writtenWhenBlocked).toBeLessThan(total);
    expect(heldWhenBlocked).toBeLessThanOrEqual(10);
    expect(src.status().pauses).toBe(1);
    sink.open();
    await pumping;
    await waitFor(() => sink.results.length === total, 20_000, 'all flows after drain');
    expect(src.status().events).toBe(total);
  });
});

describe.skipIf(skipWhenMissing(hasOpenssl(), 'openssl (for the test PKI)'))('HubbleRelaySource TLS', () => {
  const pki = makeTestPki();
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));
  const serverCreds = (requireClient: boolean) =>
    grpc.ServerCredentials.createSsl(
      requireClient ? readFileSync(pki.caFile) : null,
      [{ private_key: readFileSync(pki.serverKeyFile), cert_chain: readFileSync(pki.serverCertFile) }],
      requireClient,
    );

  it('verifies the relay against a CA with a server-name override', async () => {
    const relay = track(
      await new FakeRelay({ credentials: serverCreds(false), history: [tcpSyn(T0)] }).start(),
    );
    const sink = new CollectingSink();
    const src = source(relay, new FakeClock(), {
      tls: { caFile: pki.caFile, serverName: 'instance.hubble-relay.cilium.io' },
    });
    await src.start(sink);
    await waitFor(() => sink.results.length === 1, 10_000, 'flow over TLS');
  });

  it('refuses a relay whose certificate another CA signed, and keeps retrying', async () => {
    const relay = track(
      await new FakeRelay({ credentials: serverCreds(false), history: [tcpSyn(T0)] }).start(),
    );
    const clock = new FakeClock();
    const src = source(relay, clock, {
      tls: { caFile: pki.otherCaFile, serverName: 'instance.hubble-relay.cilium.io' },
    });
    await src.start(new CollectingSink());
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'retry after TLS failure');
    expect(src.status().errors).toBe(1);
    expect(src.status().events).toBe(0);
  });

  it('authenticates with a client certificate when the relay requires mTLS', async () => {
    const relay = track(
      await new FakeRelay({ credentials: serverCreds(true), history: [tcpSyn(T0)] }).start(),
    );
    const noCertClock = new FakeClock();
    const noCert = source(relay, noCertClock, {
      tls: { caFile: pki.caFile, serverName: 'instance.hubble-relay.cilium.io' },
    });
    const clock = new FakeClock();
    const refused = new CollectingSink();
    await noCert.start(refused);
    await waitFor(() => noCertClock.pendingSleeps === 1, 10_000, 'mTLS refusal');
    expect(refused.results).toHaveLength(0);
    const sink = new CollectingSink();
    const src = source(relay, clock, {
      tls: {
        caFile: pki.caFile,
        certFile: pki.clientCertFile,
        keyFile: pki.clientKeyFile,
        serverName: 'instance.hubble-relay.cilium.io',
      },
    });
    await src.start(sink);
    await waitFor(() => sink.results.length === 1, 10_000, 'flow over mTLS');
  });

  it('reports a client certificate without its key as an error and retries', async () => {
    const clock = new FakeClock();
    const src = track(
      new HubbleRelaySource({
        name: 'x',
        address: '127.0.0.1:1',
        clock,
        tls: { certFile: pki.clientCertFile },
      }),
    );
    await src.start(new CollectingSink());
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'retry');
    expect(src.status().lastError).toMatch(/both a client certificate and a key/);
  });
});
