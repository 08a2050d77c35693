// The Goldmane mapping, record by record: aggregated names to workloads (by naming conventions
// and through an inventory), the reporter rule, end-of-tier denies, named external peers, the
// de-duplication key; and the wire: our proto against the upstream field numbers (formats.md §4)
// and the fake's List/FilterHints/Filter over a real gRPC client.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { goldmaneFingerprint, normalizeGoldmaneFlow } from '../../src/sources/goldmane-flow.js';
import { aggregatedWorkloadResolver } from '../../src/sources/goldmane-workloads.js';
import { LOADER_OPTIONS, serviceConstructor } from '../../src/sources/grpc/proto.js';
import type { ClusterSnapshot, PodInfo } from '../../src/policy/model.js';
import type { Flow, ParseResult } from '../../src/flows/flow.js';
import { FakeGoldmane } from '../fakes/fake-goldmane.js';
import { aggregateConnections } from '../fakes/fake-goldmane-aggregator.js';
import { connections } from './goldmane-scenario.js';

const T = 1_777_636_800;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function record(key: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1,
    flow: {
      Key: {
        source_name: 'frontend-7d9f8b6c4-*',
        source_namespace: 'shop',
        source_type: 'WorkloadEndpoint',
        dest_name: 'db-*',
        dest_namespace: 'shop',
        dest_type: 'WorkloadEndpoint',
        dest_port: 5432,
        proto: 'tcp',
        reporter: 'Dst',
        action: 'Allow',
        ...key,
      },
      start_time: T,
      end_time: T + 15,
      source_labels: ['app=frontend'],
      dest_labels: ['app=db'],
      num_connections_started: 2,
      ...extra,
    },
  };
}

function flowOf(result: ParseResult): Flow {
  if (!result.ok) throw new Error(`rejected: ${result.reason} ${result.detail}`);
  return result.flow;
}

