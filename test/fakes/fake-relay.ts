// A fake Hubble Relay for tests and benchmarks: a real gRPC server on 127.0.0.1 built from the
// project's own proto/observer/observer.proto. It records every GetFlowsRequest, replays its
// history honouring `since` (inclusive, as Hubble does) and the whitelist and blacklist with
// Hubble's own semantics for verdict, protocol, reply (unset is_reply included) and tcp_flags
// (hubble-filter-semantics.ts; an unknown protocol is INVALID_ARGUMENT, as Hubble answers), then
// keeps following streams open for flows emitted later. It can be killed and restarted on the
// same port, and it reports when gRPC flow control blocks its writes.
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../src/sources/grpc/proto.js';
import { InvalidFilterError, passesFilters, validateFilters } from './hubble-filter-semantics.js';

export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** A GetFlowsResponse as proto-loader objects (keepCase, enum names). */
export interface RelayResponse {
  flow?: Record<string, unknown>;
  lost_events?: Record<string, unknown>;
  node_status?: Record<string, unknown>;
  node_name?: string;
  time?: Timestamp;
}

export interface FakeRelayOptions {
  /** 0 picks a free port; pass the old port to restart "the same" relay. */
  port?: number;
  credentials?: grpc.ServerCredentials;
  history?: RelayResponse[];
  serverStatus?: Record<string, unknown>;
  /** When set, a GetFlows call first writes this many history items and then stops (simulates a crash mid-stream). */
  breakAfter?: number;
}

export class FakeRelay {
  readonly requests: Record<string, unknown>[] = [];
  readonly history: RelayResponse[];
  private server: grpc.Server | undefined;
  private readonly calls = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  /** Number of writes that returned false (HTTP/2 / stream buffer full). */
  blockedWrites = 0;
  written = 0;
  port = 0;
  serverStatus: Record<string, unknown>;

