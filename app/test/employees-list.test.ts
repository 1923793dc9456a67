import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../test/support/eventually.ts';
import { documentClient } from '../src/aws-clients.ts';
import { EmployeeRepository } from '../src/employee-repository.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, startApp, testConfig } from './support/test-app.ts';
import type { EmployeeJson, RunningApp } from './support/test-app.ts';
import { signedIn } from './support/sign-in.ts';

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
  ['María', 'García'],
  ['Sean', "O'Neil"],
  ['Ana', 'Smith-Jones'],
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
  const response = await fetch(`${api.baseUrl}/api/employees?${query}`, { headers: signedIn() });
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
    expect(items.map((item) => item.lastName)).toEqual([
      'Anders',
      'García',
      'Jones',
      "O'Neil",
      'Smith',
      'Smith-Jones',
      'smithers',
      'Smithson',
      'Van',
      'Van Buren',
      'Young',
      'Zed',
    ]);
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
    expect(people.length % 3).toBe(0);
    const { pages } = await allPages('', 3);
    expect(pages).toBe(people.length / 3);
  });
});

describe('searching employees', () => {
  it('matches the start of a last name in any letter case', async () => {
    const { items } = await page('q=SMITHE');
    expect(items.map((item) => item.lastName)).toEqual(['smithers']);
  });

  it('matches first or last names, listing someone who matches both only once', async () => {
    const { items } = await page('q=smit');
    expect(items.map((item) => `${item.firstName} ${item.lastName}`)).toEqual([
      'Ana Smith',
      'Ana Smith-Jones',
      'Bob smithers',
      'Smith Smithson',
      'Smitty Jones',
    ]);
  });

  it('matches first names case-insensitively', async () => {
    const { items } = await page('q=ANA');
    expect(items.map((item) => item.firstName).sort()).toEqual(['Ana', 'Ana', 'anabel']);
  });

  it('pages through the union of first- and last-name matches without duplicates', async () => {
    for (const limit of [1, 2, 3]) {
      const { names } = await allPages('q=smit', limit);
      expect(names).toEqual(['Ana Smith', 'Ana Smith-Jones', 'Bob smithers', 'Smith Smithson', 'Smitty Jones']);
    }
  });

  it("folds accents and punctuation both ways: garcia finds García, García finds garcia, oneil finds O'Neil", async () => {
    const found = async (q: string) => (await page(`q=${encodeURIComponent(q)}`)).items.map((item) => `${item.firstName} ${item.lastName}`);
    expect(await found('garcia')).toEqual(['María García']);
    expect(await found('GARCÍA')).toEqual(['María García']);
    expect(await found('maria')).toEqual(['María García']);
    expect(await found('oneil')).toEqual(["Sean O'Neil"]);
    expect(await found('O’Neil')).toEqual(["Sean O'Neil"]);
    expect(await found('smith jones')).toEqual(['Ana Smith-Jones']);
  });

  it('finds nothing for a prefix nobody has', async () => {
    expect(await page('q=xyz')).toEqual({ items: [], nextCursor: null });
  });
});

describe('records written before search folded accents and punctuation', () => {
  /** As the previous version of the app wrote it: keys only lowercased. */
  async function writeLegacy(firstName: string, lastName: string): Promise<string> {
    const id = randomUUID();
    const at = new Date().toISOString();
    await documentClient(api.clients.dynamodb).send(
      new PutCommand({
        TableName: api.config.tableName,
        Item: {
          id,
          entity: 'employee',
          firstName,
          lastName,
          role: 'Clerk',
          salary: 50000,
          lastFirstLower: `${lastName.toLowerCase()}\u0001${firstName.toLowerCase()}`,
          firstLastLower: `${firstName.toLowerCase()}\u0001${lastName.toLowerCase()}`,
          createdAt: at,
          updatedAt: at,
          version: 1,
        },
      }),
    );
    return id;
  }

  it('are re-indexed once, and a second run changes nothing', async () => {
    await writeLegacy('Zoë', "D'Amato");
    expect((await page('q=damato')).items).toEqual([]);
    const repository = new EmployeeRepository(documentClient(api.clients.dynamodb), api.config.tableName);

    const first = await repository.reindexNames();
    const second = await repository.reindexNames();

    expect(first.updated).toBe(1);
    expect(second).toEqual({ checked: first.checked, updated: 0 });
    expect((await page('q=damato')).items.map((item) => item.firstName)).toEqual(['Zoë']);
    expect((await page('q=zoe')).items.map((item) => item.lastName)).toEqual(["D'Amato"]);
  });

  it('are re-indexed by a replica when it starts listening, without being changed otherwise', async () => {
    const id = await writeLegacy('Renée', 'Lévesque');
    const replica = await startApp(aws, api.config);
    try {
      await eventually(async () => expect((await page('q=levesque')).items.map((item) => item.id)).toEqual([id]));
      const record = (await (await fetch(`${api.baseUrl}/api/employees/${id}`, { headers: signedIn() })).json()) as EmployeeJson;
      expect(record).toMatchObject({ firstName: 'Renée', lastName: 'Lévesque', version: 1 });
    } finally {
      await replica.close();
    }
  });
});