describe('normalizeGoldmaneFlow', () => {
  it('derives workloads from aggregated names by Kubernetes naming conventions', () => {
    const f = flowOf(normalizeGoldmaneFlow(record({})));
    expect(f.source.workload).toEqual({ kind: 'Deployment', name: 'frontend' });
    expect(f.destination.workload).toEqual({ kind: 'DaemonSet', name: 'db' }); // `db-*` without labels: ambiguous
    const sts = flowOf(
      normalizeGoldmaneFlow(record({}, { dest_labels: ['app=db', 'controller-revision-hash=db-6c9b'] })),
    );
    expect(sts.destination.workload).toEqual({ kind: 'StatefulSet', name: 'db' });
    const bare = flowOf(normalizeGoldmaneFlow(record({ source_name: 'debug' })));
    expect(bare.source).toMatchObject({ pod: 'debug', workload: { kind: 'Pod', name: 'debug' } });
  });

  it('with an inventory, resolves the aggregated name to the real controller and its labels', () => {
    const pod = (name: string, workload: PodInfo['workload'], labels: Record<string, string>): PodInfo => ({
      namespace: 'shop',
      name,
      labels,
      ips: [],
      hostNetwork: false,
      ports: [],
      workload,
    });
    const snapshot: ClusterSnapshot = {
      namespaces: [],
      services: [],
      policies: [],
      nodes: [],
      pods: [
        pod('db-0', { kind: 'StatefulSet', name: 'db' }, { app: 'db' }),
        pod('db-migrate-x7k2p', { kind: 'Job', name: 'db-migrate' }, { app: 'migrate' }),
      ],
    };
    const resolveWorkload = aggregatedWorkloadResolver(() => snapshot);
    const f = flowOf(normalizeGoldmaneFlow(record({}, { dest_labels: [] }), { resolveWorkload }));
    expect(f.destination).toMatchObject({
      workload: { kind: 'StatefulSet', name: 'db' },
      labels: { app: 'db' },
    });
    const job = flowOf(normalizeGoldmaneFlow(record({ dest_name: 'db-migrate-*' }), { resolveWorkload }));
    expect(job.destination.workload).toEqual({ kind: 'Job', name: 'db-migrate' });
    // Unknown to the inventory: naming conventions again.
    expect(
      flowOf(
        normalizeGoldmaneFlow(record({}), { resolveWorkload: aggregatedWorkloadResolver(() => undefined) }),
      ).source.workload,
    ).toEqual({ kind: 'Deployment', name: 'frontend' });
  });

  it('counts the destination report for pods, the source report otherwise or when it denied', () => {
    expect(flowOf(normalizeGoldmaneFlow(record({ reporter: 'Src' }))).isConnectionStart).toBe(false);
    expect(flowOf(normalizeGoldmaneFlow(record({ reporter: 'Dst' }))).isConnectionStart).toBe(true);
    expect(flowOf(normalizeGoldmaneFlow(record({ reporter: 'Src', action: 'Deny' }))).isConnectionStart).toBe(
      true,
    );
    const toNet = record({ reporter: 'Src', dest_type: 'Network', dest_name: 'pub', dest_namespace: '-' });
    expect(flowOf(normalizeGoldmaneFlow(toNet)).isConnectionStart).toBe(true);
    const toHost = record({
      reporter: 'Dst',
      dest_type: 'HostEndpoint',
      dest_name: 'node-a',
      dest_namespace: '-',
    });
    expect(flowOf(normalizeGoldmaneFlow(toHost)).isConnectionStart).toBe(false);
    const fromSet = record({
      reporter: 'Dst',
      source_type: 'NetworkSet',
      source_name: 'threat-feed',
      source_namespace: '-',
      dest_type: 'HostEndpoint',
      dest_name: 'node-a',
      dest_namespace: '-',
    });
    expect(flowOf(normalizeGoldmaneFlow(fromSet)).isConnectionStart).toBe(true);
  });

  it('names the trigger of an end-of-tier deny, skips Pass, profiles and staged hits', () => {
    const trace = {
      enforced_policies: [
        {
          kind: 'GlobalNetworkPolicy',
          name: 'baseline',
          tier: 'security',
          action: 'Pass',
          policy_index: 0,
          rule_index: 1,
        },
        {
          kind: 'EndOfTier',
          tier: 'default',
          action: 'Deny',
          policy_index: 1,
          rule_index: -1,
          trigger: {
            kind: 'NetworkPolicy',
            namespace: 'shop',
            name: 'knp.default.db-ingress',
            tier: 'default',
          },
        },
      ],
      pending_policies: [
        {
          kind: 'StagedNetworkPolicy',
          namespace: 'shop',
          name: 'would-allow',
          tier: 'default',
          action: 'Allow',
          policy_index: 0,
          rule_index: 0,
        },
      ],
    };
    const f = flowOf(normalizeGoldmaneFlow(record({ action: 'Deny', policies: trace })));
    expect(f).toMatchObject({ verdict: 'dropped', isPolicyDrop: true, direction: 'ingress' });
    expect(f.policies).toEqual({
      ingressAllowedBy: [],
      egressAllowedBy: [],
      ingressDeniedBy: ['shop/db-ingress'],
      egressDeniedBy: [],
    });
  });

  it('keeps networks, NetworkSets and host endpoints apart as named peers', () => {
    const dest = (
      type: string,
      name: string,
      namespace: string,
      labels: string[] = [],
    ): Flow['destination'] =>
      flowOf(
        normalizeGoldmaneFlow(
          record(
            { reporter: 'Src', dest_type: type, dest_name: name, dest_namespace: namespace },
            { dest_labels: labels },
          ),
        ),
      ).destination;
    expect(dest('Network', 'pub', '-')).toEqual({
      kind: 'world',
      workload: { kind: 'Network', name: 'pub' },
      labels: {},
      names: [],
    });
    expect(dest('Network', 'pvt', '-').workload).toEqual({ kind: 'Network', name: 'pvt' });
    expect(dest('NetworkSet', 'gateways', 'shop', ['role=payments'])).toEqual({
      kind: 'world',
      namespace: 'shop',
      workload: { kind: 'NetworkSet', name: 'gateways' },
      labels: { role: 'payments' },
      names: [],
    });
    expect(dest('NetworkSet', 'gateways', '-').workload).toEqual({
      kind: 'GlobalNetworkSet',
      name: 'gateways',
    });
    expect(dest('HostEndpoint', 'node-a', '-')).toMatchObject({
      kind: 'host',
      workload: { kind: 'HostEndpoint', name: 'node-a' },
    });
  });

  it('rejects what it cannot read, with the field named', () => {
    expect(normalizeGoldmaneFlow(record({ reporter: 'ReporterUnspecified' }))).toMatchObject({
      ok: false,
      reason: 'unknown_enum',
    });
    expect(normalizeGoldmaneFlow(record({ source_namespace: 'x'.repeat(300) }))).toMatchObject({
      ok: false,
      reason: 'invalid_field',
      detail: 'source_namespace',
    });
    expect(normalizeGoldmaneFlow(record({ dest_name: 42 }))).toMatchObject({
      ok: false,
      reason: 'invalid_field',
      detail: 'dest_name',
    });
  });
});

describe('goldmaneFingerprint', () => {
  it('differs for any FlowKey field or window, not for field order or proto3 defaults', () => {
    const base = record({
      dest_service_name: 'db',
      policies: { enforced_policies: [{ name: 'a', action: 'Allow' }] },
    });
    const fp = goldmaneFingerprint(base);
    const variants: Record<string, unknown>[] = [
      { dest_service_name: 'db2' },
      { dest_service_namespace: 'other' },
      { dest_service_port_name: 'pg' },
      { dest_service_port: 5432 },
      { policies: { enforced_policies: [{ name: 'b', action: 'Allow' }] } },
      { policies: { pending_policies: [{ name: 'a', action: 'Deny' }] } },
    ];
    for (const v of variants)
      expect(
        goldmaneFingerprint(
          record({
            dest_service_name: 'db',
            policies: { enforced_policies: [{ name: 'a', action: 'Allow' }] },
            ...v,
          }),
        ),
      ).not.toBe(fp);
    expect(
      goldmaneFingerprint(
        record(
          { dest_service_name: 'db', policies: { enforced_policies: [{ name: 'a', action: 'Allow' }] } },
          { start_time: T + 15 },
        ),
      ),
    ).not.toBe(fp);
    const flow = base['flow'] as Record<string, unknown>;
    const reordered = {
      flow: {
        ...flow,
        Key: Object.fromEntries(
          Object.entries(flow['Key'] as Record<string, unknown>)
            .reverse()
            .concat([['dest_service_port', 0]]),
        ),
      },
    };
    expect(goldmaneFingerprint(reordered)).toBe(fp);
  });
});

