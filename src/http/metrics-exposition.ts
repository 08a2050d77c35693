// The /metrics body in the format the scraper asked for: the Prometheus text format (0.0.4) by
// default, OpenMetrics 1.0.0 when the Accept header prefers it (Prometheus itself asks for
// OpenMetrics first). prom-client can only write OpenMetrics from a registry created for it, and
// doing so renames the counter objects in place (it strips `_total` for good), so the one
// registry is serialised here from its JSON instead, leaving the metric objects untouched.
import { Registry } from 'prom-client';

export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_TEXT = Registry.OPENMETRICS_CONTENT_TYPE;

interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .slice(0, 32)
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0)
          params.set(
            p.slice(0, eq).trim().toLowerCase(),
            p
              .slice(eq + 1)
              .trim()
              .replace(/^"|"$/g, ''),
          );
      }
      const q = Number(params.get('q') ?? '1');
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 };
    });
}

/** Whether the Accept header prefers OpenMetrics (1.0.0, or unversioned) to the text format. */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  let om = 0;
  let text = 0;
  for (const range of parseAccept(accept)) {
    const version = range.params.get('version');
    if (range.type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0'))
      om = Math.max(om, range.q);
    if (
      (range.type === 'text/plain' && (version === undefined || version === '0.0.4')) ||
      range.type === 'text/*' ||
      range.type === '*/*'
    )
      text = Math.max(text, range.q);
  }
  return om > 0 && om >= text;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Readonly<Record<string, string | number | undefined>>): string {
  const parts = Object.entries(labels)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}="${escapeLabelValue(typeof v === 'number' ? formatNumber(v) : v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/** The registry in OpenMetrics 1.0.0 text: counter families named without `_total`, ends in `# EOF`. */
export async function openMetricsText(registry: Registry): Promise<string> {
  const lines: string[] = [];
  for (const family of await registry.getMetricsAsJSON()) {
    const kind = String(family.type);
    const isCounter = kind === 'counter';
    const familyName = isCounter ? family.name.replace(/_total$/, '') : family.name;
    const type = ['counter', 'gauge', 'histogram', 'summary'].includes(kind) ? kind : 'unknown';
    lines.push(`# HELP ${familyName} ${escapeLabelValue(family.help)}`, `# TYPE ${familyName} ${type}`);
    for (const sample of family.values) {
      const named = sample as typeof sample & { metricName?: string };
      const sampleName = named.metricName ?? (isCounter ? `${familyName}_total` : family.name);
      lines.push(`${sampleName}${labelText(sample.labels)} ${formatNumber(sample.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** The body and content type for a scrape with this Accept header. */
export async function exposition(
  registry: Registry,
  accept: string | undefined,
): Promise<{ contentType: string; body: string }> {
  if (prefersOpenMetrics(accept))
    return { contentType: OPENMETRICS_TEXT, body: await openMetricsText(registry) };
  return { contentType: PROMETHEUS_TEXT, body: await registry.metrics() };
}
