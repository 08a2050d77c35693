// Hubble flows → Flow. Handles `hubble observe -o json|jsonpb` lines and Hubble exporter
// lines (`{"flow":{…},"node_name":…,"time":…}` or a bare Flow), and the same objects decoded
// by @grpc/proto-loader (keepCase, enums as names, `time` as {seconds, nanos}, `is_reply` as a
// {value} wrapper, oneof discriminator fields such as `l4.protocol`). Field facts:
// ../shared/docs/formats.md §1–2. One JSON.parse per line and plain property reads: this is
// the ingest hot path (no regex, no schema library).
//
// Mapping choices worth knowing:
// - Endpoint kind: reserved labels and reserved identities (formats.md §1.4); `cidr:`/`fqdn:`
//   identities are outside the cluster (world); health/ingress/init/unmanaged keep their own
//   kinds (Cilium entities NetworkPolicy cannot name; the recommender says what it does with them).
// - Labels keep only Kubernetes pod labels (`k8s:` source, prefix stripped); Cilium's own
//   `io.cilium.k8s.*` keys and `io.kubernetes.pod.namespace` are dropped (the namespace is a
//   field of the endpoint).
// - Connection starts and connections established before observation: hubble-connection.ts
//   (TCP flags, `is_reply` or the deprecated `reply`, and the ports when `is_reply` is unset).
//   SOCK events never start connections; a forwarded L7 record (HTTP, DNS, Kafka) is evidence
//   of its connection (`established`), never a start (the L3/L4 event of it counts that).
//   ICMP echo replies and ICMP errors are responses to other traffic and never start one.
// - DNS answers in L7 records name the *answered* addresses, not either endpoint of the DNS
//   flow, so they are not copied into `names`; Cilium already reports those names as
//   `destination_names` on later flows to the answered IPs.
//
// Files: hubble-flow.ts builds one Flow (its stages in check order), hubble-endpoints.ts and
// hubble-labels.ts the endpoints, hubble-time.ts the capture time; this module is the parser.
import { MAX_LINE_BYTES_DEFAULT, reject } from './flow.js';
import type { IngestParser, IngestResult, LineParser, ParseResult } from './flow.js';
import { isRecord } from '../lib/is-record.js';
import { Invalid } from './invalid.js';
import { buildFlow, newMemo, type HubbleMemo } from './hubble-flow.js';
import { scanHubbleLine } from './hubble-scan.js';

/** Envelope fields of a GetFlowsResponse / ExportEvent that a caller already unwrapped. */
export interface HubbleEnvelope {
  readonly nodeName?: string;
  readonly time?: unknown;
}

const NON_FLOW_EVENTS = ['node_status', 'lost_events', 'agent_event', 'debug_event'] as const;

/** HubbleParser.normalize with a parser of its own (nothing remembered); sources use hubbleParser(). */
export function normalizeHubbleFlow(obj: unknown, envelope?: HubbleEnvelope): ParseResult {
  return hubbleParser().normalize(obj, envelope);
}

function normalize(
  obj: unknown,
  envelope: HubbleEnvelope | undefined,
  startsOnly: boolean,
  memo: HubbleMemo,
): IngestResult {
  if (!isRecord(obj)) return reject('invalid_field', 'event is not a JSON object');
  let flow: Record<string, unknown> = obj;
  let nodeName: unknown = envelope?.nodeName;
  let envelopeTime: unknown = envelope?.time;
  if (obj.flow !== undefined && obj.flow !== null) {
    if (!isRecord(obj.flow)) return reject('invalid_field', 'flow is not an object');
    flow = obj.flow;
    nodeName ??= obj.node_name;
    envelopeTime ??= obj.time;
  } else {
    for (const key of NON_FLOW_EVENTS) {
      if (obj[key] !== undefined && obj[key] !== null) return reject('unsupported_event', `${key} event`);
    }
    if (
      obj.verdict === undefined &&
      obj.IP === undefined &&
      obj.l4 === undefined &&
      obj.source === undefined
    ) {
      return reject('missing_field', 'no flow in event');
    }
  }
  try {
    const built = buildFlow(flow, nodeName, envelopeTime, startsOnly, memo);
    return 'ok' in built ? built : { ok: true, flow: built };
  } catch (error) {
    if (error instanceof Invalid) return reject(error.reason, error.detail);
    throw error;
  }
}

function parseLine(line: string, startsOnly: boolean, memo: HubbleMemo): IngestResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  // Lines as Hubble writes them are read without JSON.parse, building only what is read and not
  // reading again an endpoint seen before (hubble-scan.ts; exact); any other line is JSON.parsed.
  let value: unknown = scanHubbleLine(line, memo.known);
  if (value === undefined) {
    try {
      value = JSON.parse(line);
    } catch {
      return reject('invalid_json', 'line is not valid JSON');
    }
  }
  return normalize(value, undefined, startsOnly, memo);
}

/** One Hubble parser: its three entry points share one memo (see HubbleMemo). */
export interface HubbleParser {
  /** Parses one line of `hubble observe -o json|jsonpb` output or a Hubble exporter file. */
  readonly parseLine: LineParser;
  /**
   * parseLine for the store's ingest path: a valid event that starts no connection comes back as
   * a shared ValidNonStart (with why it makes no edge), validated but not built. Accepts and
   * rejects exactly what parseLine does.
   */
  readonly ingestLine: IngestParser;
  /**
   * Normalizes one Hubble event that is already a JS object: a GetFlowsResponse/ExportEvent
   * envelope, or a bare Flow (then pass `envelope` for the response's node_name and time).
   */
  readonly normalize: (obj: unknown, envelope?: HubbleEnvelope) => ParseResult;
}

/** A new parser with its own memo; a source creates one and keeps it. Never throws. */
export function hubbleParser(): HubbleParser {
  const memo = newMemo();
  return {
    // Without startsOnly every valid event is built.
    parseLine: (line) => parseLine(line, false, memo) as ParseResult,
    ingestLine: (line) => parseLine(line, true, memo),
    normalize: (obj, envelope) => normalize(obj, envelope, false, memo) as ParseResult,
  };
}

/** One line, with a parser of its own (nothing remembered); sources use hubbleParser(). */
export function parseHubbleLine(line: string): ParseResult {
  return hubbleParser().parseLine(line);
}

/** ingestLine of a parser of its own (nothing remembered); sources use hubbleParser(). */
export function ingestHubbleLine(line: string): IngestResult {
  return hubbleParser().ingestLine(line);
}