describe('proto/goldmane/api.proto is in step with upstream', () => {
  it('has upstream field numbers and types for Filter, PolicyMatch, FlowKey and PolicyHit', () => {
    const definition = protoLoader.loadSync('goldmane/api.proto', LOADER_OPTIONS);
    interface FieldDescriptor {
      name: string;
      number: number;
      label: string;
      type: string;
      typeName: string;
    }
    const descriptor = (
      name: string,
    ): { field?: FieldDescriptor[]; value?: { name: string; number: number }[] } =>
      (
        definition[`goldmane.${name}`] as unknown as {
          type: { field?: FieldDescriptor[]; value?: { name: string; number: number }[] };
        }
      ).type;
    const fields = (name: string): Record<string, string> =>
      Object.fromEntries(
        (descriptor(name).field ?? []).map((f) => [
          f.name,
          `${f.number}:${f.label === 'LABEL_REPEATED' ? 'rep ' : ''}${f.typeName !== '' ? f.typeName.replace(/^goldmane\./, '') : f.type.replace('TYPE_', '').toLowerCase()}`,
        ]),
      );
    expect(fields('Filter')).toEqual({
      source_names: '1:rep StringMatch',
      source_namespaces: '2:rep StringMatch',
      dest_names: '3:rep StringMatch',
      dest_namespaces: '4:rep StringMatch',
      protocols: '5:rep StringMatch',
      dest_ports: '6:rep PortMatch',
      actions: '7:rep Action',
      policies: '8:rep PolicyMatch',
      reporter: '9:Reporter',
      pending_actions: '10:rep Action',
    });
    expect(fields('PolicyMatch')).toEqual({
      kind: '1:PolicyKind',
      tier: '2:StringMatch',
      namespace: '3:StringMatch',
      name: '4:StringMatch',
      action: '5:Action',
    });
    expect(fields('PolicyHit')).toEqual({
      kind: '1:PolicyKind',
      namespace: '2:string',
      name: '3:string',
      tier: '4:string',
      action: '5:Action',
      policy_index: '6:int64',
      rule_index: '7:int64',
      trigger: '8:PolicyHit',
    });
    expect(Object.keys(fields('FlowKey'))).toHaveLength(15);
    expect(
      Object.fromEntries((descriptor('PolicyKind').value ?? []).map((v) => [v.name, v.number])),
    ).toMatchObject({ EndOfTier: 10, ClusterNetworkPolicy: 11, Profile: 9 });
    const service = definition['goldmane.Flows'] as unknown as Record<string, unknown>;
    expect(Object.keys(service).sort()).toEqual(['FilterHints', 'List', 'Stream']);
  });

  it('the fake answers List, FilterHints and a v3.32 Filter (reporter, policies) over gRPC', async () => {
    const gm = await new FakeGoldmane({ history: aggregateConnections(connections) }).start();
    cleanups.push(() => gm.stop());
    const Ctor = serviceConstructor('goldmane/api.proto', 'goldmane', 'Flows');
    const client = new Ctor(gm.address, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const unary = (method: string, request: unknown): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const fn = (
          client as unknown as Record<
            string,
            (r: unknown, cb: (e: Error | null, v: Record<string, unknown>) => void) => void
          >
        )[method];
        if (fn === undefined) throw new Error(`no ${method}`);
        fn.call(client, request, (e, v) => (e ? reject(e) : resolve(v)));
      });
    const filter = {
      reporter: 'Dst',
      actions: ['Deny'],
      policies: [{ kind: 'NetworkPolicy', name: { value: 'db', type: 'Fuzzy' } }],
    };
    const list = await unary('List', { start_time_gte: T, page: 0, page_size: 2, filter });
    const flows = list['flows'] as { flow: { Key: Record<string, unknown> } }[];
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect(f.flow.Key).toMatchObject({ reporter: 'Dst', action: 'Deny' });
    expect(list['meta']).toMatchObject({ totalResults: expect.any(Number) as number });
    const hints = await unary('FilterHints', { type: 'FilterTypeSourceNamespace' });
    expect((hints['hints'] as { value: string }[]).map((h) => h.value)).toEqual([
      'batch',
      'monitoring',
      'shop',
    ]);
    expect(gm.requests.at(-2)?.['filter']).toMatchObject({
      reporter: 'Dst',
      policies: [{ kind: 'NetworkPolicy', name: { value: 'db', type: 'Fuzzy' } }],
    });
  });
});
