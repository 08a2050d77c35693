// A lean decoder for observer.GetFlowsResponse frames carrying a Flow: reads straight from the
// wire the fields normalizeHubbleFlow and the de-dup fingerprint use, into the same plain-object
// shape proto-loader produces with LOADER_OPTIONS (keepCase, enums as names, longs as numbers,
// no defaults, oneof names), and skips the rest (L7, ethernet, trace context, …) without building
// objects for them. Anything else — node_status / lost_events responses, or a frame whose fields
// carry an unexpected wire type — goes to proto-loader's full decoder, so odd input behaves
// exactly as before. Sizes are bounded by the frame (grpc.max_receive_message_length).
// Its field numbers and wire types are checked against the loaded observer.proto at start
// (hubble-relay-self-check.ts); on a mismatch the source uses proto-loader's client.
//
// Measured (bench/relay-decode.ts, 20,000 TCP SYN responses of 350 bytes, 7 alternating rounds,
// medians, two runs, load average 5.4, 2026-12-03): lean 1.73 / 1.82 us per message; protobufjs
// Type.decode without toObject 1.96 / 2.06 us (lean ~12% faster); proto-loader (decode +
// toObject, the fallback) 3.54 / 3.57 us. With normalizeHubbleFlow: lean 2.40 / 2.42 us,
// proto-loader 4.24 / 4.27 us (1.77x). The normalizer does not read protobufjs message instances
// alike (enums as numbers, Long seconds, prototype defaults), so protobufjs without toObject would
// need an adapter of its own; against that, the lean path's lead is the ~12% of decode alone.
// Since then each distinct endpoint encoding is decoded once (cachedEndpoint): 2.1 → 1.6 us per
// bench/relay.ts message, and the parser reuses the Endpoint it built for it (flows/hubble.ts).
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from './grpc/proto.js';

type Obj = Record<string, unknown>;

class WireTypeMismatch extends Error {}

