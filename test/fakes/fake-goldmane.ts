// A fake Calico Goldmane: a real gRPC server on 127.0.0.1 built from proto/goldmane/api.proto,
// serving Flows/Stream from a history (start_time_gte honoured, inclusive, as upstream) and
// following with flows emitted later. Records each FlowStreamRequest; can be killed and
// restarted on the same port.
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../src/sources/hubble-relay-proto.js';

export type FlowResult = { id: number; flow: Record<string, unknown> };

export class FakeGoldmane {
  readonly requests: Record<string, unknown>[] = [];
  readonly history: FlowResult[];
  private server: grpc.Server | undefined;
  private readonly calls = new Set<grpc.ServerWritableStream<Record<string, unknown>, unknown>>();
  port = 0;

  constructor(private readonly options: { port?: number; history?: FlowResult[]; credentials?: grpc.ServerCredentials } = {}) {
    this.history = [...(options.history ?? [])];
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const pkg = loadProto('goldmane/api.proto')['goldmane'] as grpc.GrpcObject;
    const service = (pkg['Flows'] as grpc.ServiceClientConstructor).service;
    const server = new grpc.Server();
    server.addService(service, {
      Stream: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
        this.requests.push(call.request);
        this.calls.add(call);
        call.on('cancelled', () => this.calls.delete(call));
        const gte = Number(call.request['start_time_gte'] ?? 0);
        for (const r of this.history) if (gte <= 0 || Number(r.flow['start_time']) >= gte) call.write(r);
      },
      List: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { meta: {}, flows: [] }),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.options.port ?? 0}`, this.options.credentials ?? grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.server = server;
    return this;
  }

  emit(r: FlowResult): void {
    this.history.push(r);
    for (const c of this.calls) c.write(r);
  }

  kill(): void {
    for (const c of this.calls) c.destroy();
    this.calls.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  stop(): Promise<void> {
    this.kill();
    return Promise.resolve();
  }
}

let nextId = 1;

/** An aggregated Goldmane flow record (proto field names, enum names). */
export function goldmaneFlow(startS: number, o: { srcName?: string; dstPort?: number; action?: string; reporter?: string; started?: number; proto?: string } = {}): FlowResult {
  return {
    id: nextId++,
    flow: {
      Key: {
        source_name: o.srcName ?? 'frontend-7d4b9c-*', source_namespace: 'shop', source_type: 'WorkloadEndpoint',
        dest_name: 'cart-5f6d7-*', dest_namespace: 'shop', dest_type: 'WorkloadEndpoint',
        dest_port: o.dstPort ?? 8080, proto: o.proto ?? 'tcp', reporter: o.reporter ?? 'Dst', action: o.action ?? 'Allow',
        policies: { enforced_policies: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-frontend', tier: 'default', action: o.action ?? 'Allow', policy_index: 0, rule_index: 0 }], pending_policies: [] },
      },
      start_time: startS,
      end_time: startS + 15,
      source_labels: ['app=frontend', 'projectcalico.org/namespace=shop'],
      dest_labels: ['app=cart'],
      packets_in: 10, packets_out: 12, bytes_in: 1000, bytes_out: 1400,
      num_connections_started: o.started ?? 3, num_connections_completed: 3, num_connections_live: 0,
    },
  };
}
