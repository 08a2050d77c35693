// Pan and zoom for the service maps (map.ts, namespace-map.ts): the drawing sits in one <g> whose
// transform is the view (view-transform.ts). Fitted to the viewport when first laid out (and on
// resize until the user moves it); the wheel and a two-finger pinch zoom about the pointer, a drag
// pans (a click that did not move still reaches arrows and boxes), buttons zoom in, out and fit,
// and the focused map takes + / - / 0 and the arrow keys.
import { h } from './dom.js';
import {
  fitTransform,
  panBy,
  transformAttr,
  wheelFactor,
  zoomAbout,
  type ContentBox,
  type ScaleLimits,
  type ViewTransform,
} from './view-transform.js';

export interface PanZoom {
  /** Buttons: zoom in, zoom out, fit. */
  readonly controls: HTMLElement;
  fit(): void;
  zoomBy(factor: number): void;
  /** Pans so that `element` (inside the drawing) is in the middle of the view. */
  reveal(element: Element): void;
}

const STEP = 1.25;
const KEY_PAN_PX = 60;
/** A pointer that moved less than this is a click, not a drag. */
const DRAG_THRESHOLD_PX = 4;

export function attachPanZoom(svg: SVGSVGElement, view: SVGGElement, content: ContentBox): PanZoom {
  let t: ViewTransform = { x: 0, y: 0, k: 1 };
  let moved = false;
  let limits: ScaleLimits = { minK: 0.05, maxK: 4 };
  const apply = (next: ViewTransform): void => {
    t = next;
    view.setAttribute('transform', transformAttr(t));
    svg.dataset['zoom'] = t.k.toFixed(3);
  };
  const size = (): { width: number; height: number } => {
    const r = svg.getBoundingClientRect();
    return { width: r.width, height: r.height };
  };
  const fit = (): void => {
    const viewport = size();
    if (viewport.width === 0 || viewport.height === 0) return;
    const fitted = fitTransform(content, viewport);
    // Never so far out that the fitted view cannot be reached again, nor in beyond 4× or the fit.
    limits = { minK: Math.min(0.05, fitted.k / 2), maxK: Math.max(4, fitted.k) };
    apply(fitted);
    moved = false;
  };
  const userMove = (next: ViewTransform): void => {
    moved = true;
    apply(next);
  };
  const zoomBy = (factor: number): void => {
    const { width, height } = size();
    userMove(zoomAbout(t, factor, width / 2, height / 2, limits));
  };
  const local = (event: { clientX: number; clientY: number }): { x: number; y: number } => {
    const r = svg.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  };

  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const p = local(event);
      userMove(zoomAbout(t, wheelFactor(event.deltaY, event.deltaMode), p.x, p.y, limits));
    },
    { passive: false },
  );

  // Pointers down on the map: one drags, two pinch (zoom about their middle, pan with it).
  const pointers = new Map<number, { x: number; y: number }>();
  let dragged = false;
  let start: { x: number; y: number } | undefined;
  svg.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    pointers.set(event.pointerId, local(event));
    if (pointers.size === 1) {
      start = local(event);
      dragged = false;
    }
  });
  svg.addEventListener('pointermove', (event) => {
    const previous = pointers.get(event.pointerId);
    if (previous === undefined) return;
    const p = local(event);
    if (pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      if (a === undefined || b === undefined) return;
      const other = a === previous ? b : a;
      const before = Math.hypot(previous.x - other.x, previous.y - other.y);
      const after = Math.hypot(p.x - other.x, p.y - other.y);
      const mid = { x: (p.x + other.x) / 2, y: (p.y + other.y) / 2 };
      const panned = panBy(t, (p.x - previous.x) / 2, (p.y - previous.y) / 2);
      userMove(before > 0 ? zoomAbout(panned, after / before, mid.x, mid.y, limits) : panned);
      dragged = true;
    } else if (start !== undefined) {
      if (!dragged && Math.hypot(p.x - start.x, p.y - start.y) < DRAG_THRESHOLD_PX) return;
      if (!dragged) svg.setPointerCapture(event.pointerId);
      dragged = true;
      svg.classList.add('panning');
      userMove(panBy(t, p.x - previous.x, p.y - previous.y));
    }
    pointers.set(event.pointerId, p);
  });
  const release = (event: PointerEvent): void => {
    pointers.delete(event.pointerId);
    if (pointers.size === 0) {
      start = undefined;
      svg.classList.remove('panning');
    }
  };
  svg.addEventListener('pointerup', release);
  svg.addEventListener('pointercancel', release);
  // The click that ends a drag is not a click on the arrow or box under it.
  svg.addEventListener(
    'click',
    (event) => {
      if (!dragged) return;
      dragged = false;
      event.stopPropagation();
      event.preventDefault();
    },
    true,
  );

  svg.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const pans: Record<string, readonly [number, number]> = {
      ArrowLeft: [KEY_PAN_PX, 0],
      ArrowRight: [-KEY_PAN_PX, 0],
      ArrowUp: [0, KEY_PAN_PX],
      ArrowDown: [0, -KEY_PAN_PX],
    };
    const pan = pans[event.key];
    if (pan !== undefined) userMove(panBy(t, pan[0], pan[1]));
    else if (event.key === '+' || event.key === '=') zoomBy(STEP);
    else if (event.key === '-' || event.key === '_') zoomBy(1 / STEP);
    else if (event.key === '0') fit();
    else return;
    event.preventDefault();
  });
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-keyshortcuts', '+ - 0 ArrowLeft ArrowRight ArrowUp ArrowDown');
  svg.classList.add('pan-zoom');

  // Fitted once it has a size; refitted on resize until the user has moved the view.
  const resizes = new ResizeObserver(() => {
    if (!svg.isConnected) resizes.disconnect();
    else if (!moved) fit();
  });
  resizes.observe(svg);

  const button = (label: string, text: string, testId: string, onClick: () => void): HTMLElement =>
    h(
      'button',
      {
        class: 'btn btn-small',
        type: 'button',
        title: label,
        'aria-label': label,
        'data-testid': testId,
        onClick,
      },
      text,
    );
  const controls = h(
    'div',
    { class: 'map-controls', role: 'group', 'aria-label': 'Map view' },
    button('Zoom in', '+', 'map-zoom-in', () => zoomBy(STEP)),
    button('Zoom out', '−', 'map-zoom-out', () => zoomBy(1 / STEP)),
    button('Fit the map to the view', 'Fit', 'map-fit', fit),
  );
  return {
    controls,
    fit,
    zoomBy,
    reveal: (element) => {
      const box = element.getBoundingClientRect();
      const frame = svg.getBoundingClientRect();
      userMove(
        panBy(
          t,
          frame.left + frame.width / 2 - (box.left + box.width / 2),
          frame.top + frame.height / 2 - (box.top + box.height / 2),
        ),
      );
    },
  };
}

/** The map and its zoom buttons in one frame of `heightCss` (a CSS length). */
export function panZoomFrame(svg: SVGSVGElement, panZoom: PanZoom, heightCss: string): HTMLElement {
  svg.style.height = heightCss;
  return h('div', { class: 'map-frame' }, svg, panZoom.controls);
}
