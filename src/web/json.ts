// Narrowing of the JSON the API's schemas do not type: the live stream's events (stream.ts) and
// the free-form parts of a typed body (a drop's explanation). Every response body is typed by its
// route (api.ts: getJson); what is read through these falls back to a default instead.

export type JsonObject = Readonly<Record<string, unknown>>;

export function obj(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

export function optStr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function strs(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The first of several keys present in `o` (fields that may be named either way). */
export function pick(o: JsonObject, ...keys: string[]): unknown {
  for (const key of keys) if (o[key] !== undefined && o[key] !== null) return o[key];
  return undefined;
}
