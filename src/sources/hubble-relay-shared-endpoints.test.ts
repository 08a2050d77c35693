// The relay decoder hands out one frozen endpoint object per distinct encoding, and the Hubble
// parser reuses the Endpoint it built for such an object: a stream in which endpoints repeat must
// normalize exactly as the same flows read one by one from proto-loader's fresh objects.
import fc from 'fast-check';
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { hubbleParser, normalizeHubbleFlow } from '../flows/hubble.js';
import { decodeGetFlowsResponse } from './hubble-relay-decode.js';
import { loadProto } from './grpc/proto.js';

const observer = loadProto('observer/observer.proto')['observer'] as grpc.GrpcObject;
const def = (observer['Observer'] as grpc.ServiceClientConstructor).service['GetFlows'];
if (def === undefined) throw new Error('GetFlows missing');
const full = (b: Buffer): unknown => def.responseDeserialize(b);

type Obj = Record<string, unknown>;
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const endpoint = fc.record(
  {
    identity: fc.oneof(fc.constantFrom(1, 2, 6, 7), fc.nat(40)),
    namespace: fc.oneof(name, fc.constant('')),
    pod_name: fc.oneof(
      name.map((n) => `${n}-7d4b9c6f8-x2x9z`),
      name,
    ),
    labels: fc.array(
      fc.oneof(
        fc.constant('reserved:host'),
        fc.constant('reserved:world'),
        name.map((n) => `k8s:app=${n}`),
        fc.constant('k8s:pod-template-hash=7d4b9c6f8'),
        fc.constant(`k8s:big=${'v'.repeat(70)}`),
      ),
      { maxLength: 5 },
    ),
    workloads: fc.array(
      fc.record({ name, kind: fc.constantFrom('Deployment', 'StatefulSet', '') }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);
const stream = fc
  .record({
    endpoints: fc.array(endpoint, { minLength: 1, maxLength: 4 }),
    ips: fc.array(fc.oneof(fc.ipV4(), fc.constant('')), { minLength: 1, maxLength: 3 }),
    picks: fc.array(
      fc.record({
        s: fc.nat(3),
        d: fc.nat(3),
        sip: fc.nat(2),
        dip: fc.nat(2),
        names: fc.option(fc.array(fc.domain(), { maxLength: 2 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .map(({ endpoints, ips, picks }) =>
    picks.map((p, i) => ({
      flow: {
        time: { seconds: 1_780_000_000 + i, nanos: 5 },
        verdict: 'FORWARDED',
        IP: { source: ips[p.sip % ips.length], destination: ips[p.dip % ips.length] },
        l4: { TCP: { source_port: 40000 + i, destination_port: 8080, flags: { SYN: true } } },
        source: endpoints[p.s % endpoints.length],
        destination: endpoints[p.d % endpoints.length],
        ...(p.names === undefined ? {} : { destination_names: p.names }),
      },
      node_name: 'node-1',
    })),
  );

describe('shared endpoint objects', () => {
  it('normalize as fresh objects do, flow after flow in one parser', () => {
    fc.assert(
      fc.property(stream, (responses) => {
        const parser = hubbleParser();
        for (const resp of responses) {
          const buf = def.responseSerialize(resp);
          const lean = decodeGetFlowsResponse(buf, full) as Obj;
          const fresh = full(buf) as Obj;
          expect(parser.normalize(lean['flow'], { nodeName: 'node-1' })).toEqual(
            normalizeHubbleFlow(fresh['flow'], { nodeName: 'node-1' }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('are the same frozen object for the same encoding', () => {
    const resp = { flow: { time: { seconds: 1 }, source: { namespace: 'a', labels: ['k8s:x=y'] } } };
    const a = decodeGetFlowsResponse(def.responseSerialize(resp), full) as { flow: Obj };
    const b = decodeGetFlowsResponse(def.responseSerialize(resp), full) as { flow: Obj };
    expect(a.flow['source']).toBe(b.flow['source']);
    expect(Object.isFrozen(a.flow['source'])).toBe(true);
    expect(Object.isFrozen((a.flow['source'] as Obj)['labels'])).toBe(true);
  });
});
