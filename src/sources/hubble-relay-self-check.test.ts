import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { LOADER_OPTIONS } from './grpc/proto.js';
import { checkLeanDecoder, leanDecoderMismatches } from './hubble-relay-self-check.js';

type Field = { name: string; number: number; type: string; label: string; typeName: string };

/** The shipped observer.proto with one flow.Flow field changed as a proto update might. */
function withFlowField(number: number, change: Partial<Field>): protoLoader.PackageDefinition {
  const def = protoLoader.loadSync('observer/observer.proto', LOADER_OPTIONS);
  const flow = def['flow.Flow'] as unknown as { type: { field: Field[] } };
  const copy = {
    ...flow,
    type: {
      ...flow.type,
      field: flow.type.field.map((f) => (f.number === number ? { ...f, ...change } : f)),
    },
  };
  return { ...def, 'flow.Flow': copy as unknown as protoLoader.PackageDefinition[string] };
}

describe('the lean decoder self-check', () => {
  it('passes on the shipped observer.proto', () => {
    expect(checkLeanDecoder()).toEqual([]);
  });

  it('names a renumbered, retyped, renamed or repacked field', () => {
    expect(leanDecoderMismatches(withFlowField(34, { number: 35 }))).toEqual([
      'flow.Flow has no field 34 (uuid)',
    ]);
    expect(leanDecoderMismatches(withFlowField(2, { type: 'TYPE_STRING' }))).toEqual([
      'flow.Flow.verdict is TYPE_STRING, read as wire type 0',
    ]);
    expect(leanDecoderMismatches(withFlowField(11, { name: 'node' }))).toEqual([
      'flow.Flow field 11 is node, not node_name',
    ]);
    expect(leanDecoderMismatches(withFlowField(2, { label: 'LABEL_REPEATED' }))).toEqual([
      'flow.Flow.verdict is TYPE_ENUM (repeated), read as wire type 0',
    ]);
    expect(leanDecoderMismatches(withFlowField(5, { typeName: 'flow.IPv2' }))).toEqual([
      'flow.Flow.IP is a flow.IPv2, read as IP',
    ]);
  });
});
