// `eval --queries FILE`: many questions against one compiled snapshot. The file is read and every
// query checked and resolved first (a bad one exits 2 before anything is printed); then each is
// decided and written as it is decided, in order. Compact by default: the verdict and, per
// direction, what decided it (the policies and rules that admitted it, or the policies that
// isolate it and admitted nothing); the prose reason only with --explain. Three forms: one line
// per query (default), a JSON array with one object per line (--json), NDJSON (--ndjson).
import { readFile } from 'node:fs/promises';
import {
  formatEndpoint,
  type ConnectionQuery,
  type Decision,
  type DirectionDecision,
  type PolicyEngine,
} from '../policy/engine.js';
import type { PolicyProtocol } from '../policy/model.js';
import type { DecidingRule } from '../policy/policy-family.js';
import { UsageError } from './args.js';
import { decideTargets, pairsNote, TargetResolver, type Target, type TargetDecision } from './eval-target.js';

const MAX_QUERIES_BYTES = 64 * 1024 * 1024;
/** Output is flushed in pieces of about this many characters. */
const FLUSH_CHARS = 256 * 1024;

export type BatchFormat = 'text' | 'json' | 'ndjson';

export interface TargetQuery {
  readonly from: Target;
  readonly to: Target;
  readonly port: number;
  readonly protocol: PolicyProtocol;
}

export function parseProtocol(value: string, where: string): PolicyProtocol {
  const upper = value.toUpperCase();
  if (upper === 'TCP' || upper === 'UDP' || upper === 'SCTP') return upper;
  throw new UsageError(`${where}: expected TCP, UDP or SCTP, got ${JSON.stringify(value)}`);
}

export async function readQueries(file: string, engine: PolicyEngine): Promise<TargetQuery[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
  if (text.length > MAX_QUERIES_BYTES)
    throw new UsageError(`${file}: larger than ${MAX_QUERIES_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) throw new UsageError(`${file}: expected a JSON array of queries`);
  // Queries name the same pods and workloads again and again: each text is resolved once.
  const resolver = new TargetResolver(engine.snapshot);
  return (value as unknown[]).map((raw, i) => {
    // Only an error names the query: no string per query otherwise.
    const at = (field: string): string => `${file}: [${i}]${field}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new UsageError(`${at('')}: expected an object`);
    const q = raw as Record<string, unknown>;
    const from = q['from'];
    const to = q['to'];
    const port = q['port'];
    if (typeof from !== 'string')
      throw new UsageError(`${at('.from')}: expected "NAMESPACE/POD" or an IP address`);
    if (typeof to !== 'string')
      throw new UsageError(`${at('.to')}: expected "NAMESPACE/POD" or an IP address`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`${at('.port')}: expected an integer from 1 to 65535`);
    const protocolRaw = q['protocol'] ?? 'TCP';
    if (typeof protocolRaw !== 'string')
      throw new UsageError(`${at('.protocol')}: expected TCP, UDP or SCTP`);
    const protocol = protocolRaw === 'TCP' ? 'TCP' : parseProtocol(protocolRaw, at('.protocol'));
    return {
      from: resolver.resolve(from, () => at('.from')),
      to: resolver.resolve(to, () => at('.to')),
      port,
      protocol,
    };
  });
}

/** A direction without its prose reason (unless `explain`): what decided it, as data. */
function directionJson(d: DirectionDecision, explain: boolean): Record<string, unknown> {
  return {
    allowed: d.allowed,
    isolated: d.isolated,
    isolatedBy: d.isolatedBy,
    allowedBy: d.allowedBy,
    ...(d.decidedBy !== undefined ? { decidedBy: d.decidedBy } : {}),
    ...(d.passedBy !== undefined ? { passedBy: d.passedBy } : {}),
    ...(d.notes !== undefined ? { notes: d.notes } : {}),
    ...(explain ? { reason: d.reason } : {}),
  };
}

