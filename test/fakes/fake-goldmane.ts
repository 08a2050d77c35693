// A fake Calico Goldmane: a real gRPC server on 127.0.0.1 built from proto/goldmane/api.proto,
// serving Flows/Stream from a history (start_time_gte honoured, inclusive, as upstream) and
// following with flows emitted later; Flows/List (time range, paging) and Flows/FilterHints
// over the same history. The Filter of a request is applied as upstream does for the fields
// below (values within one field ORed, fields ANDed, Exact or Fuzzy = substring). Records each
// request; can be killed and restarted on the same port. fake-goldmane-aggregator.ts turns
// connections into the aggregated FlowResults Goldmane would serve.
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../src/sources/grpc/proto.js';

export type FlowResult = { id: number; flow: Record<string, unknown> };

export class FakeGoldmane {
  readonly requests: Record<string, unknown>[] = [];
  readonly history: FlowResult[];
  private server: grpc.Server | undefined;
  private readonly calls = new Set<grpc.ServerWritableStream<Record<string, unknown>, unknown>>();
  private readonly filters = new WeakMap<object, unknown>();
  port = 0;

  constructor(
    private readonly options: {
      port?: number;
      history?: FlowResult[];
      credentials?: grpc.ServerCredentials;
    } = {},
  ) {
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
        this.filters.set(call, call.request['filter']);
        for (const r of this.history)
          if ((gte <= 0 || Number(r.flow['start_time']) >= gte) && matchesFilter(r, call.request['filter']))
            call.write(r);
      },
      List: (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        this.requests.push(call.request);
        const gte = Number(call.request['start_time_gte'] ?? 0);
        const lt = Number(call.request['start_time_lt'] ?? 0);
        const all = this.history.filter((r) => {
          const start = Number(r.flow['start_time']);
          return (
            (gte <= 0 || start >= gte) && (lt <= 0 || start < lt) && matchesFilter(r, call.request['filter'])
          );
        });
        const size = Number(call.request['page_size'] ?? 0);
        const page = Number(call.request['page'] ?? 0);
        const flows = size > 0 ? all.slice(page * size, (page + 1) * size) : all;
        cb(null, {
          meta: { totalPages: size > 0 ? Math.ceil(all.length / size) : 1, totalResults: all.length },
          flows,
        });
      },
      FilterHints: (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        this.requests.push(call.request);
        const field = HINT_FIELDS[String(call.request['type'])];
        if (field === undefined)
          return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'unsupported filter type' });
        const values = new Set<string>();
        for (const r of this.history) {
          const value = keyOf(r)[field];
          if (typeof value === 'string' && matchesFilter(r, call.request['filter'])) values.add(value);
        }
        const hints = [...values]
          .filter((v) => v !== '' && v !== '-')
          .sort()
          .map((value) => ({ value }));
        cb(null, { meta: { totalPages: 1, totalResults: hints.length }, hints });
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `127.0.0.1:${this.options.port ?? 0}`,
        this.options.credentials ?? grpc.ServerCredentials.createInsecure(),
        (e, p) => (e ? reject(e) : resolve(p)),
      ),
    );
    this.server = server;
    return this;
  }

  emit(r: FlowResult): void {
    this.history.push(r);
    for (const c of this.calls) if (matchesFilter(r, this.filters.get(c))) c.write(r);
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

const HINT_FIELDS: Readonly<Record<string, string>> = {
  FilterTypeDestName: 'dest_name',
  FilterTypeSourceName: 'source_name',
  FilterTypeDestNamespace: 'dest_namespace',
  FilterTypeSourceNamespace: 'source_namespace',
};

function keyOf(r: FlowResult): Record<string, unknown> {
  const key = r.flow['Key'];
  return typeof key === 'object' && key !== null ? (key as Record<string, unknown>) : {};
}

function stringMatches(value: unknown, matches: unknown): boolean {
  if (!Array.isArray(matches) || matches.length === 0) return true;
  const text = typeof value === 'string' ? value : '';
  return matches.some((m: { value?: string; type?: string }) =>
    m.type === 'Fuzzy' ? text.includes(m.value ?? '') : text === (m.value ?? ''),
  );
}

/** Upstream's Filter semantics for the fields the tests use; an absent filter matches all. */
export function matchesFilter(r: FlowResult, filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return true;
  const f = filter as Record<string, unknown>;
  const key = keyOf(r);
  if (!stringMatches(key['source_name'], f['source_names'])) return false;
  if (!stringMatches(key['source_namespace'], f['source_namespaces'])) return false;
  if (!stringMatches(key['dest_name'], f['dest_names'])) return false;
  if (!stringMatches(key['dest_namespace'], f['dest_namespaces'])) return false;
  if (!stringMatches(key['proto'], f['protocols'])) return false;
  const ports = f['dest_ports'];
  if (
    Array.isArray(ports) &&
    ports.length > 0 &&
    !ports.some((p: { port?: number }) => p.port === key['dest_port'])
  )
    return false;
  const actions = f['actions'];
  if (Array.isArray(actions) && actions.length > 0 && !actions.includes(key['action'])) return false;
  const reporter = f['reporter'];
  if (reporter !== undefined && reporter !== 'ReporterUnspecified' && reporter !== key['reporter'])
    return false;
  return true;
}

let nextId = 1;

/** An aggregated Goldmane flow record (proto field names, enum names). */
export function goldmaneFlow(
  startS: number,
  o: {
    srcName?: string;
    dstPort?: number;
    action?: string;
    reporter?: string;
    started?: number;
    proto?: string;
  } = {},
): FlowResult {
  return {
    id: nextId++,
    flow: {
      Key: {
        source_name: o.srcName ?? 'frontend-7d4b9c-*',
        source_namespace: 'shop',
        source_type: 'WorkloadEndpoint',
        dest_name: 'cart-5f6d7-*',
        dest_namespace: 'shop',
        dest_type: 'WorkloadEndpoint',
        dest_port: o.dstPort ?? 8080,
        proto: o.proto ?? 'tcp',
        reporter: o.reporter ?? 'Dst',
        action: o.action ?? 'Allow',
        policies: {
          enforced_policies: [
            {
              kind: 'NetworkPolicy',
              namespace: 'shop',
              name: 'allow-frontend',
              tier: 'default',
              action: o.action ?? 'Allow',
              policy_index: 0,
              rule_index: 0,
            },
          ],
          pending_policies: [],
        },
      },
      start_time: startS,
      end_time: startS + 15,
      source_labels: ['app=frontend', 'projectcalico.org/namespace=shop'],
      dest_labels: ['app=cart'],
      packets_in: 10,
      packets_out: 12,
      bytes_in: 1000,
      bytes_out: 1400,
      num_connections_started: o.started ?? 3,
      num_connections_completed: 3,
      num_connections_live: 0,
    },
  };
}
