// Near misses of a label selector: a key or value one edit away (Damerau-Levenshtein, optimal
// string alignment, ≤ 1), the same text in another case, or the `app` ↔ `app.kubernetes.io/name`
// convention swap. `correctSelector` finds the selector with the fewest such corrections that
// matches at least one of the candidate label sets.
import type { LabelSelector, LabelSelectorRequirement, Labels } from '../policy/model.js';
import { compileSelector } from '../policy/selectors.js';

const MAX_TEXT = 317; // longest valid label key (253 prefix + / + 63)
const MAX_VARIANTS = 6;
const MAX_COMBINATIONS = 512;
const KEY_ALIASES: readonly (readonly [string, string])[] = [
  ['app', 'app.kubernetes.io/name'],
  ['component', 'app.kubernetes.io/component'],
  ['version', 'app.kubernetes.io/version'],
];

/** True when the optimal-string-alignment distance between a and b is at most 1. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1 || a.length > MAX_TEXT || b.length > MAX_TEXT) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1) === shorter.slice(i); // insertion/deletion
}

/** Why `wanted` looks like a mistake for `actual`, or undefined when it does not. */
export function nearMissReason(wanted: string, actual: string, isKey: boolean): string | undefined {
  if (wanted === actual) return undefined;
  if (wanted.toLowerCase() === actual.toLowerCase())
    return `"${wanted}" differs from "${actual}" only in case`;
  if (
    isKey &&
    KEY_ALIASES.some(([x, y]) => (wanted === x && actual === y) || (wanted === y && actual === x))
  ) {
    return `"${wanted}" is used where the pods have "${actual}"`;
  }
  if (withinOneEdit(wanted, actual)) return `"${wanted}" is one edit away from "${actual}"`;
  return undefined;
}

type Atom =
  | { readonly type: 'label'; readonly key: string; readonly value: string }
  | { readonly type: 'expr'; readonly requirement: LabelSelectorRequirement };

interface Variant {
  readonly atom: Atom;
  readonly reasons: readonly string[];
}

function atomsOf(selector: LabelSelector): Atom[] {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): Atom => ({
      type: 'label',
      key,
      value,
    })),
    ...(selector.matchExpressions ?? []).map((requirement): Atom => ({ type: 'expr', requirement })),
  ];
}

function selectorOf(atoms: readonly Atom[]): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const atom of atoms) {
    if (atom.type === 'label') matchLabels[atom.key] = atom.value;
    else matchExpressions.push(atom.requirement);
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** The atom's near-miss replacements seen in the candidates' labels. */
function variantsOf(atom: Atom, candidates: readonly Labels[]): Variant[] {
  const out = new Map<string, Variant>();
  const add = (variant: Variant): void => {
    const key = JSON.stringify(variant.atom);
    if (!out.has(key) && out.size < MAX_VARIANTS) out.set(key, variant);
  };
  for (const labels of candidates) {
    for (const [key, value] of Object.entries(labels)) {
      if (atom.type === 'label') {
        const keyReason = key === atom.key ? undefined : nearMissReason(atom.key, key, true);
        const valueReason = value === atom.value ? undefined : nearMissReason(atom.value, value, false);
        if (
          (key === atom.key || keyReason !== undefined) &&
          (value === atom.value || valueReason !== undefined) &&
          (keyReason ?? valueReason) !== undefined
        ) {
          add({
            atom: { type: 'label', key, value },
            reasons: [keyReason, valueReason].filter((r): r is string => r !== undefined),
          });
        }
        continue;
      }
      const r = atom.requirement;
      if (r.operator !== 'In' && r.operator !== 'Exists') continue;
      const keyReason = key === r.key ? undefined : nearMissReason(r.key, key, true);
      if (key !== r.key && keyReason === undefined) continue;
      if (r.operator === 'Exists') {
        if (keyReason !== undefined)
          add({ atom: { type: 'expr', requirement: { key, operator: 'Exists' } }, reasons: [keyReason] });
        continue;
      }
      const values = r.values ?? [];
      if (values.includes(value)) {
        if (keyReason !== undefined)
          add({ atom: { type: 'expr', requirement: { ...r, key } }, reasons: [keyReason] });
        continue;
      }
      const near = values
        .map((v) => [v, nearMissReason(v, value, false)] as const)
        .find(([, reason]) => reason !== undefined);
      if (near !== undefined) {
        add({
          atom: {
            type: 'expr',
            requirement: { key, operator: 'In', values: [...values.filter((v) => v !== near[0]), value] },
          },
          reasons: [keyReason, near[1]].filter((x): x is string => x !== undefined),
        });
      }
    }
  }
  return [...out.values()];
}

export interface Correction {
  readonly selector: LabelSelector;
  readonly reasons: readonly string[];
  /** Indexes into the candidates that the corrected selector matches. */
  readonly matches: readonly number[];
}

/** The correction with the fewest changed requirements that matches some candidate, if any. */
export function correctSelector(
  selector: LabelSelector,
  candidates: readonly Labels[],
): Correction | undefined {
  const atoms = atomsOf(selector);
  if (atoms.length === 0 || candidates.length === 0) return undefined;
  const options = atoms.map((atom) => [
    { atom, reasons: [] as readonly string[] },
    ...variantsOf(atom, candidates),
  ]);
  if (options.every((o) => o.length === 1)) return undefined;
  let best: Correction | undefined;
  let bestChanges = Number.POSITIVE_INFINITY;
  let tried = 0;
  const choose = (i: number, chosen: Variant[], changes: number): void => {
    if (tried >= MAX_COMBINATIONS || changes >= bestChanges) return;
    if (i === options.length) {
      tried++;
      if (changes === 0) return;
      const corrected = selectorOf(chosen.map((v) => v.atom));
      const matches = compileSelector(corrected);
      const hit = candidates.flatMap((labels, index) => (matches(labels) ? [index] : []));
      if (hit.length > 0) {
        best = { selector: corrected, reasons: chosen.flatMap((v) => v.reasons), matches: hit };
        bestChanges = changes;
      }
      return;
    }
    for (const [n, variant] of (options[i] ?? []).entries())
      choose(i + 1, [...chosen, variant], changes + (n === 0 ? 0 : 1));
  };
  choose(0, [], 0);
  return best;
}
