// The service map's view transform (translate, then scale) and the pan/zoom arithmetic on it:
// fitting a drawing into the viewport, zooming about a point that stays where it is under the
// pointer, panning. Pure: numbers in, numbers out (map-pan-zoom.ts applies them to the SVG).

/** Screen = content × k + (x, y), in CSS pixels of the SVG element. */
export interface ViewTransform {
  readonly x: number;
  readonly y: number;
  readonly k: number;
}
export interface ContentBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface ViewportSize {
  readonly width: number;
  readonly height: number;
}
export interface ScaleLimits {
  readonly minK: number;
  readonly maxK: number;
}

export const IDENTITY: ViewTransform = { x: 0, y: 0, k: 1 };

/**
 * The whole of `content` inside `viewport` with `paddingPx` around it, centred; never enlarged
 * beyond `maxK` (a small drawing keeps its natural size instead of filling the screen).
 */
export function fitTransform(
  content: ContentBox,
  viewport: ViewportSize,
  paddingPx = 12,
  maxK = 1,
): ViewTransform {
  const room = {
    width: Math.max(1, viewport.width - 2 * paddingPx),
    height: Math.max(1, viewport.height - 2 * paddingPx),
  };
  const k = Math.min(
    maxK,
    room.width / Math.max(1, content.width),
    room.height / Math.max(1, content.height),
  );
  return {
    k,
    x: (viewport.width - content.width * k) / 2 - content.x * k,
    y: (viewport.height - content.height * k) / 2 - content.y * k,
  };
}

export function clampScale(k: number, limits: ScaleLimits): number {
  return Math.min(limits.maxK, Math.max(limits.minK, k));
}

/** Zoom by `factor` about the screen point (px, py): the content under it stays under it. */
export function zoomAbout(
  t: ViewTransform,
  factor: number,
  px: number,
  py: number,
  limits: ScaleLimits,
): ViewTransform {
  const k = clampScale(t.k * factor, limits);
  const ratio = k / t.k;
  return { k, x: px - (px - t.x) * ratio, y: py - (py - t.y) * ratio };
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}

/** The content point shown at screen point (px, py). */
export function toContent(t: ViewTransform, px: number, py: number): { x: number; y: number } {
  return { x: (px - t.x) / t.k, y: (py - t.y) / t.k };
}

/** The SVG transform attribute of the view. */
export function transformAttr(t: ViewTransform): string {
  const r = (n: number): string => String(Math.round(n * 1000) / 1000);
  return `translate(${r(t.x)},${r(t.y)}) scale(${r(t.k)})`;
}

/** The wheel's zoom factor: a notch (100 px) is about ×1.2, out for positive deltas. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-400, Math.min(400, px)) * 0.0018);
}
