import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateFlows } from './edge.js';
import type { Flow } from './flow.js';
import { FLOW_FORMATS, parseLineBytes, parserFor, sniffFormat } from './parsers.js';
import type { FlowFormat } from './parsers.js';
import { workloadOfPod, workloadOfPodPrefix } from './workload-name.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtureFor: Record<FlowFormat, string> = {
  hubble: 'hubble-observe.jsonl',
  'calico-flowlog': 'calico-flowlogs.jsonl',
  'calico-iptables': 'calico-iptables.log',
};
const linesOf = (format: FlowFormat): string[] =>
  readFileSync(path.join(repoRoot, 'test/fixtures/flows', fixtureFor[format]), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseLineBytes', () => {
  const parser = parserFor('hubble');
  const valid = linesOf('hubble')[0] ?? '';
  it('rejects oversized lines before decoding', () => {
    expect(parseLineBytes(parser, encode(valid), 100)).toMatchObject({ ok: false, reason: 'oversized_line' });
  });
  it('rejects invalid UTF-8', () => {
    expect(parseLineBytes(parser, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      ok: false,
      reason: 'invalid_utf8',
    });
  });
  it('strips a trailing CR and a BOM', () => {
    expect(parseLineBytes(parser, encode(`\ufeff${valid}\r`)).ok).toBe(true);
  });
});

describe('sniffFormat', () => {
  it.each(FLOW_FORMATS)('recognises %s', (format) => {
    expect(sniffFormat(linesOf(format))).toBe(format);
  });
  it('returns undefined for unknown text', () => {
    expect(sniffFormat(['hello', '', '{"a":1}'])).toBeUndefined();
  });
});

describe.each(FLOW_FORMATS)('%s parser under garbage (property)', (format) => {
  const parser = parserFor(format, { year: 2025 });
  it('rejects 50k-deep nesting without throwing', () => {
    expect(parseLineBytes(parser, encode(`${'['.repeat(50000)}${']'.repeat(50000)}`)).ok).toBe(false);
  });
  const valid = linesOf(format);
  const expected = valid.map((line) => parser(line));
  it('never throws, and every valid line still parses to the same result', () => {
    const garbage = fc.oneof(
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(...valid).chain((line) => fc.nat(line.length).map((cut) => line.slice(0, cut))),
      fc.constant('{"__proto__":{"polluted":1},"flow":{"constructor":{"prototype":{}}}}'),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(garbage, fc.nat(valid.length - 1)), { maxLength: 20 }), (items) => {
        for (const item of items) {
          if (typeof item === 'number') {
            expect(parseLineBytes(parser, encode(valid[item] ?? ''))).toEqual(expected[item]);
          } else {
            const result =
              item instanceof Uint8Array
                ? parseLineBytes(parser, item)
                : parseLineBytes(parser, encode(item));
            expect(typeof result.ok).toBe('boolean');
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('replies never create reversed edges', () => {
  it('aggregating request + reply yields only the request direction', () => {
    const parser = parserFor('hubble');
    const flows = linesOf('hubble')
      .map((line) => parser(line))
      .flatMap((r) => (r.ok ? [r.flow] : []));
    const edges = [...aggregateFlows(flows).values()];
    const keys = edges.map(
      (e) =>
        `${e.source.workload ?? e.source.ip ?? ''}>${e.destination.workload ?? e.destination.ip ?? ''}:${e.port ?? '-'}`,
    );
    expect(keys).toContain('web>api:8080');
    expect(keys).toContain('web>coredns:53');
    expect(keys).not.toContain('api>web:40000');
    expect(keys).not.toContain('coredns>web:53001');
  });

  it('property: a reply-flagged flow never contributes to any edge', () => {
    const parser = parserFor('hubble');
    const base = JSON.parse(linesOf('hubble')[1] ?? '') as { flow: Record<string, unknown> };
    fc.assert(
      fc.property(
        fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMPv4'),
        fc.boolean(),
        fc.boolean(),
        (proto, syn, ack) => {
          const layer =
            proto === 'ICMPv4'
              ? { type: 8 }
              : {
                  source_port: 80,
                  destination_port: 40000,
                  ...(proto === 'TCP' ? { flags: { SYN: syn, ACK: ack } } : {}),
                };
          const result = parser(
            JSON.stringify({ ...base, flow: { ...base.flow, l4: { [proto]: layer }, is_reply: true } }),
          );
          const flows: Flow[] = result.ok ? [result.flow] : [];
          expect(aggregateFlows(flows).size).toBe(0);
        },
      ),
    );
  });
});

describe('workload names', () => {
  it.each([
    ['web-7d4b9c8f6d-x2k9p', 'Deployment', 'web'],
    ['reviews-v1-545db77b95-s6jb8', 'Deployment', 'reviews-v1'],
    ['postgres-0', 'StatefulSet', 'postgres'],
    ['node-local-dns-88zrp', 'DaemonSet', 'node-local-dns'],
    ['backup-28934520-x7k2m', 'CronJob', 'backup'],
    ['xwing', 'Pod', 'xwing'],
    ['my-app', 'Pod', 'my-app'],
  ])('%s → %s %s', (pod, kind, name) => {
    expect(workloadOfPod(pod)).toEqual({ kind, name });
  });
  it('labels win over the name shape', () => {
    expect(workloadOfPod('migrate-x7k2m', { 'job-name': 'migrate' })).toEqual({
      kind: 'Job',
      name: 'migrate',
    });
    expect(workloadOfPodPrefix('nginx-86c57db685-', { 'pod-template-hash': '86c57db685' })).toEqual({
      kind: 'Deployment',
      name: 'nginx',
    });
  });
});
