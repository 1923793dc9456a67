import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { CsrfTokens } from '../src/csrf.ts';
import { CsrfError } from '../src/errors.ts';
import { EMPLOYEES_TABLE, BY_FIRST_NAME_INDEX, BY_LAST_NAME_INDEX } from '../src/employees-table.ts';
import { parseEmployeeFields, searchableName } from '../src/employee.ts';
import { employeeFormPage, employeeListPage, formatSalary, homePage } from '../src/views/employee-pages.ts';
import { formatInstant } from '../src/views/time.ts';
import { ValidationError } from '../src/errors.ts';
import { Signer } from '../src/signing.ts';
import { html, trustedHtml } from '../src/views/html.ts';

describe('html template', () => {
  it('escapes every interpolation, in text and in attributes', () => {
    const name = `<b onclick="x">O'Neil & co</b>`;
    expect(html`<p title="${name}">${name}</p>`.html).toBe(
      '<p title="&lt;b onclick=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/b&gt;">&lt;b onclick=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/b&gt;</p>',
    );
  });

  it('keeps nested templates and explicitly trusted markup, and renders nothing for null, undefined and false', () => {
    expect(html`<ul>${['<a>', 'b'].map((item) => html`<li>${item}</li>`)}</ul>${trustedHtml('<hr>')}${null}${undefined}${false}`.html).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul><hr>',
    );
  });
});

describe('CsrfTokens', () => {
  const signer = new Signer('a-secret-of-at-least-thirty-two-characters');

  it('accepts its own token for the same nonce', () => {
    const tokens = new CsrfTokens(signer);
    const nonce = tokens.newNonce();
    expect(() => tokens.verify(nonce, tokens.issue(nonce))).not.toThrow();
  });

  it('refuses a token for another nonce, a tampered token and a missing one', () => {
    const tokens = new CsrfTokens(signer);
    const token = tokens.issue('nonce-a');
    expect(() => tokens.verify('nonce-b', token)).toThrow(CsrfError);
    expect(() => tokens.verify('nonce-a', `${token}x`)).toThrow(CsrfError);
    expect(() => tokens.verify('nonce-a', undefined)).toThrow(CsrfError);
    expect(() => tokens.verify(undefined, token)).toThrow(CsrfError);
  });

  it('refuses a token older than two hours', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const tokens = new CsrfTokens(signer, () => now);
    const nonce = tokens.newNonce();
    const token = tokens.issue(nonce);
    now += 2 * 60 * 60 * 1000;
    expect(() => tokens.verify(nonce, token)).not.toThrow();
    now += 1;
    expect(() => tokens.verify(nonce, token)).toThrow(/expired/);
  });

  it('refuses a nonce it did not issue, even with a token issued for it', () => {
    const tokens = new CsrfTokens(signer);
    const issuedElsewhere = new CsrfTokens(new Signer('another-secret-of-at-least-thirty-two-chars')).newNonce();
    expect(() => tokens.verify('client-chosen', tokens.issue('client-chosen'))).toThrow(/not issued by this app/);
    expect(() => tokens.verify(issuedElsewhere, tokens.issue(issuedElsewhere))).toThrow(/not issued by this app/);
  });
});

describe('employee validation', () => {
  it('normalises whitespace and accepts salaries written with $ and commas', () => {
    expect(parseEmployeeFields({ firstName: '  Mary   Ann ', lastName: 'Lee', role: 'Clerk', salary: '$85,000.50' })).toEqual({
      firstName: 'Mary Ann',
      lastName: 'Lee',
      role: 'Clerk',
      salary: 85000.5,
    });
  });

  it('reports each problem by field', () => {
    let error: unknown;
    try {
      parseEmployeeFields({ firstName: 'a\u0001b', lastName: 'x'.repeat(101), salary: -1 });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fields).sort()).toEqual(['firstName', 'lastName', 'role', 'salary']);
  });
});

describe('employees table definition', () => {
  it('imports nothing but types, so the control plane can import the file as it is', async () => {
    const source = await readFile(new URL('../src/employees-table.ts', import.meta.url), 'utf8');
    const imports = source.split('\n').filter((line) => /^\s*import\b/.test(line));
    expect(imports.length).toBeGreaterThan(0);
    for (const line of imports) expect(line).toMatch(/^import type /);
  });

  it('is a pay-per-request table keyed on id with the two name indexes', () => {
    expect(EMPLOYEES_TABLE.BillingMode).toBe('PAY_PER_REQUEST');
    expect(EMPLOYEES_TABLE.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(EMPLOYEES_TABLE.GlobalSecondaryIndexes.map((index) => index.IndexName)).toEqual([BY_LAST_NAME_INDEX, BY_FIRST_NAME_INDEX]);
    for (const index of EMPLOYEES_TABLE.GlobalSecondaryIndexes) expect(index.Projection?.ProjectionType).toBeDefined();
  });
});

describe('searchableName', () => {
  it.each([
    ['García', 'garcia'],
    ["O'Neil", 'oneil'],
    ['O’Neil', 'oneil'],
    ['Smith-Jones', 'smith jones'],
    ['St. John', 'st john'],
    ['  Mary   Ann ', 'mary ann'],
    ['Strauß', 'strauss'],
    ['Øberg', 'oberg'],
    ['Nguyễn', 'nguyen'],
    ['ＡＢＣ', 'abc'],
  ])('folds %s to %s', (name, folded) => expect(searchableName(name)).toBe(folded));

  it('never leaves the sort-key separator or another control character in a key', () => {
    expect(searchableName('a\u0001b\u0000c')).toBe('abc');
  });
});

describe('what the pages show', () => {
  it('shows salaries in dollars and cents', () => {
    expect([61250.5, 85000, 0.1, 100_000_000].map(formatSalary)).toEqual(['$61,250.50', '$85,000.00', '$0.10', '$100,000,000.00']);
  });

  it('names the zone of every time it shows', () => {
    expect(formatInstant('2026-03-05T20:04:00Z', 'UTC')).toBe('Mar 5, 2026, 8:04 PM UTC');
    expect(formatInstant('2026-03-05T20:04:00Z', 'America/New_York')).toBe('Mar 5, 2026, 3:04 PM EST');
    expect(formatInstant('2026-07-05T20:04:00Z', 'America/Los_Angeles')).toBe('Jul 5, 2026, 1:04 PM PDT');
  });
});

describe('page templates', () => {
  const context = { usState: 'California', tenantId: 'ca', path: '/', stylesheetUrl: '/assets/a.css', scriptUrl: '/assets/a.js' };

  // V8 keeps a string of Latin-1 characters in one byte a character; a single character beyond
  // makes the whole page a two-byte string, which bench:app measured as 50 % more CPU per home page.
  it('write every character beyond Latin-1 as an entity, so a page of Latin-1 data stays a one-byte string', () => {
    const pages = [
      homePage(context),
      employeeListPage(context, { employees: [], nextPageHref: undefined, isFirstPage: true, searchText: 'garcia' }),
      employeeFormPage(context, {
        csrfToken: 't',
        employee: undefined,
        values: {},
        errors: { firstName: 'First name is required', _form: 'x' },
        maxUploadBytes: 1024,
      }),
    ];
    for (const page of pages) expect([...page.html].filter((character) => character.charCodeAt(0) > 0xff)).toEqual([]);
  });
});
