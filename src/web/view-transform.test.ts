import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitTransform, panBy, toContent, transformAttr, wheelFactor, zoomAbout } from './view-transform.js';

const limits = { minK: 0.01, maxK: 100 };

describe('view transform', () => {
  it('fits a drawing larger than the viewport inside it, centred', () => {
    const t = fitTransform({ x: 0, y: 0, width: 2000, height: 500 }, { width: 1000, height: 600 }, 0);
    expect(t.k).toBeCloseTo(0.5);
    expect(t.x).toBeCloseTo(0);
    expect(t.y).toBeCloseTo((600 - 250) / 2);
  });

  it('keeps a small drawing at its natural size, and fits a box not at the origin', () => {
    const small = fitTransform({ x: 0, y: 0, width: 100, height: 100 }, { width: 1000, height: 600 }, 0);
    expect(small).toEqual({ k: 1, x: 450, y: 250 });
    const ring = fitTransform(
      { x: -500, y: -500, width: 1000, height: 1000 },
      { width: 500, height: 500 },
      0,
    );
    expect(ring).toEqual({ k: 0.5, x: 250, y: 250 });
  });

  it('every corner of the content is inside the viewport after a fit', () => {
    fc.assert(
      fc.property(
        fc.record({
          x: fc.integer({ min: -5000, max: 5000 }),
          y: fc.integer({ min: -5000, max: 5000 }),
          width: fc.integer({ min: 1, max: 20000 }),
          height: fc.integer({ min: 1, max: 20000 }),
        }),
        fc.record({ width: fc.integer({ min: 50, max: 4000 }), height: fc.integer({ min: 50, max: 4000 }) }),
        (content, viewport) => {
          const t = fitTransform(content, viewport);
          for (const [cx, cy] of [
            [content.x, content.y],
            [content.x + content.width, content.y + content.height],
          ] as const) {
            const sx = cx * t.k + t.x;
            const sy = cy * t.k + t.y;
            expect(sx).toBeGreaterThanOrEqual(-1e-6);
            expect(sy).toBeGreaterThanOrEqual(-1e-6);
            expect(sx).toBeLessThanOrEqual(viewport.width + 1e-6);
            expect(sy).toBeLessThanOrEqual(viewport.height + 1e-6);
          }
        },
      ),
    );
  });

  it('zooming keeps the content point under the pointer where it is', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 800 }),
        (k, factor, px, py) => {
          const t = { x: 37, y: -12, k };
          const before = toContent(t, px, py);
          const after = toContent(zoomAbout(t, factor, px, py, limits), px, py);
          expect(after.x).toBeCloseTo(before.x, 6);
          expect(after.y).toBeCloseTo(before.y, 6);
        },
      ),
    );
  });

  it('clamps the scale, pans, and writes the attribute', () => {
    expect(zoomAbout({ x: 0, y: 0, k: 1 }, 1000, 0, 0, { minK: 0.5, maxK: 4 }).k).toBe(4);
    expect(zoomAbout({ x: 0, y: 0, k: 1 }, 0.001, 0, 0, { minK: 0.5, maxK: 4 }).k).toBe(0.5);
    expect(panBy({ x: 1, y: 2, k: 3 }, 10, -5)).toEqual({ x: 11, y: -3, k: 3 });
    expect(transformAttr({ x: 1.23456, y: -2, k: 0.5 })).toBe('translate(1.235,-2) scale(0.5)');
  });

  it('a wheel notch up zooms in, down zooms out, by the same ratio', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelFactor(100, 0)).toBeCloseTo(1 / wheelFactor(-100, 0));
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48, 0));
  });
});
