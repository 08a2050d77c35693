// The lean GetFlows decoder (hubble-relay-decode.ts) reads fields by number and wire type, written
// out by hand. This holds every field it reads against the loaded observer.proto at start: same
// name at that number, same wire type, same message type. A proto update that renumbers, retypes
// or renames one of them makes the source use proto-loader's generic decoder instead (and log
// why), so it cannot silently misdecode.
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from './grpc/proto.js';

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** name → [number, wire type, message type (its last segment) for message fields]. */
type Reads = Readonly<Record<string, readonly [number, number, string?]>>;

const ports: Reads = { source_port: [1, VARINT], destination_port: [2, VARINT] };
const icmp: Reads = { type: [1, VARINT], code: [2, VARINT] };

/** Every field hubble-relay-decode.ts reads, per message. Keep in step with it. */
export const LEAN_READS: Readonly<Record<string, Reads>> = {
  'observer.GetFlowsResponse': {
    flow: [1, LEN, 'Flow'],
    node_status: [2, LEN, 'NodeStatusEvent'],
    lost_events: [3, LEN, 'LostEvent'],
    node_name: [1000, LEN],
    time: [1001, LEN, 'Timestamp'],
  },
  'google.protobuf.Timestamp': { seconds: [1, VARINT], nanos: [2, VARINT] },
  'google.protobuf.BoolValue': { value: [1, VARINT] },
  'flow.Flow': {
    time: [1, LEN, 'Timestamp'],
    verdict: [2, VARINT],
    drop_reason: [3, VARINT],
    IP: [5, LEN, 'IP'],
    l4: [6, LEN, 'Layer4'],
    source: [8, LEN, 'Endpoint'],
    destination: [9, LEN, 'Endpoint'],
    Type: [10, VARINT],
    node_name: [11, LEN],
    source_names: [13, LEN],
    destination_names: [14, LEN],
    reply: [16, VARINT],
    traffic_direction: [22, VARINT],
    drop_reason_desc: [25, VARINT],
    is_reply: [26, LEN, 'BoolValue'],
    uuid: [34, LEN],
    egress_allowed_by: [21001, LEN, 'Policy'],
    ingress_allowed_by: [21002, LEN, 'Policy'],
    egress_denied_by: [21004, LEN, 'Policy'],
    ingress_denied_by: [21005, LEN, 'Policy'],
  },
  'flow.IP': { source: [1, LEN], destination: [2, LEN], ipVersion: [3, VARINT] },
  'flow.Layer4': {
    TCP: [1, LEN, 'TCP'],
    UDP: [2, LEN, 'UDP'],
    ICMPv4: [3, LEN, 'ICMPv4'],
    ICMPv6: [4, LEN, 'ICMPv6'],
    SCTP: [5, LEN, 'SCTP'],
    VRRP: [6, LEN, 'VRRP'],
    IGMP: [7, LEN, 'IGMP'],
  },
  'flow.TCP': { ...ports, flags: [3, LEN, 'TCPFlags'] },
  'flow.UDP': ports,
  'flow.SCTP': ports,
  'flow.ICMPv4': icmp,
  'flow.ICMPv6': icmp,
  'flow.TCPFlags': {
    FIN: [1, VARINT],
    SYN: [2, VARINT],
    RST: [3, VARINT],
    PSH: [4, VARINT],
    ACK: [5, VARINT],
    URG: [6, VARINT],
    ECE: [7, VARINT],
    CWR: [8, VARINT],
    NS: [9, VARINT],
  },
  'flow.Endpoint': {
    ID: [1, VARINT],
    identity: [2, VARINT],
    namespace: [3, LEN],
    labels: [4, LEN],
    pod_name: [5, LEN],
    workloads: [6, LEN, 'Workload'],
  },
  'flow.Workload': { name: [1, LEN], kind: [2, LEN] },
  'flow.Policy': { name: [1, LEN], namespace: [2, LEN] },
};

interface FieldDescriptor {
  readonly name?: string;
  readonly number?: number;
  readonly label?: string;
  readonly type?: string;
  readonly typeName?: string;
}

function wireTypeOf(field: FieldDescriptor): number | undefined {
  switch (field.type) {
    case 'TYPE_STRING':
    case 'TYPE_BYTES':
    case 'TYPE_MESSAGE':
      return LEN;
    case 'TYPE_INT32':
    case 'TYPE_INT64':
    case 'TYPE_UINT32':
    case 'TYPE_UINT64':
    case 'TYPE_SINT32':
    case 'TYPE_SINT64':
    case 'TYPE_BOOL':
    case 'TYPE_ENUM':
      // A repeated scalar is packed in proto3: read as LEN, which the lean path never does.
      return field.label === 'LABEL_REPEATED' ? LEN : VARINT;
    case 'TYPE_FIXED64':
    case 'TYPE_SFIXED64':
    case 'TYPE_DOUBLE':
      return I64;
    case 'TYPE_FIXED32':
    case 'TYPE_SFIXED32':
    case 'TYPE_FLOAT':
      return I32;
    default:
      return undefined;
  }
}

/** What in `def` disagrees with LEAN_READS; empty when the lean decoder may be used. */
export function leanDecoderMismatches(def: protoLoader.PackageDefinition): string[] {
  const problems: string[] = [];
  for (const [message, reads] of Object.entries(LEAN_READS)) {
    const entry = def[message] as { type?: { field?: FieldDescriptor[] } } | undefined;
    const fields = entry?.type?.field;
    if (fields === undefined) {
      problems.push(`${message} is missing`);
      continue;
    }
    for (const [name, [number, wireType, messageType]] of Object.entries(reads)) {
      const field = fields.find((f) => f.number === number);
      if (field === undefined) problems.push(`${message} has no field ${number} (${name})`);
      else if (field.name !== name)
        problems.push(`${message} field ${number} is ${String(field.name)}, not ${name}`);
      else if (wireTypeOf(field) !== wireType)
        problems.push(
          `${message}.${name} is ${String(field.type)}${field.label === 'LABEL_REPEATED' ? ' (repeated)' : ''}, read as wire type ${wireType}`,
        );
      else if (messageType !== undefined && field.typeName?.split('.').pop() !== messageType)
        problems.push(`${message}.${name} is a ${String(field.typeName)}, read as ${messageType}`);
    }
  }
  return problems;
}

/** The check on the shipped observer.proto (what the source runs at start). */
export function checkLeanDecoder(): string[] {
  return leanDecoderMismatches(protoLoader.loadSync('observer/observer.proto', LOADER_OPTIONS));
}
