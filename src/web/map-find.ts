// The service map's find box: highlights the boxes whose name (namespace/workload, address, DNS
// name or kind, as their tooltip reads) contains the text, dims the others and brings the first
// match into view (`reveal`: the map's pan/zoom centres it). Works on any drawn map: it reads the `g.node` elements, never the data.
// `markMatches` is the marking alone, shared with the namespace summary map's find box.
import { h, mount } from './dom.js';
import { searchBox } from './search-box.js';

/** A search field bound to `svg`; `status` says how many boxes match. */
export function mapFindBox(svg: SVGSVGElement, reveal: (node: SVGGElement) => void): HTMLElement {
  const status = h('span', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'map-find-status' });
  const input = searchBox({
    placeholder: 'Find a workload',
    label: 'Find a workload',
    testId: 'map-find',
    onSearch: (typed) => {
      const text = typed.toLowerCase();
      const { matches, first } = markMatches(svg, text, {
        nodes: 'g.node',
        nameOf: (g) => g.querySelector('title')?.textContent ?? '',
        searching: 'map-searching',
        match: 'node-match',
      });
      if (first !== undefined) reveal(first);
      mount(status, text === '' ? '' : `${matches} match${matches === 1 ? '' : 'es'}`);
    },
  });
  return h('label', { class: 'field' }, h('span', null, 'Find'), input, status);
}

export interface MatchMarks {
  /** The selector of the searchable nodes. */
  readonly nodes: string;
  readonly nameOf: (node: SVGGElement) => string;
  /** The class on the map while a search is on, and on each matching node. */
  readonly searching: string;
  readonly match: string;
}

/** Marks the nodes whose name contains `text` (lower-case; '' matches none); returns their count and the first. */
export function markMatches(
  svg: SVGSVGElement,
  text: string,
  marks: MatchMarks,
): { matches: number; first: SVGGElement | undefined } {
  svg.classList.toggle(marks.searching, text !== '');
  let first: SVGGElement | undefined;
  let matches = 0;
  for (const g of svg.querySelectorAll<SVGGElement>(marks.nodes)) {
    const hit = text !== '' && marks.nameOf(g).toLowerCase().includes(text);
    g.classList.toggle(marks.match, hit);
    if (!hit) continue;
    matches++;
    first ??= g;
  }
  return { matches, first };
}
