// The search field of the dashboard's lists (the namespace index, diagnostics, a namespace's
// policies, flows) and of its maps' find boxes: an <input type="search"> with an accessible name
// (most have no visible label) and a placeholder. Every edit reaches `onSearch` as the trimmed text:
// typing, pasting, and Escape or the clear button, which empty the field (Chromium's own behaviour
// for a search input, reported as an `input` event), so clearing is every list's reset. Case is
// left to the caller: some lists quote the text back as typed. The text is only ever a value.
import { h } from './dom.js';

export interface SearchBoxOptions {
  /** The accessible name (aria-label). */
  readonly label: string;
  readonly placeholder: string;
  /** The field's form name (on Flows, also the URL parameter its text starts from). */
  readonly name?: string;
  readonly testId?: string;
  /** The text the field starts with, e.g. a query from the URL; `onSearch` is not called for it. */
  readonly value?: string;
  readonly onSearch: (text: string) => void;
}

/** A search field that hands every edit, trimmed, to `onSearch`. */
export function searchBox(options: SearchBoxOptions): HTMLInputElement {
  const input = h('input', {
    type: 'search',
    name: options.name,
    placeholder: options.placeholder,
    'aria-label': options.label,
    'data-testid': options.testId,
    value: options.value,
    onInput: () => options.onSearch(input.value.trim()),
  });
  return input;
}
