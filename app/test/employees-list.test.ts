import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, startApp, testConfig } from './support/test-app.ts';
import type { EmployeeJson, RunningApp } from './support/test-app.ts';

let aws: LocalAws;
let api: RunningApp;

// Chosen so that prefixes hit first names, last names and both at once.
const people = [
  ['Ana', 'Smith'],
  ['Smitty', 'Jones'],
  ['Bob', 'smithers'],
  ['Smith', 'Smithson'],
  ['Carla', 'Anders'],
  ['Dan', 'Van'],
  ['Eve', 'Van Buren'],
  ['Frank', 'Zed'],
  ['anabel', 'Young'],
] as const;

beforeAll(async () => {
  aws = await startLocalAws();
  api = await startApp(aws, testConfig(aws, await createTenantStorage(aws)));
  for (const [firstName, lastName] of people) await createEmployee(api, { firstName, lastName, role: 'Clerk', salary: '50000' });
});

afterAll(async () => {
  await api?.close();
  await aws?.stop();
});

interface ListBody {
  items: EmployeeJson[];
  nextCursor: string | null;
}

async function page(query: string): Promise<ListBody> {
  const response = await fetch(`${api.baseUrl}/api/employees?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ListBody;
}

/** Follows nextCursor to the end, checking every page respects the limit. */
async function allPages(query: string, limit: number): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const body: ListBody = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(body.items.length).toBeLessThanOrEqual(limit);
    names.push(...body.items.map((item) => `${item.firstName} ${item.lastName}`));
    cursor = body.nextCursor;
    pages += 1;
  } while (cursor);
  return { names, pages };
}

describe('listing employees', () => {
  it('lists everyone in last-name order, case-insensitively, "Van" before "Van Buren"', async () => {
    const { items, nextCursor } = await page('limit=100');
    expect(items.map((item) => item.lastName)).toEqual(['Anders', 'Jones', 'Smith', 'smithers', 'Smithson', 'Van', 'Van Buren', 'Young', 'Zed']);
    expect(nextCursor).toBeNull();
  });

  it('pages with an opaque cursor, without repeats or gaps, and offers no empty last page', async () => {
    const { names, pages } = await allPages('', 2);
    expect(names).toHaveLength(people.length);
    expect(new Set(names).size).toBe(people.length);
    expect(pages).toBe(Math.ceil(people.length / 2));
    const first = await page('limit=3');
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('pages exactly when the limit divides the count', async () => {
    const { pages } = await allPages('', 3);
    expect(pages).toBe(3);
  });
});

describe('searching employees', () => {
  it('matches the start of a last name in any letter case', async () => {
    const { items } = await page('q=SMITHE');
    expect(items.map((item) => item.lastName)).toEqual(['smithers']);
  });

  it('matches first or last names, listing someone who matches both only once', async () => {
    const { items } = await page('q=smit');
    expect(items.map((item) => `${item.firstName} ${item.lastName}`)).toEqual(['Ana Smith', 'Bob smithers', 'Smith Smithson', 'Smitty Jones']);
  });

  it('matches first names case-insensitively', async () => {
    const { items } = await page('q=ANA');
    expect(items.map((item) => item.firstName).sort()).toEqual(['Ana', 'anabel']);
  });

  it('pages through the union of first- and last-name matches without duplicates', async () => {
    for (const limit of [1, 2, 3]) {
      const { names } = await allPages('q=smit', limit);
      expect(names).toEqual(['Ana Smith', 'Bob smithers', 'Smith Smithson', 'Smitty Jones']);
    }
  });

  it('finds nothing for a prefix nobody has', async () => {
    expect(await page('q=xyz')).toEqual({ items: [], nextCursor: null });
  });
});
