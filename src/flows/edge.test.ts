import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregateFlow, edgeKey, peerOf, type EdgeDelta } from './edge.js';
import { NO_POLICIES, type Endpoint, type Flow } from './flow.js';

const endpointArb: fc.Arbitrary<Endpoint> = fc
  .record({
    kind: fc.constantFrom<Endpoint['kind']>('pod', 'world', 'host', 'cluster'),
    ns: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    pod: fc.option(fc.constantFrom('p-1', 'p-2'), { nil: undefined }),
    workload: fc.option(
      fc.record({ kind: fc.constantFrom('Deployment', 'Pod'), name: fc.constantFrom('w', 'p-1') }),
      { nil: undefined },
    ),
    ip: fc.option(fc.constantFrom('10.0.0.1', '203.0.113.1'), { nil: undefined }),
  })
  .map(({ kind, ns, pod, workload, ip }) => ({
    kind,
    labels: {},
    names: [],
    ...(ns !== undefined ? { namespace: ns } : {}),
    ...(pod !== undefined ? { pod } : {}),
    ...(workload !== undefined ? { workload } : {}),
    ...(ip !== undefined ? { ip } : {}),
  }));

function flowOf(source: Endpoint, destination: Endpoint): Flow {
  return {
    timeMs: 1,
    source,
    destination,
    protocol: 'TCP',
    destinationPort: 80,
    direction: 'egress',
    verdict: 'forwarded',
    isPolicyDrop: false,
    policies: NO_POLICIES,
    isReply: false,
    isConnectionStart: true,
  };
}

describe('aggregateFlow', () => {
  it('keys a flow exactly as edgeKey keys its peers, so one path is one edge', () => {
    fc.assert(
      fc.property(endpointArb, endpointArb, (source, destination) => {
        const into = new Map<string, EdgeDelta>();
        aggregateFlow(flowOf(source, destination), into);
        expect([...into.keys()]).toEqual([
          edgeKey(peerOf(source), peerOf(destination), 'TCP', 80, 'forwarded'),
        ]);
      }),
    );
  });

  it('ignores replies and mid-stream packets', () => {
    const into = new Map<string, EdgeDelta>();
    const pod: Endpoint = { kind: 'pod', namespace: 'a', pod: 'p', labels: {}, names: [] };
    aggregateFlow({ ...flowOf(pod, pod), isConnectionStart: false }, into);
    expect(into.size).toBe(0);
  });
});
