// The hand-written GetFlows decoder (src/sources/hubble-relay-decode.ts) against protobufjs, per
// message, decode alone and decode + normalizeHubbleFlow (what the relay source does per flow):
//   lean          decodeGetFlowsResponse, the plain object the normalizer reads
//   proto-loader  responseDeserialize: protobufjs decode + toObject (the generic fallback)
//   protobufjs    Type.decode without toObject (message instances: enums as numbers, Long int64)
// Frames are pre-encoded TCP SYN responses of test/fakes/fake-relay.ts (labels, workloads, flags)
// with varied ports and nodes. Alternating rounds; medians of ns per message.
//   node --import tsx bench/relay-decode.ts [--messages 20000] [--rounds 7]
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { hubbleParser } from '../src/flows/hubble.js';
import { decodeGetFlowsResponse } from '../src/sources/hubble-relay-decode.js';
import { loadProto, PROTO_DIR } from '../src/sources/grpc/proto.js';
import { tcpSyn } from '../test/fakes/fake-relay.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MESSAGES = arg('messages', 20_000);
const ROUNDS = arg('rounds', 7);

const observer = loadProto('observer/observer.proto')['observer'] as grpc.GrpcObject;
const getFlows = (observer['Observer'] as grpc.ServiceClientConstructor).service['GetFlows'];
if (getFlows === undefined) throw new Error('GetFlows missing');
const full = (b: Buffer): unknown => getFlows.responseDeserialize(b);

const root = new protobuf.Root();
root.resolvePath = (_origin, target) =>
  target.startsWith('google/protobuf/') ? target : path.join(PROTO_DIR, target);
root.loadSync('observer/observer.proto', { keepCase: true });
const responseType = root.lookupType('observer.GetFlowsResponse');

const T0 = Date.UTC(2026, 4, 1);
const frames = Array.from({ length: MESSAGES }, (_, i) =>
  Buffer.from(
    getFlows.responseSerialize(
      tcpSyn(T0 + i * 7, { srcPort: 30000 + (i % 30000), dstPort: 8000 + (i % 50), node: `node-${i % 8}` }),
    ),
  ),
);

type Obj = Record<string, unknown>;
const decoders: Record<string, (b: Buffer) => Obj> = {
  lean: (b) => decodeGetFlowsResponse(b, full) as Obj,
  'proto-loader': (b) => full(b) as Obj,
  protobufjs: (b) => responseType.decode(b) as unknown as Obj,
};

let sink = 0;
function time(name: string, withNormalize: boolean): number {
  const decode = decoders[name] as (b: Buffer) => Obj;
  const normalize = hubbleParser().normalize;
  const start = process.hrtime.bigint();
  for (const frame of frames) {
    const resp = decode(frame);
    if (withNormalize) {
      const result = normalize(resp['flow'], { nodeName: resp['node_name'] as string });
      if (result.ok) sink += result.flow.timeMs & 1;
    } else sink += resp['flow'] === undefined ? 0 : 1;
  }
  return Number(process.hrtime.bigint() - start) / frames.length;
}

// Does the normalizer read protobufjs message instances the same? (Otherwise only decode compares.)
const probe = hubbleParser().normalize;
const same = frames.slice(0, 200).every((f) => {
  const a = probe((decoders['lean'] as (b: Buffer) => Obj)(f)['flow']);
  const b = probe((decoders['protobufjs'] as (b: Buffer) => Obj)(f)['flow']);
  return JSON.stringify(a) === JSON.stringify(b);
});

const results: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(decoders)) {
    for (const withNormalize of [false, true]) {
      const key = `${name}${withNormalize ? ' + normalize' : ''}`;
      (results[key] ??= []).push(time(name, withNormalize));
    }
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const out: Record<string, number> = {};
for (const [key, xs] of Object.entries(results)) out[`${key} ns/msg`] = Math.round(median(xs));
console.log(
  JSON.stringify({
    messages: MESSAGES,
    rounds: ROUNDS,
    bytesPerMessage: Math.round(frames.reduce((n, f) => n + f.length, 0) / frames.length),
    normalizerReadsProtobufjsMessagesAlike: same,
    ...out,
    sink: sink > 0,
  }),
);
