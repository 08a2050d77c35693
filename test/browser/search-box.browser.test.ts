// The dashboard's one search field (src/web/search-box.ts) alone on a blank page in Debian's
// Chromium: its accessible name and attributes, what it hands on for typing, deleting, Escape,
// filling and its initial value, and markup kept as text. search-pages.browser.test.ts has each
// page's use of it against the real daemon.
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { skipWhenMissing } from '../ci-tools.js';
import { browserSuite } from './dashboard-suite.js';
import { CHROMIUM_MISSING, hasChromium, webModuleScript } from './harness.js';

// Serialised into the page (the suite is type-checked without the DOM lib): the box under test,
// mounted on a blank page before a button, recording what it hands on in window.searched.
const MOUNT = `(options) => {
  window.searched = [];
  const box = searchBoxModule.searchBox({ ...options, onSearch: (text) => window.searched.push(text) });
  document.body.append(box, Object.assign(document.createElement('button'), { textContent: 'after' }));
}`;

const isFocused = (box: Locator): Promise<boolean> =>
  box.evaluate(
    (el: unknown) => el === (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
  );

describe.skipIf(skipWhenMissing(hasChromium, CHROMIUM_MISSING))('the search field alone (Chromium)', () => {
  const suite = browserSuite('npa-browser-search-box-');
  let script: string;
  beforeAll(async () => {
    script = await webModuleScript('src/web/search-box.ts', 'searchBoxModule');
  });

  async function mounted(options: Record<string, string>): Promise<{ page: Page; box: Locator }> {
    const page = await suite.context.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: script });
    await page.evaluate(`(${MOUNT})(${JSON.stringify(options)})`);
    return { page, box: page.getByRole('searchbox', { name: options['label'] ?? '' }) };
  }
  const searched = (page: Page): Promise<string[]> => page.evaluate<string[]>('window.searched');

  it('is a named search field with its placeholder, form name, test id and initial text', async () => {
    const { page, box } = await mounted({
      label: 'Find a thing',
      placeholder: 'Type a thing…',
      name: 'thing',
      testId: 'thing-search',
      value: 'from the URL',
    });
    expect(await box.count()).toBe(1);
    await expect(box.getAttribute('type')).resolves.toBe('search');
    await expect(box.getAttribute('placeholder')).resolves.toBe('Type a thing…');
    await expect(box.getAttribute('name')).resolves.toBe('thing');
    await expect(box.getAttribute('data-testid')).resolves.toBe('thing-search');
    await expect(box.inputValue()).resolves.toBe('from the URL');
    // The initial text is the caller's state already: nothing handed on for it.
    await expect(searched(page)).resolves.toEqual([]);
    await page.close();
  });

  it('leaves out the attributes it is not given', async () => {
    const { page, box } = await mounted({ label: 'Find', placeholder: 'Find' });
    for (const attribute of ['name', 'data-testid', 'value'])
      await expect(box.getAttribute(attribute), attribute).resolves.toBeNull();
    await expect(box.inputValue()).resolves.toBe('');
    await page.close();
  });

  it('hands on every keystroke trimmed, case kept; Escape empties it and hands on ""', async () => {
    const { page, box } = await mounted({ label: 'Find', placeholder: 'Find' });
    await page.keyboard.press('Tab');
    await expect(isFocused(box)).resolves.toBe(true);
    await page.keyboard.type(' Ab ');
    await expect(searched(page)).resolves.toEqual(['', 'A', 'Ab', 'Ab']);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await expect(searched(page)).resolves.toEqual(['', 'A', 'Ab', 'Ab', 'Ab', 'A']);
    await page.keyboard.press('Escape');
    await expect(box.inputValue()).resolves.toBe('');
    await expect(searched(page)).resolves.toEqual(['', 'A', 'Ab', 'Ab', 'Ab', 'A', '']);
    // Escape on an empty field changes nothing, so hands on nothing.
    await page.keyboard.press('Escape');
    await expect(searched(page).then((s) => s.length)).resolves.toBe(7);
    // Tab leaves it for what follows: the field traps no key.
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('after');
    await page.close();
  });

  it('takes pasted or filled text whole, markup as text', async () => {
    const { page, box } = await mounted({ label: 'Find', placeholder: 'Find' });
    await box.fill('  <img src=x onerror=alert(1)>  ');
    await expect(searched(page)).resolves.toEqual(['<img src=x onerror=alert(1)>']);
    expect(await page.locator('img').count()).toBe(0);
    await box.fill('');
    await expect(searched(page)).resolves.toEqual(['<img src=x onerror=alert(1)>', '']);
    await page.close();
  });
});
