// A minimal Hubble Relay for benchmarks: node:http2 speaking the gRPC wire format by hand
// (length-prefixed protobuf messages from proto/observer/observer.proto), writing pre-encoded
// GetFlowsResponse frames in large chunks. A grpc-js server writes one message per socket write
// and tops out near 7k messages/s, which would measure the fake instead of our client; a real
// relay (Go) batches writes like this one. Flow control is HTTP/2's: stream.write() returning
// false waits for 'drain'.
// Run as a program (`--serve`), it is the bench's relay in a process of its own: it generates the
// bench's flows, serves them to every GetFlows call, sends its address over IPC and answers 'cpu'
// messages with its CPU time, so bench/relay.ts measures the client's process alone, as a daemon
// runs next to a relay pod.
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import { loadProto } from '../src/sources/grpc/proto.js';
import { tcpSyn } from '../test/fakes/fake-relay.js';

export interface H2Relay {
  readonly address: string;
  readonly requests: Buffer[];
  close(): Promise<void>;
}

export function encodeResponses(items: readonly object[]): Buffer[] {
  const observer = loadProto('observer/observer.proto')['observer'] as grpc.GrpcObject;
  const def = (observer['Observer'] as grpc.ServiceClientConstructor).service['GetFlows'];
  if (def === undefined) throw new Error('GetFlows missing');
  return items.map((item) => {
    const body = def.responseSerialize(item);
    const frame = Buffer.allocUnsafe(5 + body.length);
    frame.writeUInt8(0, 0);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    return frame;
  });
}

/** Serves GetFlows: writes `frames` (in chunks of chunkFrames) then keeps the stream open (follow). */
export async function startH2Relay(frames: readonly Buffer[], chunkFrames = 512): Promise<H2Relay> {
  const requests: Buffer[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    if (headers[':path'] !== '/observer.Observer/GetFlows') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': '12', 'grpc-message': 'unimplemented' }),
      );
      stream.end();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => requests.push(Buffer.concat(chunks)));
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    let i = 0;
    const writeMore = (): void => {
      while (i < frames.length && !stream.destroyed) {
        const chunk = Buffer.concat(frames.slice(i, i + chunkFrames));
        i += chunkFrames;
        if (!stream.write(chunk)) {
          stream.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
      }),
  };
}

/**
 * The bench's flows: TCP SYNs from `workloads` client workloads (one pod each, each label set
 * with a security identity of its own, as Cilium allocates them) in `shop` to one server, ten per
 * millisecond, times strictly increasing (nanosecond resolution, as Hubble stamps them).
 */
export function benchRelayItems(flows: number, workloads: number): object[] {
  const t0 = Date.UTC(2026, 4, 1);
  return Array.from({ length: flows }, (_, i) => {
    const ms = Math.floor(i / 10);
    const r = tcpSyn(t0 + ms, {
      srcPort: 1024 + (i % 50_000),
      dstPort: 8000 + (i % 7),
      nanos: (ms % 1000) * 1_000_000 + (i % 10) * 1000,
    });
    const w = i % workloads;
    const flow = r.flow as { source: object };
    flow.source = {
      ...flow.source,
      identity: 20_000 + w,
      pod_name: `client-${w}-abcde`,
      labels: [`k8s:app=client-${w}`, 'k8s:io.kubernetes.pod.namespace=shop'],
      workloads: [{ name: `client-${w}` }],
    };
    return r;
  });
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

if (process.argv.includes('--serve') && process.argv[1] === fileURLToPath(import.meta.url)) {
  const frames = encodeResponses(benchRelayItems(option('flows', 100_000), option('workloads', 500)));
  const relay = await startH2Relay(frames);
  const send = (msg: object): void => {
    process.send?.(msg);
  };
  process.on('message', (msg) => {
    if (msg === 'cpu') send({ cpu: process.cpuUsage() });
    else if (msg === 'stop') void relay.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  send({ address: relay.address, bytes: frames.reduce((n, f) => n + f.length, 0) });
}