/** The JSON object of one query (the shape of `eval --json`; the reasons only when explaining). */
export function decisionJson(
  q: TargetQuery,
  result: TargetDecision,
  explain: boolean,
): Record<string, unknown> {
  const { query, decision } = result;
  const named = q.from.workload !== undefined || q.to.workload !== undefined;
  return {
    from: q.from.label,
    to: q.to.label,
    port: query.port,
    protocol: query.protocol,
    verdict: decision.verdict,
    egress: directionJson(decision.egress, explain),
    ingress: directionJson(decision.ingress, explain),
    ...(named
      ? {
          pods: {
            from: formatEndpoint(query.from),
            to: formatEndpoint(query.to),
            pairs: result.pairs,
            allowedPairs: result.allowedPairs,
          },
        }
      : {}),
  };
}

function deciderText(rule: DecidingRule): string {
  return `${rule.object} ${rule.rule}`;
}

/** One direction in a few words: `not isolated`, `allowed by ns/p[0], …` or `DENIED (isolated by ns/p)`. */
function directionText(d: DirectionDecision): string {
  let text: string;
  if (d.decidedBy !== undefined) text = `${d.allowed ? 'allowed' : 'DENIED'} by ${deciderText(d.decidedBy)}`;
  else if (d.allowed)
    text = d.isolated
      ? `allowed by ${d.allowedBy.map((r) => `${r.policy}[${r.rule}]`).join(', ')}`
      : 'not isolated';
  else text = `DENIED (isolated by ${d.isolatedBy.join(', ')})`;
  return d.notes !== undefined && d.notes.length > 0 ? `${text} [${d.notes.join('; ')}]` : text;
}

export function compactLine(q: TargetQuery, result: TargetDecision): string {
  const { query, decision } = result;
  const named = q.from.workload !== undefined || q.to.workload !== undefined;
  const pairs = named ? ` (${result.allowedPairs}/${result.pairs} pod pairs allowed)` : '';
  // A target's label is what formatEndpoint would print for its single pod or address.
  return `${q.from.label} -> ${q.to.label} ${query.protocol}/${query.port}: ${decision.verdict.toUpperCase()}${pairs}; egress ${directionText(decision.egress)}; ingress ${directionText(decision.ingress)}`;
}

/** The prose form (`eval --from/--to`, and `--queries --explain`). */
export function formatHuman(query: ConnectionQuery, decision: Decision): string {
  const side = (d: Decision['egress']): string => (d.allowed ? 'allowed' : 'DENIED');
  return [
    `${formatEndpoint(query.from)} -> ${formatEndpoint(query.to)} ${query.protocol}/${query.port}: ${decision.verdict.toUpperCase()}`,
    `  egress  (${side(decision.egress)}): ${decision.egress.reason}`,
    `  ingress (${side(decision.ingress)}): ${decision.ingress.reason}`,
  ].join('\n');
}

export function targetHuman(q: TargetQuery, result: TargetDecision): string {
  const note = pairsNote(q.from, q.to, result);
  return `${formatHuman(result.query, result.decision)}${note !== undefined ? `\n  ${note}` : ''}`;
}

/** Decides every query in order and hands the output to `write` in pieces. */
export function writeBatch(
  engine: PolicyEngine,
  queries: readonly TargetQuery[],
  format: BatchFormat,
  explain: boolean,
  write: (text: string) => void,
): void {
  let out = format === 'json' ? '[' : '';
  queries.forEach((q, i) => {
    const result = decideTargets(engine, q.from, q.to, q.port, q.protocol);
    if (format === 'text')
      out += explain ? `${i > 0 ? '\n' : ''}${targetHuman(q, result)}\n` : `${compactLine(q, result)}\n`;
    else
      out += `${format === 'json' && i > 0 ? ',' : ''}${format === 'json' ? '\n' : ''}${JSON.stringify(decisionJson(q, result, explain))}${format === 'ndjson' ? '\n' : ''}`;
    if (out.length >= FLUSH_CHARS) {
      write(out);
      out = '';
    }
  });
  if (format === 'json') out += '\n]\n';
  if (out.length > 0) write(out);
}
