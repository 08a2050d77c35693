// The one narrowing of decoded JSON, YAML and protobuf objects used by parsers and adapters alike.

/** A plain object (not null, not an array), so its fields can be read as unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
