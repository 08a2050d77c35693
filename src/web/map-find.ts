// The service map's find box: highlights the boxes whose name (namespace/workload, address, DNS
// name or kind, as their tooltip reads) contains the text, dims the others and brings the first
// match into view (`reveal`: the map's pan/zoom centres it). Works on any drawn map: it reads the `g.node` elements, never the data.
import { h, mount } from './dom.js';

/** A search field bound to `svg`; `status` says how many boxes match. */
export function mapFindBox(svg: SVGSVGElement, reveal: (node: SVGGElement) => void): HTMLElement {
  const status = h('span', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'map-find-status' });
  const input = h('input', {
    type: 'search',
    placeholder: 'Find a workload',
    'aria-label': 'Find a workload',
    'data-testid': 'map-find',
  });
  input.addEventListener('input', () => {
    const text = input.value.trim().toLowerCase();
    svg.classList.toggle('map-searching', text !== '');
    let first: SVGGElement | undefined;
    let matches = 0;
    for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
      const name = (g.querySelector('title')?.textContent ?? '').toLowerCase();
      const hit = text !== '' && name.includes(text);
      g.classList.toggle('node-match', hit);
      if (!hit) continue;
      matches++;
      first ??= g;
    }
    if (first !== undefined) reveal(first);
    mount(status, text === '' ? '' : `${matches} match${matches === 1 ? '' : 'es'}`);
  });
  return h('label', { class: 'field' }, h('span', null, 'Find'), input, status);
}
