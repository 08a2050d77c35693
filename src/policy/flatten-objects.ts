// The first stage of parsing API objects: `List`s flattened (nested ones too, to a bound), at most
// `maxObjects` objects, each labelled by its place in the input for problems that cannot name it.
import { isRecord } from '../lib/is-record.js';
import type { ObjectProblem } from './parse-objects.js';

const MAX_LIST_DEPTH = 4;

export interface FlatObject {
  readonly origin: string | undefined;
  readonly object: Record<string, unknown>;
  readonly label: string;
}

/** Every object of the input with Lists flattened, at most `maxObjects` and MAX_LIST_DEPTH deep. */
export function flattenObjects(
  input: readonly { readonly origin: string | undefined; readonly object: unknown }[],
  maxObjects: number,
  problems: ObjectProblem[],
): FlatObject[] {
  const flat: FlatObject[] = [];
  let truncated = false;
  const push = (object: unknown, origin: string | undefined, label: string, depth: number): void => {
    if (flat.length >= maxObjects) {
      truncated = true;
      return;
    }
    if (!isRecord(object)) {
      problems.push({
        ...(origin !== undefined ? { origin } : {}),
        object: label,
        path: '',
        message: 'not an object',
      });
      return;
    }
    const kind = object['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(object['items'])) {
      if (depth >= MAX_LIST_DEPTH) {
        problems.push({
          ...(origin !== undefined ? { origin } : {}),
          object: label,
          path: 'items',
          message: 'Lists nested too deeply',
        });
        return;
      }
      (object['items'] as unknown[]).forEach((item, i) =>
        push(item, origin, `${label} items[${i}]`, depth + 1),
      );
      return;
    }
    flat.push({ origin, object, label });
  };
  input.forEach((entry, i) => push(entry.object, entry.origin, `object ${i + 1}`, 0));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callbacks above
  if (truncated)
    problems.push({
      object: 'input',
      path: '',
      message: `more than ${maxObjects} objects; the rest were ignored`,
    });
  return flat;
}
