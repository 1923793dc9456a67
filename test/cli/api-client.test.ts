import { describe, expect, it } from '@jest/globals';
import { ApiClient } from '../../src/cli/api-client.ts';
import { ApiResponseError, ApiUnreachableError, AwsCredentialsError, UsageError } from '../../src/cli/errors.ts';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records what it is sent and answers from a script, one answer per call. */
function fakeFetch(answers: (() => Response)[]): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchFn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    const answer = answers.shift();
    if (!answer) throw new Error('the test sent more requests than it scripted');
    return answer();
  }) as typeof fetch;
  return { fetch: fetchFn, sent };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const now = () => new Date('2026-01-31T09:08:07Z');

describe('ApiClient', () => {
  it('follows nextCursor until the listing ends', async () => {
    const { fetch, sent } = fakeFetch([
      json(200, { items: [{ tenantId: 'ca' }], nextCursor: 'abc' }),
      json(200, { items: [{ tenantId: 'ny' }], nextCursor: null }),
    ]);
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:3000', fetch });
    const tenants = await client.listTenants();
    expect(tenants.map((t) => t.tenantId)).toEqual(['ca', 'ny']);
    expect(sent.map((s) => s.url)).toEqual(['http://127.0.0.1:3000/tenants', 'http://127.0.0.1:3000/tenants?cursor=abc']);
  });

  it('sends a new tenant as JSON and asks DELETE to purge only when told to', async () => {
    const { fetch, sent } = fakeFetch([json(201, { tenantId: 'ca' }), json(202, {}), json(202, {})]);
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:3000', fetch });
    await client.addTenant({ tenantId: 'ca', desiredCount: 3, canary: true });
    await client.removeTenant('ca');
    await client.removeTenant('ca', { purge: true });
    expect(sent[0]).toMatchObject({
      method: 'POST',
      body: '{"tenantId":"ca","desiredCount":3,"canary":true}',
      headers: { 'content-type': 'application/json' },
    });
    expect(sent.slice(1).map((s) => `${s.method} ${s.url}`)).toEqual([
      'DELETE http://127.0.0.1:3000/tenants/ca',
      'DELETE http://127.0.0.1:3000/tenants/ca?purge=true',
    ]);
  });

  it('does not sign requests to a local control plane', async () => {
    const { fetch, sent } = fakeFetch([json(200, { status: 'ok' })]);
    await new ApiClient({ baseUrl: 'http://127.0.0.1:3000', fetch, credentials: () => Promise.reject(new Error('must not be asked')) }).health();
    expect(sent[0]?.headers).not.toHaveProperty('authorization');
  });

  it("signs every request to an execute-api URL for the host's region, keeping the stage path", async () => {
    const { fetch, sent } = fakeFetch([json(200, { items: [], nextCursor: null })]);
    const client = new ApiClient({ baseUrl: 'https://abc123.execute-api.eu-west-2.amazonaws.com/dev/', fetch, credentials, now, defaultRegion: 'us-east-1' });
    await client.listTenants();
    expect(sent[0]?.url).toBe('https://abc123.execute-api.eu-west-2.amazonaws.com/dev/tenants');
    expect(sent[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260131\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=accept;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(sent[0]?.headers['x-amz-date']).toBe('20260131T090807Z');
  });

  it('signs for --region over the region the host names', () => {
    const client = new ApiClient({ baseUrl: 'https://abc123.execute-api.eu-west-2.amazonaws.com', region: 'eu-central-1', credentials, now });
    expect(client.signingRegion).toBe('eu-central-1');
  });

  it('asks for --region when an execute-api host names none and AWS_REGION is unset', () => {
    expect(() => new ApiClient({ baseUrl: 'https://vpce-0abc.execute-api.internal', credentials })).toThrow(UsageError);
  });

  it('explains SigV4 credentials and permissions when AWS answers 403', async () => {
    const { fetch } = fakeFetch([json(403, { message: 'Forbidden' })]);
    const client = new ApiClient({ baseUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com', fetch, credentials, now });
    const error = await client.listTenants().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiResponseError);
    expect((error as Error).message).toMatch(/AWS refused the request \(403: Forbidden\).*SigV4.*us-east-1.*execute-api:Invoke/);
  });

  it('says how to configure credentials when the AWS chain finds none', async () => {
    const client = new ApiClient({
      baseUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com',
      credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
    });
    await expect(client.listTenants()).rejects.toThrow(AwsCredentialsError);
    await expect(client.listTenants()).rejects.toThrow(/Could not load credentials.*aws sso login/);
  });

  it("shows the API's own error message and code for a 4xx", async () => {
    const { fetch } = fakeFetch([json(409, { error: { code: 'TENANT_EXISTS', message: 'tenant "ca" already exists' } })]);
    const error = await new ApiClient({ baseUrl: 'http://127.0.0.1:3000', fetch }).addTenant({ tenantId: 'ca' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'TENANT_EXISTS', message: 'tenant "ca" already exists' });
  });

  it('says when the answer is not the status API at all', async () => {
    const { fetch } = fakeFetch([() => new Response('<html>Bad Gateway</html>', { status: 502 })]);
    await expect(new ApiClient({ baseUrl: 'http://127.0.0.1:3000', fetch }).listTenants()).rejects.toThrow(/unexpected answer .*HTTP 502.*Bad Gateway/);
  });

  it('points at `npm start` when nothing listens locally', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const error = await new ApiClient({ baseUrl: 'http://127.0.0.1:3999', fetch: refused }).listTenants().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toBe('no control plane at http://127.0.0.1:3999 (connection refused): start it with `npm start` (or pass --api)');
  });
});
