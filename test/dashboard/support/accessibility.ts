/**
 * Accessibility checks shared by the browser tests of the dashboard and of the app: axe-core
 * at WCAG 2.1 A and AA, and what a keyboard user meets (where focus is, and whether it shows).
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Each violation as "rule-id: target, target (help)", one a line; empty when axe finds none. */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')} (${violation.help})`);
}

export interface FocusedElement {
  /** tag#id or tag.class, plus its accessible text, to name the tab stop in a failure. */
  readonly name: string;
  readonly id: string;
  /** Whether a focus indicator is drawn: an outline or a box shadow. */
  readonly visible: boolean;
  readonly inViewport: boolean;
}

export async function focused(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { name: 'body', id: '', visible: false, inViewport: false };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    const box = element.getBoundingClientRect();
    // Only links and buttons are named by their text; a select's or a region's text is its content.
    const named = element.tagName === 'A' || element.tagName === 'BUTTON';
    const label = element.getAttribute('aria-label') ?? (named ? element.textContent?.trim() : '') ?? '';
    const text = (label || (named ? element.querySelector('img')?.alt : '') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const classes = typeof element.className === 'string' && element.className ? `.${element.className.split(' ')[0]}` : '';
    return {
      name: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : classes}${text ? ` "${text}"` : ''}`,
      id: element.id,
      visible: outline || shadow,
      inViewport: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    };
  });
}

/** Presses Tab `count` times and returns each element reached. */
export async function tabThrough(page: Page, count: number): Promise<FocusedElement[]> {
  const stops: FocusedElement[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
  }
  return stops;
}
