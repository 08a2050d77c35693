// metav1.LabelSelector matching: matchLabels and matchExpressions (In, NotIn, Exists,
// DoesNotExist) ANDed together; an empty selector matches everything. Compiled once into a
// predicate so the engine does not re-read the selector per query.
import type { LabelSelector, Labels } from './model.js';

export type LabelPredicate = (labels: Labels) => boolean;

const MATCH_ALL: LabelPredicate = () => true;

/** True when the selector has no requirement at all (`{}`), i.e. it selects everything. */
export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** Compiles a selector into a predicate over a label map. */
export function compileSelector(selector: LabelSelector): LabelPredicate {
  if (isEmptySelector(selector)) return MATCH_ALL;
  const tests: LabelPredicate[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    tests.push((labels) => Object.hasOwn(labels, key) && labels[key] === value);
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const key = requirement.key;
    const values = new Set(requirement.values ?? []);
    switch (requirement.operator) {
      case 'In':
        tests.push((labels) => Object.hasOwn(labels, key) && values.has(labels[key] as string));
        break;
      case 'NotIn':
        // NotIn matches when the key is absent too (apimachinery labels.Selector semantics).
        tests.push((labels) => !Object.hasOwn(labels, key) || !values.has(labels[key] as string));
        break;
      case 'Exists':
        tests.push((labels) => Object.hasOwn(labels, key));
        break;
      case 'DoesNotExist':
        tests.push((labels) => !Object.hasOwn(labels, key));
        break;
    }
  }
  if (tests.length === 1) return tests[0] as LabelPredicate;
  return (labels) => {
    for (const test of tests) if (!test(labels)) return false;
    return true;
  };
}

/** One-off match (compiles each time; prefer compileSelector in loops). */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  return compileSelector(selector)(labels);
}

/** kubectl-style text of a selector, for explanations: `app=web,tier in (a,b)` or `<all>`. */
export function formatSelector(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push(`${key}=${value}`);
  for (const r of selector.matchExpressions ?? []) {
    const values = (r.values ?? []).join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${values})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${values})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.length === 0 ? '<all>' : parts.join(',');
}
