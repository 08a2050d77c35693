// Query-string validation for every route: a zod object of string inputs (coerced inside the
// schema), unknown and repeated parameters refused, and the first problem of each parameter
// reported as a 400 that names it. Never a 500 for anything a client can type.
import { z } from 'zod';
import { HttpError } from './errors.js';

export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.infer<S> {
  const input = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const problems: string[] = [];
  const known = new Set(Object.keys(schema.shape));
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key)) problems.push(`${key.slice(0, 64)}: unknown parameter`);
    else if (typeof value !== 'string') problems.push(`${key}: must be given once, as a plain value`);
  }
  if (problems.length > 0) throw new HttpError('invalid_parameter', problems.join('; '));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const name = issue.path.map(String).join('.') || 'query';
      if (seen.has(name)) continue;
      seen.add(name);
      problems.push(`${name}: ${issue.message}`);
    }
    throw new HttpError('invalid_parameter', problems.join('; '));
  }
  return parsed.data;
}

/** An integer parameter in [min, max] given as a decimal string. */
export function intParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer from ${min} to ${max}`);
}

/** A Kubernetes namespace name (DNS-1123 label). */
export const namespaceParam = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name (DNS-1123 label)');
