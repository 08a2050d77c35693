// Issue 24 item 4: the service maps pan and zoom and start fitted to the viewport. In Debian's
// Chromium against the real daemon on the demo flows: on load every box is inside the map's frame;
// the wheel zooms about the pointer (the view transform's scale grows and the point under the
// pointer stays put), a drag pans, the buttons and the keyboard zoom, and Fit brings every box
// back into view after zooming far in. A click that ends a drag does not select the arrow under it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { dashboardSuite } from './dashboard-suite.js';
import { shiftedDemoLines } from './demo-lines.js';
import { gotoReady, hasChromium, startFileDaemon } from './harness.js';

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** The view transform's translate and scale, parsed from the attribute. */
function parseView(attr: string | null): { x: number; y: number; k: number } {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\) scale\(([-\d.e]+)\)/.exec(attr ?? '');
  if (m === null) throw new Error(`no view transform: ${String(attr)}`);
  return { x: Number(m[1]), y: Number(m[2]), k: Number(m[3]) };
}

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard: pan and zoom on the service maps (Chromium, demo flows)', () => {
  const pageErrors: string[] = [];
  const suite = dashboardSuite({
    name: 'npa-browser-panzoom-',
    start: (dir) => startFileDaemon(dir, shiftedDemoLines(Date.now() - 60_000)),
    prepare: (context) => void context.on('weberror', (error) => pageErrors.push(error.error().message)),
  });

  async function open(hash: string, width = 1440): Promise<Page> {
    const page = await suite.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await gotoReady(page, suite.daemon.base, hash);
    await page.locator('svg.pan-zoom[data-zoom]').waitFor({ timeout: 10_000 });
    return page;
  }

  const view = async (page: Page) => parseView(await page.getByTestId('map-view').getAttribute('transform'));

  /** How many of `selector`'s elements are not wholly inside the map's frame. */
  async function outside(page: Page, selector: string): Promise<{ total: number; outside: number }> {
    const frame = await page.locator('svg.pan-zoom').boundingBox();
    if (frame === null) throw new Error('no map');
    const boxes = await page.locator(selector).evaluateAll((list: unknown[]) =>
      list.map((e) => {
        const r = (e as { getBoundingClientRect(): Rect }).getBoundingClientRect();
        return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      }),
    );
    const out = boxes.filter(
      (r) =>
        r.left < frame.x - 0.5 ||
        r.top < frame.y - 0.5 ||
        r.right > frame.x + frame.width + 0.5 ||
        r.bottom > frame.y + frame.height + 0.5,
    );
    return { total: boxes.length, outside: out.length };
  }

  it('the whole-cluster workload map starts fitted; zoom in and Fit bring it back', async () => {
    // Narrow, so the layered drawing is wider than the frame and must be scaled down to fit.
    const page = await open('#/map?level=workload', 900);
    const fitted = await view(page);
    expect(fitted.k).toBeLessThan(1);
    expect(await outside(page, 'g.node')).toMatchObject({ outside: 0 });
    expect((await outside(page, 'g.node')).total).toBeGreaterThan(10);

    for (let i = 0; i < 6; i++) await page.getByTestId('map-zoom-in').click();
    const zoomed = await view(page);
    expect(zoomed.k).toBeGreaterThan(fitted.k * 3);
    expect((await outside(page, 'g.node')).outside).toBeGreaterThan(0);
    await page.getByTestId('map-zoom-out').click();
    expect((await view(page)).k).toBeLessThan(zoomed.k);

    await page.getByTestId('map-fit').click();
    expect(await view(page)).toEqual(fitted);
    expect(await outside(page, 'g.node')).toMatchObject({ outside: 0 });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('the wheel zooms about the pointer, a drag pans, the keyboard zooms and fits', async () => {
    const page = await open('#/map?namespace=data');
    const svg = page.locator('svg.pan-zoom');
    const box = await svg.boundingBox();
    if (box === null) throw new Error('map not laid out');
    const start = await view(page);

    // Wheel up at a point: scale grows, and the content point under the pointer stays there.
    const px = box.x + box.width * 0.3;
    const py = box.y + box.height * 0.4;
    await page.mouse.move(px, py);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await view(page)).k).toBeGreaterThan(start.k);
    const wheeled = await view(page);
    const local = { x: px - box.x, y: py - box.y };
    const contentBefore = { x: (local.x - start.x) / start.k, y: (local.y - start.y) / start.k };
    const contentAfter = { x: (local.x - wheeled.x) / wheeled.k, y: (local.y - wheeled.y) / wheeled.k };
    // Within a pixel: the pointer's position is whole pixels, the attribute has 3 decimals.
    expect(Math.abs(contentAfter.x - contentBefore.x)).toBeLessThan(1);
    expect(Math.abs(contentAfter.y - contentBefore.y)).toBeLessThan(1);

    // A drag from an empty corner pans by the distance moved, at the same scale.
    await page.mouse.move(box.x + 6, box.y + box.height - 6);
    await page.mouse.down();
    await page.mouse.move(box.x + 56, box.y + box.height - 36, { steps: 5 });
    await page.mouse.up();
    const dragged = await view(page);
    expect(dragged.k).toBe(wheeled.k);
    expect(dragged.x - wheeled.x).toBeCloseTo(50, 0);
    expect(dragged.y - wheeled.y).toBeCloseTo(-30, 0);

    // A drag that starts on an arrow pans and does not open the arrow's evidence.
    const arrow = page.locator('path.edge-hit').first();
    const a = await arrow.boundingBox();
    if (a !== null) {
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move(a.x + a.width / 2 + 40, a.y + a.height / 2 + 40, { steps: 4 });
      await page.mouse.up();
      expect(await page.getByTestId('edge-evidence').count()).toBe(0);
    }

    // Keyboard: focus the map, + zooms in, - out, 0 fits again.
    await svg.focus();
    const beforeKeys = await view(page);
    await page.keyboard.press('+');
    expect((await view(page)).k).toBeGreaterThan(beforeKeys.k);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect((await view(page)).k).toBeLessThan(beforeKeys.k);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('0');
    expect(await view(page)).toEqual(start);
    expect(await outside(page, 'g.node')).toMatchObject({ outside: 0 });

    // An arrow still opens its evidence with a plain click.
    await page.locator('path.edge-hit').first().click({ force: true });
    await page.getByTestId('edge-evidence').waitFor();
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('the namespace summary map starts fitted and zooms with its buttons', async () => {
    const page = await open('#/map');
    await page.getByTestId('namespace-map').waitFor();
    const fitted = await view(page);
    expect(await outside(page, 'g.ns-node circle')).toMatchObject({ outside: 0 });
    await page.getByTestId('map-zoom-in').click();
    expect((await view(page)).k).toBeGreaterThan(fitted.k);
    await page.getByTestId('map-fit').click();
    expect(await view(page)).toEqual(fitted);
    await page.close();
  });
});
