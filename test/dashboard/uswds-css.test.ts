/**
 * The dashboard's USWDS stylesheet is generated (scripts/dashboard-css.ts) and checked in, since
 * the Lambda bundle carries no files: these tests hold the checked-in module to its source.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { dashboardCssModule, GENERATED } from '../../scripts/dashboard-css.ts';
import { USWDS_CSS } from '../../src/api/dashboard/uswds-css.ts';

describe('the dashboard stylesheet', () => {
  it('is what scripts/dashboard-css.ts makes of uswds.scss (run npm run build:dashboard-css after changing it)', async () => {
    expect(await readFile(GENERATED, 'utf8')).toBe(await dashboardCssModule());
  }, 60_000);

  it('refers to no file, only to data: URIs, which the dashboard CSP allows for images', () => {
    const references = [...USWDS_CSS.matchAll(/url\(\s*"?([^")]*)"?\s*\)/g)].map((match) => match[1] ?? '');
    expect(references.filter((reference) => reference !== '' && !reference.startsWith('data:image/svg+xml;base64,'))).toEqual([]);
  });

  it('holds the USWDS components the page uses, and stays under 160 KB', () => {
    for (const component of ['.usa-header', '.usa-skipnav', '.usa-table--stacked-header', '.usa-alert--error', '.usa-identifier', '.usa-select']) {
      expect(USWDS_CSS).toContain(component);
    }
    expect(Buffer.byteLength(USWDS_CSS)).toBeLessThan(160 * 1024);
  });
});
