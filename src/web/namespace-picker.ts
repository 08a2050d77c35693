// The namespace picker of the pages: a text field with type-ahead over every namespace (the names
// come from all pages of /api/v1/namespaces, ui.ts's namespaceNames), as an <input list> and its
// <datalist>, so a cluster of thousands of namespaces is searched, not scrolled. A suggestion
// picked, or Enter/leaving the field on an exact name, chooses it; on text that names exactly one
// namespace by part of its name, that one; an empty field is the "all" choice when there is one.
// Anything else is left as typed and marked invalid with a message; nothing is chosen.
import { h } from './dom.js';

let pickers = 0;

/** The namespace `text` means: exact name, else the only name containing it; undefined if none or several. */
export function resolveNamespace(names: readonly string[], text: string): string | undefined {
  if (names.includes(text)) return text;
  const needle = text.toLowerCase();
  const hits = names.filter((n) => n.toLowerCase().includes(needle));
  return hits.length === 1 ? hits[0] : undefined;
}

/** A type-ahead namespace field; `allLabel` allows the empty field, meaning every namespace. */
export function namespacePicker(
  names: readonly string[],
  selected: string | undefined,
  onChange: (ns: string | undefined) => void,
  allLabel?: string,
): HTMLElement {
  const listId = `namespace-options-${++pickers}`;
  let current = selected;
  const status = h('span', { class: 'muted small picker-status', 'aria-live': 'polite' });
  const input = h('input', {
    type: 'search',
    name: 'namespace',
    list: listId,
    value: selected ?? '',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: allLabel ?? 'Type a namespace…',
    'aria-label': 'Namespace',
    'data-testid': 'namespace-picker',
  });
  const choose = (ns: string | undefined): void => {
    input.setCustomValidity('');
    status.textContent = '';
    input.value = ns ?? '';
    if (ns === current) return;
    current = ns;
    onChange(ns);
  };
  const commit = (): void => {
    const text = input.value.trim();
    if (text === '') {
      if (allLabel !== undefined) choose(undefined);
      else input.value = current ?? '';
      return;
    }
    const ns = resolveNamespace(names, text);
    if (ns !== undefined) return choose(ns);
    const message = names.some((n) => n.toLowerCase().includes(text.toLowerCase()))
      ? `Several namespaces match "${text}": pick one.`
      : `No namespace matches "${text}".`;
    input.setCustomValidity(message);
    status.textContent = message;
  };
  input.addEventListener('input', (event) => {
    input.setCustomValidity('');
    status.textContent = '';
    // A suggestion picked from the list (not a keystroke) chooses it at once.
    const picked = !(event instanceof InputEvent) || event.inputType === 'insertReplacementText';
    if (picked && names.includes(input.value)) choose(input.value);
  });
  input.addEventListener('change', commit);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      commit();
    } else if (event.key === 'Escape') {
      input.value = current ?? '';
      input.setCustomValidity('');
      status.textContent = '';
    }
  });
  return h(
    'label',
    { class: 'field namespace-picker' },
    h('span', null, 'Namespace'),
    input,
    h(
      'datalist',
      { id: listId },
      names.map((n) => h('option', { value: n })),
    ),
    status,
  );
}
