/**
 * The pages' one script, served from the app (the CSP allows scripts from this origin only):
 * the USWDS behaviours the pages use (the header's menu on small screens, the skip link),
 * times in the viewer's zone, and focus on a form's error summary so that a screen reader
 * announces what to fix and a keyboard user starts from the list of links to each field.
 */
import header from '@uswds/uswds/js/usa-header';
import skipnav from '@uswds/uswds/js/usa-skipnav';
import { formatInstant } from '../views/time.ts';

function localTimes(root: ParentNode): void {
  for (const element of Array.from(root.querySelectorAll<HTMLTimeElement>('time[data-local]'))) {
    const text = formatInstant(element.dateTime, undefined);
    if (text !== element.dateTime) element.textContent = text;
  }
}

function focusOnLoad(root: ParentNode): void {
  root.querySelector<HTMLElement>('[data-focus-on-load]')?.focus();
}

function start(): void {
  header.on(document.body);
  skipnav.on(document.body);
  localTimes(document);
  focusOnLoad(document);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
