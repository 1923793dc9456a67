import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { isExecuteApiUrl, regionOfHost, signedHeaders } from '../../src/cli/sigv4.ts';

/** The credentials and clock of AWS's Signature Version 4 test suite. */
const SUITE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
  now: new Date('2015-08-30T12:36:00Z'),
};

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * SigV4 written out from AWS's documentation ("Create a signed AWS API
 * request"), independently of the SDK's signer: canonical request → string to
 * sign → signing key derived from the date, region and service → signature.
 */
function expectedAuthorization(request: {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: string;
  secretAccessKey: string;
  accessKeyId: string;
  region: string;
  service: string;
  amzDate: string;
}): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const names = Object.keys(request.headers)
    .map((n) => n.toLowerCase())
    .sort();
  const canonicalHeaders = names.map((n) => `${n}:${(request.headers[n] ?? '').trim()}\n`).join('');
  const canonicalQuery = request.query
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // Every path segment URI-encoded twice, as for every service but S3 (the path given is already encoded once).
  const canonicalPath = request.path.split('/').map(encode).join('/');
  const canonicalRequest = [request.method, canonicalPath, canonicalQuery, canonicalHeaders, names.join(';'), sha256(request.body)].join('\n');
  const day = request.amzDate.slice(0, 8);
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${request.secretAccessKey}`, day), request.region), request.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${request.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

describe('signedHeaders', () => {
  const GET_VANILLA =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';

  it("matches AWS's published get-vanilla test vector exactly", async () => {
    const headers = await signedHeaders({ method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {} }, SUITE);
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.authorization).toBe(GET_VANILLA);
  });

  it('has a reference implementation that itself reproduces the get-vanilla vector', () => {
    const reference = expectedAuthorization({
      method: 'GET',
      path: '/',
      query: [],
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
      body: '',
      ...SUITE.credentials,
      region: 'us-east-1',
      service: 'service',
      amzDate: '20150830T123600Z',
    });
    expect(reference).toBe(GET_VANILLA);
  });

  it("matches AWS's get-vanilla-query-order-key-case vector: query parameters are signed sorted", async () => {
    const headers = await signedHeaders({ method: 'GET', url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'), headers: {} }, SUITE);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('signs an execute-api POST with a body, a stage path, a query and a session token as the documented algorithm does', async () => {
    const url = new URL('https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com/dev/tenants/new-york?purge=true');
    const body = '{"tenantId":"new-york","desiredCount":2}';
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
    const headers = await signedHeaders(
      { method: 'POST', url, headers: { accept: 'application/json', 'content-type': 'application/json' }, body },
      { credentials, region: 'eu-west-2', service: 'execute-api', now: new Date('2026-01-31T09:08:07.654Z') },
    );

    expect(headers['x-amz-date']).toBe('20260131T090807Z');
    expect(headers['x-amz-security-token']).toBe('session-token-example');
    expect(headers.authorization).toBe(
      expectedAuthorization({
        method: 'POST',
        path: '/dev/tenants/new-york',
        query: [['purge', 'true']],
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          host: 'a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com',
          'x-amz-date': '20260131T090807Z',
          'x-amz-security-token': 'session-token-example',
        },
        body,
        ...credentials,
        region: 'eu-west-2',
        service: 'execute-api',
        amzDate: '20260131T090807Z',
      }),
    );
  });

  it('leaves the host header to fetch, which sends the same value it was signed with', async () => {
    const headers = await signedHeaders(
      { method: 'GET', url: new URL('https://x.execute-api.us-east-1.amazonaws.com/tenants'), headers: {} },
      { ...SUITE, service: 'execute-api' },
    );
    expect(headers).not.toHaveProperty('host');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-date');
  });
});

describe('execute-api URLs', () => {
  it('are recognised, with the region their host names', () => {
    expect(isExecuteApiUrl(new URL('https://abc123.execute-api.us-west-2.amazonaws.com/dev'))).toBe(true);
    expect(regionOfHost('abc123.execute-api.us-west-2.amazonaws.com')).toBe('us-west-2');
    expect(regionOfHost('abc123-vpce-0123.execute-api.us-gov-west-1.vpce.amazonaws.com')).toBe('us-gov-west-1');
  });

  it('are not local URLs or custom domains', () => {
    expect(isExecuteApiUrl(new URL('http://127.0.0.1:3000'))).toBe(false);
    expect(isExecuteApiUrl(new URL('https://api.humangov.example'))).toBe(false);
    expect(regionOfHost('api.humangov.example')).toBeUndefined();
  });
});