  constructor(private readonly options: FakeRelayOptions = {}) {
    this.history = [...(options.history ?? [])];
    this.serverStatus = options.serverStatus ?? {
      num_flows: 10,
      max_flows: 4095,
      seen_flows: 10,
      num_connected_nodes: { value: 2 },
      num_unavailable_nodes: { value: 0 },
      version: 'fake',
    };
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const pkg = loadProto('observer/observer.proto');
    const observer = pkg['observer'] as grpc.GrpcObject;
    const service = (observer['Observer'] as grpc.ServiceClientConstructor).service;
    const server = new grpc.Server();
    server.addService(service, {
      GetFlows: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => this.getFlows(call),
      ServerStatus: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, this.serverStatus),
      GetNodes: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { nodes: [] }),
    });
    const creds = this.options.credentials ?? grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.options.port ?? 0}`, creds, (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    this.server = server;
    return this;
  }

  private getFlows(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>): void {
    const req = call.request;
    this.requests.push(req);
    try {
      validateFilters([
        ...((req['whitelist'] as unknown[] | undefined) ?? []),
        ...((req['blacklist'] as unknown[] | undefined) ?? []),
      ]);
    } catch (error) {
      if (!(error instanceof InvalidFilterError)) throw error;
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: error.message });
      return;
    }
    this.calls.add(call);
    call.on('cancelled', () => this.calls.delete(call));
    const since = req['since'] as Timestamp | undefined;
    let sent = 0;
    for (const item of this.history) {
      if (!this.matches(req, item, since)) continue;
      if (this.options.breakAfter !== undefined && sent >= this.options.breakAfter) return; // stall: caller kills the server
      this.write(call, item);
      sent += 1;
    }
    if (req['follow'] !== true) {
      call.end();
      this.calls.delete(call);
    }
  }

  private write(call: grpc.ServerWritableStream<unknown, unknown>, item: RelayResponse): void {
    const payload =
      item.flow !== undefined ? { flow: item.flow, node_name: item.node_name, time: item.time } : item;
    this.written += 1;
    if (!call.write(payload)) this.blockedWrites += 1;
  }

  private matches(req: Record<string, unknown>, item: RelayResponse, since: Timestamp | undefined): boolean {
    const t = item.flow !== undefined ? (item.flow['time'] as Timestamp | undefined) : item.time;
    if (since !== undefined && t !== undefined) {
      const ss = since.seconds ?? 0;
      const sn = since.nanos ?? 0;
      if (t.seconds < ss || (t.seconds === ss && (t.nanos ?? 0) < sn)) return false;
    }
    if (item.flow === undefined) return true;
    const pass = passesFilters(
      (req['whitelist'] as unknown[] | undefined) ?? [],
      (req['blacklist'] as unknown[] | undefined) ?? [],
      item.flow,
    );
    if (!pass) this.filteredOut += 1;
    return pass;
  }

  /** History items (flows) the request's filters kept out, over every call. */
  filteredOut = 0;

  /** Sends to every open following stream and appends to history (for later resumes). */
  emit(item: RelayResponse): void {
    this.history.push(item);
    for (const call of this.calls) {
      const req = call.request as Record<string, unknown>;
      if (this.matches(req, item, undefined)) this.write(call, item);
    }
  }

  /** Writes up to n items as fast as the stream accepts them; returns how many went before the first refusal (false). */
  flood(make: (i: number) => RelayResponse, n: number): number {
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const item = make(i);
      let ok = true;
      for (const call of this.calls) {
        this.written += 1;
        if (
          !call.write(
            item.flow !== undefined ? { flow: item.flow, node_name: item.node_name, time: item.time } : item,
          )
        )
          ok = false;
      }
      if (!ok) {
        this.blockedWrites += 1;
        return accepted;
      }
      accepted += 1;
    }
    return accepted;
  }

  /** True while pump() waits for a 'drain' (the client stopped reading; HTTP/2 windows are full). */
  waitingForDrain = false;

  /**
   * Writes n generated items to every open stream the way a well-behaved server does: when
   * write() returns false it waits for 'drain'. Resolves when all n were written.
   */
  async pump(make: (i: number) => RelayResponse, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const item = make(i);
      for (const call of this.calls) {
        this.written += 1;
        if (!call.write({ flow: item.flow, node_name: item.node_name, time: item.time })) {
          this.blockedWrites += 1;
          this.waitingForDrain = true;
          await new Promise<void>((resolve) => call.once('drain', () => resolve()));
          this.waitingForDrain = false;
        }
      }
    }
  }

  get openStreams(): number {
    return this.calls.size;
  }

  /** Hard stop: connections reset, streams fail with UNAVAILABLE on the client. */
  kill(): void {
    for (const call of this.calls) call.destroy();
    this.calls.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    for (const call of this.calls) call.end();
    this.calls.clear();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    this.server = undefined;
  }
}

let seq = 0;

/** A TCP SYN flow at the given time, in the shape proto-loader decodes (and encodes) Hubble flows. */
export function tcpSyn(
  timeMs: number,
  opts: {
    srcPort?: number;
    dstPort?: number;
    node?: string;
    verdict?: string;
    uuid?: string;
    nanos?: number;
  } = {},
): RelayResponse {
  const seconds = Math.floor(timeMs / 1000);
  const nanos = opts.nanos ?? (timeMs % 1000) * 1e6;
  const time = { seconds, nanos };
  seq += 1;
  const node = opts.node ?? 'kind-kind/kind-worker';
  return {
    node_name: node,
    time,
    flow: {
      time,
      ...(opts.uuid === undefined ? {} : { uuid: opts.uuid }),
      verdict: opts.verdict ?? 'FORWARDED',
      ...(opts.verdict === 'DROPPED' ? { drop_reason_desc: 'POLICY_DENIED', drop_reason: 133 } : {}),
      IP: { source: '10.244.1.5', destination: '10.244.2.7', ipVersion: 'IPv4' },
      l4: {
        TCP: {
          source_port: opts.srcPort ?? 40000 + (seq % 20000),
          destination_port: opts.dstPort ?? 8080,
          flags: { SYN: true },
        },
      },
      source: {
        ID: 101,
        identity: 12345,
        namespace: 'shop',
        labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'],
        pod_name: 'frontend-7d4b9c-abcde',
        workloads: [{ name: 'frontend', kind: 'Deployment' }],
      },
      destination: {
        ID: 202,
        identity: 23456,
        namespace: 'shop',
        labels: ['k8s:app=cart', 'k8s:io.kubernetes.pod.namespace=shop'],
        pod_name: 'cart-5f6d7-xyz12',
        workloads: [{ name: 'cart', kind: 'Deployment' }],
      },
      Type: 'L3_L4',
      node_name: node,
      event_type: { type: 4 },
      traffic_direction: 'EGRESS',
      trace_observation_point: 'TO_STACK',
      is_reply: { value: false },
      Summary: 'TCP Flags: SYN',
    },
  };
}

export function lostEvents(timeMs: number, count: number, source = 'HUBBLE_RING_BUFFER'): RelayResponse {
  const time = { seconds: Math.floor(timeMs / 1000), nanos: (timeMs % 1000) * 1e6 };
  return {
    lost_events: { source, num_events_lost: count, first: time, last: time },
    node_name: 'kind-kind/kind-worker',
    time,
  };
}

export function nodeStatus(state: string, nodes: string[], timeMs: number): RelayResponse {
  const time = { seconds: Math.floor(timeMs / 1000), nanos: 0 };
  return { node_status: { state_change: state, node_names: nodes, message: 'fake' }, time };
}
