import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, employeeForm, listDocumentKeys, pdfBytes, startApp, testConfig } from './support/test-app.ts';
import type { EmployeeJson, RunningApp } from './support/test-app.ts';
import { signedIn } from './support/sign-in.ts';

let aws: LocalAws;
let api: RunningApp;

beforeAll(async () => {
  aws = await startLocalAws();
  const tenant = await createTenantStorage(aws);
  api = await startApp(aws, testConfig(aws, tenant));
});

afterAll(async () => {
  await api?.close();
  await aws?.stop();
});

const jane = { firstName: 'Jane', lastName: 'Doe', role: 'Nurse', salary: '85000' };

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: signedIn() });
  return { status: response.status, body: (await response.json()) as T };
}

async function send(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
  const headers = { ...signedIn(), ...extraHeaders };
  const init: RequestInit =
    body instanceof FormData
      ? { method, body, headers }
      : body === undefined
        ? { method, headers }
        : { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  const response = await fetch(`${api.baseUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('POST /api/employees', () => {
  it('creates an employee with the PDF stored in the bucket', async () => {
    const created = await createEmployee(api, jane, pdfBytes('jane'));

    expect(created).toMatchObject({ firstName: 'Jane', lastName: 'Doe', role: 'Nurse', salary: 85000, version: 1 });
    expect(created.document).toMatchObject({ fileName: 'id-scan.pdf', sizeBytes: pdfBytes('jane').length });
    expect(await listDocumentKeys(api)).toContainEqual(expect.stringContaining(`employees/${created.id}/`));
    expect((await getJson<EmployeeJson>(`/api/employees/${created.id}`)).body).toEqual(created);
  });

  it('answers 400 naming every field to fix, and stores nothing', async () => {
    const before = await listDocumentKeys(api);
    const response = await send(
      'POST',
      '/api/employees',
      employeeForm({ firstName: ' ', lastName: 'Doe', role: 'Nurse', salary: 'lots' }, { bytes: pdfBytes('x') }),
    );

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      error: { code: 'validation_failed', fields: { firstName: 'First name is required', salary: expect.stringContaining('such as 85000') } },
    });
    expect(await listDocumentKeys(api)).toEqual(before);
  });

  it('requires the scanned ID', async () => {
    const response = await send('POST', '/api/employees', employeeForm(jane));
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { fields: { document: 'Attach the scanned ID as a PDF file' } } });
  });

  it('refuses a file that is not a PDF by its content, whatever its name and type, with 415', async () => {
    const before = await listDocumentKeys(api);
    const form = employeeForm(jane);
    form.append('document', new Blob(['GIF89a not a pdf'], { type: 'application/pdf' }), 'scan.pdf');
    const response = await send('POST', '/api/employees', form);

    expect(response.status).toBe(415);
    expect(response.json).toMatchObject({ error: { code: 'unsupported_media_type', message: expect.stringContaining('PDF') } });
    expect(await listDocumentKeys(api)).toEqual(before);
  });

  it('answers 400 with a hint when the body is not multipart', async () => {
    const response = await send('POST', '/api/employees', jane);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'validation_failed', message: expect.stringContaining('multipart/form-data') } });
  });
});

describe('upload size limit', () => {
  let small: RunningApp;
  const limit = 100 * 1024;

  beforeAll(async () => {
    small = await startApp(aws, { ...api.config, maxUploadBytes: limit });
  });
  afterAll(async () => small?.close());

  it('refuses a PDF over the limit with 413 while streaming, and stores nothing', async () => {
    const before = await listDocumentKeys(small);
    const response = await fetch(`${small.baseUrl}/api/employees`, {
      method: 'POST',
      headers: signedIn(),
      body: employeeForm(jane, { bytes: pdfBytes('big', limit + 1) }),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large', message: 'document must be at most 100 KB' } });
    expect(await listDocumentKeys(small)).toEqual(before);
  });

  it('refuses a body declared far over the limit with 413 before reading it', async () => {
    const response = await fetch(`${small.baseUrl}/api/employees`, {
      method: 'POST',
      headers: signedIn(),
      body: employeeForm(jane, { bytes: pdfBytes('huge', 4 * limit) }),
    });
    expect(response.status).toBe(413);
  });

  it('accepts a PDF of exactly the limit', async () => {
    const bytes = pdfBytes('exact', limit - pdfBytes('exact').length);
    expect(bytes.length).toBe(limit);
    const created = await createEmployee(small, jane, bytes);
    expect(created.document?.sizeBytes).toBe(limit);
  });

  it('streams a PDF larger than one S3 part, and drops the parts of one over the limit', async () => {
    const large = await startApp(aws, { ...api.config, maxUploadBytes: 6 * 1024 * 1024 });
    try {
      const created = await createEmployee(large, jane, pdfBytes('large', 5.5 * 1024 * 1024));
      const download = await fetch(`${large.baseUrl}/api/employees/${created.id}/document`, { headers: signedIn() });
      expect((await download.arrayBuffer()).byteLength).toBe(created.document?.sizeBytes);

      const before = await listDocumentKeys(large);
      const response = await fetch(`${large.baseUrl}/api/employees`, {
        method: 'POST',
        headers: signedIn(),
        body: employeeForm(jane, { bytes: pdfBytes('over', 6 * 1024 * 1024) }),
      });
      expect(response.status).toBe(413);
      expect(await listDocumentKeys(large)).toEqual(before);
    } finally {
      await large.close();
    }
  });
});

describe('GET /api/employees/:id/document', () => {
  it('redirects to a presigned URL valid at most 5 minutes that returns the same bytes', async () => {
    const bytes = pdfBytes('download me', 2000);
    const created = await createEmployee(api, jane, bytes);

    const redirect = await fetch(`${api.baseUrl}${created.document?.url}`, { redirect: 'manual', headers: signedIn() });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location') ?? '');
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);

    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('PUT and PATCH /api/employees/:id', () => {
  it('PATCH with JSON changes only the given fields and keeps the PDF', async () => {
    const created = await createEmployee(api, jane);
    const response = await send('PATCH', `/api/employees/${created.id}`, { role: 'Head Nurse', salary: 91000.5 });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ firstName: 'Jane', role: 'Head Nurse', salary: 91000.5, version: 2, document: created.document });
  });

  it('PUT requires every field', async () => {
    const created = await createEmployee(api, jane);
    const response = await send('PUT', `/api/employees/${created.id}`, { firstName: 'Janet' });

    expect(response.status).toBe(400);
    expect(Object.keys((response.json?.error as { fields: object }).fields).sort()).toEqual(['lastName', 'role', 'salary']);
  });

  it('rejects fields the API does not have', async () => {
    const created = await createEmployee(api, jane);
    const response = await send('PATCH', `/api/employees/${created.id}`, { fristName: 'Typo' });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { fields: { fristName: expect.stringContaining('is not a field') } } });
  });

  it('a multipart update with a new PDF replaces the old object', async () => {
    const created = await createEmployee(api, jane, pdfBytes('old'));
    const oldKeys = (await listDocumentKeys(api)).filter((key) => key.includes(created.id));
    const newBytes = pdfBytes('new scan', 500);

    const response = await send('PUT', `/api/employees/${created.id}`, employeeForm({ ...jane, lastName: 'Smith' }, { bytes: newBytes, fileName: 'new.pdf' }));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ lastName: 'Smith', document: { fileName: 'new.pdf', sizeBytes: newBytes.length } });

    const keys = (await listDocumentKeys(api)).filter((key) => key.includes(created.id));
    expect(keys).toHaveLength(1);
    expect(keys).not.toEqual(oldKeys);
    const download = await fetch(`${api.baseUrl}/api/employees/${created.id}/document`, { headers: signedIn() });
    expect(Buffer.from(await download.arrayBuffer()).equals(newBytes)).toBe(true);
  });

  it('answers 404 for an unknown employee', async () => {
    const response = await send('PATCH', '/api/employees/00000000-0000-0000-0000-000000000000', { role: 'x' });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('DELETE /api/employees/:id', () => {
  it('deletes the record and its PDF object', async () => {
    const created = await createEmployee(api, jane);
    expect((await listDocumentKeys(api)).some((key) => key.includes(created.id))).toBe(true);

    expect((await send('DELETE', `/api/employees/${created.id}`)).status).toBe(204);
    expect((await getJson(`/api/employees/${created.id}`)).status).toBe(404);
    expect((await listDocumentKeys(api)).some((key) => key.includes(created.id))).toBe(false);
    expect((await send('DELETE', `/api/employees/${created.id}`)).status).toBe(404);
  });
});

describe('Origin check', () => {
  it('refuses a request from a foreign origin with 403', async () => {
    const response = await send('POST', '/api/employees', employeeForm(jane, { bytes: pdfBytes('x') }), { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ error: { code: 'forbidden_origin' } });
  });

  it('refuses the opaque "null" origin', async () => {
    expect((await send('GET', '/api/employees', undefined, { origin: 'null' })).status).toBe(403);
  });

  it("allows the app's own origin and requests without Origin", async () => {
    expect((await send('GET', '/api/employees', undefined, { origin: api.baseUrl })).status).toBe(200);
    expect((await send('GET', '/api/employees')).status).toBe(200);
  });
});

describe('GET /api/employees', () => {
  it('answers 400 for a limit out of range or a cursor it did not issue', async () => {
    expect((await send('GET', '/api/employees?limit=0')).json).toMatchObject({ error: { code: 'validation_failed', fields: { limit: expect.any(String) } } });
    expect((await send('GET', '/api/employees?limit=abc')).status).toBe(400);
    expect((await send('GET', '/api/employees?cursor=bm9wZQ')).json).toMatchObject({ error: { code: 'invalid_cursor' } });
    expect((await send('GET', '/api/employees?cursor=%%%')).status).toBe(400);
  });
});

describe('PATCH /api/employees/:id without changes', () => {
  it('answers 400 saying what to send', async () => {
    const created = await createEmployee(api, jane);
    const response = await send('PATCH', `/api/employees/${created.id}`, {});
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { fields: { body: expect.stringContaining('at least one of') } } });
  });
});