/** Buffer#utf8Slice (what protobufjs reads strings with): Buffer#toString without its argument checks. */
const utf8Slice = (
  Buffer.prototype as unknown as { utf8Slice?: (this: Buffer, start: number, end: number) => string }
).utf8Slice;

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as uint32 (upper bits discarded, as protobufjs does for 32-bit fields). */
  uint32(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const b = buf[this.pos++] as number;
      if (shift < 32) value |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return value >>> 0;
    }
    throw new RangeError('varint too long');
  }

  /** A varint as int64 → Number (two's complement, as protobufjs LongBits.toNumber). */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const b = buf[this.pos++] as number;
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) {
        lo >>>= 0;
        hi >>>= 0;
        if (hi >>> 31 !== 0) {
          const nlo = (~lo + 1) >>> 0;
          const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
          return -(nhi * 4294967296 + nlo);
        }
        return hi * 4294967296 + lo;
      }
    }
    throw new RangeError('varint too long');
  }

  /** A varint as int32: its low 32 bits, signed (protobufjs; int64's Number would round them). */
  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /**
   * True while fields of the message that ends at `end` remain. A field that ran past its
   * message's end (a corrupted length) makes the frame malformed: it goes to the full decoder.
   */
  more(end: number): boolean {
    if (this.pos < end) return true;
    if (this.pos > end) throw new RangeError('field runs past its message');
    return false;
  }

  /** Length of a length-delimited field; returns its end. */
  len(): number {
    const n = this.uint32();
    const end = this.pos + n;
    if (end > this.end) throw new RangeError('length beyond message');
    return end;
  }

  string(): string {
    const end = this.len();
    const s =
      utf8Slice === undefined
        ? this.buf.toString('utf8', this.pos, end)
        : utf8Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.int64();
        return;
      case I64:
        this.pos += 8;
        break;
      case LEN:
        this.pos = this.len();
        return;
      case I32:
        this.pos += 4;
        break;
      default:
        throw new WireTypeMismatch(`wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new RangeError('truncated field');
  }
}

function expect(wireType: number, want: number): void {
  if (wireType !== want) throw new WireTypeMismatch(`wire type ${wireType}, want ${want}`);
}

/** enum name tables from the loaded schema (the same names proto-loader's toObject uses). */
function enumTable(def: protoLoader.PackageDefinition, name: string): Map<number, string> {
  const entry = def[name] as { type?: { value?: { name?: string; number?: number }[] } } | undefined;
  const table = new Map<number, string>();
  for (const v of entry?.type?.value ?? []) {
    if (typeof v.name === 'string' && typeof v.number === 'number' && !table.has(v.number))
      table.set(v.number, v.name);
  }
  if (table.size === 0) throw new Error(`enum ${name} missing from proto`);
  return table;
}

let enums:
  | {
      verdict: Map<number, string>;
      flowType: Map<number, string>;
      direction: Map<number, string>;
      dropReason: Map<number, string>;
      ipVersion: Map<number, string>;
    }
  | undefined;

function enumsOf(): NonNullable<typeof enums> {
  if (enums === undefined) {
    const def = protoLoader.loadSync('observer/observer.proto', LOADER_OPTIONS);
    enums = {
      verdict: enumTable(def, 'flow.Verdict'),
      flowType: enumTable(def, 'flow.FlowType'),
      direction: enumTable(def, 'flow.TrafficDirection'),
      dropReason: enumTable(def, 'flow.DropReason'),
      ipVersion: enumTable(def, 'flow.IPVersion'),
    };
  }
  return enums;
}

function enumValue(r: Reader, table: Map<number, string>): string | number {
  // protobufjs reads enums as int32; an unknown number stays a number.
  const n = r.int32();
  return table.get(n) ?? n;
}

function timestamp(r: Reader, end: number): Obj {
  const t: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      expect(wt, VARINT);
      t['seconds'] = r.int64();
    } else if (field === 2) {
      expect(wt, VARINT);
      t['nanos'] = r.int32();
    } else r.skip(wt);
  }
  return t;
}

function ip(r: Reader, end: number): Obj {
  const o: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2) {
      expect(wt, LEN);
      o[field === 1 ? 'source' : 'destination'] = r.string();
    } else if (field === 3) {
      expect(wt, VARINT);
      o['ipVersion'] = enumValue(r, enumsOf().ipVersion);
    } else r.skip(wt);
  }
  return o;
}

const FLAG_NAMES = ['', 'FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];

function ports(r: Reader, end: number, tcp: boolean): Obj {
  const o: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2) {
      expect(wt, VARINT);
      o[field === 1 ? 'source_port' : 'destination_port'] = r.uint32();
    } else if (field === 3 && tcp) {
      expect(wt, LEN);
      const fend = r.len();
      const flags: Obj = {};
      while (r.more(fend)) {
        const ftag = r.uint32();
        const ff = ftag >>> 3;
        const name = FLAG_NAMES[ff];
        if (name !== undefined && ff > 0) {
          expect(ftag & 7, VARINT);
          flags[name] = r.bool();
        } else r.skip(ftag & 7);
      }
      o['flags'] = flags;
    } else r.skip(wt);
  }
  return o;
}

function icmp(r: Reader, end: number): Obj {
  const o: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2) {
      expect(wt, VARINT);
      o[field === 1 ? 'type' : 'code'] = r.uint32();
    } else r.skip(wt);
  }
  return o;
}

const L4_NAMES = ['', 'TCP', 'UDP', 'ICMPv4', 'ICMPv6', 'SCTP', 'VRRP', 'IGMP'];

function layer4(r: Reader, end: number): Obj {
  const o: Obj = {};
  let last = 0;
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    const name = L4_NAMES[field];
    if (name === undefined || field === 0) {
      r.skip(wt);
      continue;
    }
    expect(wt, LEN);
    const mend = r.len();
    let value: Obj;
    if (field === 1 || field === 2 || field === 5) value = ports(r, mend, field === 1);
    else if (field === 3 || field === 4) value = icmp(r, mend);
    else {
      // VRRP / IGMP: the normalizer only needs to know they are set.
      r.pos = mend;
      value = {};
    }
    // As protobufjs: every member read is kept; the oneof name is the last set in field order.
    o[name] = value;
    if (field > last) last = field;
  }
  if (last > 0) o['protocol'] = L4_NAMES[last];
  return o;
}

function endpoint(r: Reader, end: number): Obj {
  const o: Obj = {};
  let labels: string[] | undefined;
  let workloads: Obj[] | undefined;
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        expect(wt, VARINT);
        o['ID'] = r.uint32();
        break;
      case 2:
        expect(wt, VARINT);
        o['identity'] = r.uint32();
        break;
      case 3:
        expect(wt, LEN);
        o['namespace'] = r.string();
        break;
      case 4:
        expect(wt, LEN);
        (labels ??= []).push(r.string());
        break;
      case 5:
        expect(wt, LEN);
        o['pod_name'] = r.string();
        break;
      case 6: {
        expect(wt, LEN);
        const wend = r.len();
        const w: Obj = {};
        while (r.more(wend)) {
          const wtag = r.uint32();
          const wf = wtag >>> 3;
          if (wf === 1 || wf === 2) {
            expect(wtag & 7, LEN);
            w[wf === 1 ? 'name' : 'kind'] = r.string();
          } else r.skip(wtag & 7);
        }
        (workloads ??= []).push(Object.freeze(w));
        break;
      }
      default:
        r.skip(wt);
    }
  }
  if (labels !== undefined) o['labels'] = Object.freeze(labels);
  if (workloads !== undefined) o['workloads'] = Object.freeze(workloads);
  return Object.freeze(o);
}

/** Buffer#latin1Slice: the bytes as a one-byte string (a Map key), without Buffer#toString's checks. */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }
).latin1Slice;

// The endpoints of a pod repeat in nearly every flow it sends or receives, byte for byte: decode
// each distinct encoding once and hand out the same frozen object (the normalizer and the
// fingerprint only read it). The decode is a function of the bytes alone (a field running past
// the endpoint's end throws, and a throw is not remembered), so a hit is what decoding would
// give. Bounded: entries of at most MAX_CACHED_ENDPOINT_BYTES, cleared when full.
const MAX_CACHED_ENDPOINTS = 4096;
const MAX_CACHED_ENDPOINT_BYTES = 512;
const endpointCache = new Map<string, Obj>();

function cachedEndpoint(r: Reader, end: number): Obj {
  const start = r.pos;
  if (end - start > MAX_CACHED_ENDPOINT_BYTES) return endpoint(r, end);
  const key =
    latin1Slice === undefined ? r.buf.toString('latin1', start, end) : latin1Slice.call(r.buf, start, end);
  const hit = endpointCache.get(key);
  if (hit !== undefined) {
    r.pos = end;
    return hit;
  }
  const o = endpoint(r, end);
  if (endpointCache.size >= MAX_CACHED_ENDPOINTS) endpointCache.clear();
  endpointCache.set(key, o);
  return o;
}

function policy(r: Reader, end: number): Obj {
  const o: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      expect(tag & 7, LEN);
      o[field === 1 ? 'name' : 'namespace'] = r.string();
    } else r.skip(tag & 7);
  }
  return o;
}

function boolValue(r: Reader, end: number): Obj {
  const o: Obj = {};
  while (r.more(end)) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expect(tag & 7, VARINT);
      o['value'] = r.bool();
    } else r.skip(tag & 7);
  }
  return o;
}

const POLICY_FIELDS = new Map<number, string>([
  [21001, 'egress_allowed_by'],
  [21002, 'ingress_allowed_by'],
  [21004, 'egress_denied_by'],
  [21005, 'ingress_denied_by'],
]);

function flow(r: Reader, end: number): Obj {
  const o: Obj = {};
  const e = enumsOf();
  let sourceNames: string[] | undefined;
  let destinationNames: string[] | undefined;
  let policies: Map<string, Obj[]> | undefined;
  while (r.more(end)) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        expect(wt, LEN);
        o['time'] = timestamp(r, r.len());
        break;
      case 2:
        expect(wt, VARINT);
        o['verdict'] = enumValue(r, e.verdict);
        break;
      case 3:
        expect(wt, VARINT);
        o['drop_reason'] = r.uint32();
        break;
      case 5:
        expect(wt, LEN);
        o['IP'] = ip(r, r.len());
        break;
      case 6:
        expect(wt, LEN);
        o['l4'] = layer4(r, r.len());
        break;
      case 8:
        expect(wt, LEN);
        o['source'] = cachedEndpoint(r, r.len());
        break;
      case 9:
        expect(wt, LEN);
        o['destination'] = cachedEndpoint(r, r.len());
        break;
      case 10:
        expect(wt, VARINT);
        o['Type'] = enumValue(r, e.flowType);
        break;
      case 11:
        expect(wt, LEN);
        o['node_name'] = r.string();
        break;
      case 13:
        expect(wt, LEN);
        (sourceNames ??= []).push(r.string());
        break;
      case 14:
        expect(wt, LEN);
        (destinationNames ??= []).push(r.string());
        break;
      case 16:
        expect(wt, VARINT);
        o['reply'] = r.bool();
        break;
      case 22:
        expect(wt, VARINT);
        o['traffic_direction'] = enumValue(r, e.direction);
        break;
      case 25:
        expect(wt, VARINT);
        o['drop_reason_desc'] = enumValue(r, e.dropReason);
        break;
      case 26:
        expect(wt, LEN);
        o['is_reply'] = boolValue(r, r.len());
        break;
      case 34:
        expect(wt, LEN);
        o['uuid'] = r.string();
        break;
      default: {
        const key = POLICY_FIELDS.get(field);
        if (key === undefined) {
          r.skip(wt);
          break;
        }
        expect(wt, LEN);
        policies ??= new Map();
        let list = policies.get(key);
        if (list === undefined) policies.set(key, (list = []));
        list.push(policy(r, r.len()));
      }
    }
  }
  if (sourceNames !== undefined) o['source_names'] = sourceNames;
  if (destinationNames !== undefined) o['destination_names'] = destinationNames;
  if (policies !== undefined) for (const [key, list] of policies) o[key] = list;
  return o;
}

/**
 * Decodes a GetFlowsResponse frame; flows take the lean path, everything else (and any frame the
 * lean path cannot read) goes to `fallback` (proto-loader's responseDeserialize).
 */
export function decodeGetFlowsResponse(buf: Buffer, fallback: (buf: Buffer) => unknown): unknown {
  try {
    const r = new Reader(buf, 0, buf.length);
    const o: Obj = {};
    let hasFlow = false;
    while (r.more(r.end)) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1) {
        expect(wt, LEN);
        o['flow'] = flow(r, r.len());
        hasFlow = true;
      } else if (field === 2 || field === 3) {
        return fallback(buf);
      } else if (field === 1000) {
        expect(wt, LEN);
        o['node_name'] = r.string();
      } else if (field === 1001) {
        expect(wt, LEN);
        o['time'] = timestamp(r, r.len());
      } else r.skip(wt);
    }
    if (!hasFlow) return fallback(buf);
    o['response_types'] = 'flow';
    return o;
  } catch {
    return fallback(buf);
  }
}
