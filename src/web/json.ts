// Narrowing of API responses: the dashboard never trusts the shape of what it is sent (the data
// inside came from the cluster), so every read goes through these and falls back to a default.

export type JsonObject = Readonly<Record<string, unknown>>;

export function obj(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

export function isObj(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
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

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function strs(value: unknown): string[] {
  return arr(value).filter((v): v is string => typeof v === 'string');
}

/** The first of several keys present in `o` (API fields that may be named either way). */
export function pick(o: JsonObject, ...keys: string[]): unknown {
  for (const key of keys) if (o[key] !== undefined && o[key] !== null) return o[key];
  return undefined;
}

/** `{items: [...]}` or a bare array. */
export function items(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : arr(obj(value)['items']);
}
