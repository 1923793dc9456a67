/**
 * AWS Signature Version 4 for the status API of a deployed stage (HTTP API
 * with IAM authorisation). The signing itself is @smithy/signature-v4, the
 * SDK's own; this file decides what is signed: the method, path, query, the
 * Host header fetch will send, and the body.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface SigningOptions {
  credentials: AwsCredentials;
  region: string;
  /** `execute-api` for API Gateway. */
  service: string;
  /** The signing time; the request is valid for 15 minutes from it. */
  now: Date;
}

/** `<api-id>.execute-api.<region>.amazonaws.com`, and the VPC endpoint forms of private APIs (`...execute-api.<region>.vpce.amazonaws.com`). */
const EXECUTE_API_HOST = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

/** True for an API Gateway URL: a deployed stage, which wants signed requests. */
export function isExecuteApiUrl(url: URL): boolean {
  return url.hostname.includes('.execute-api.');
}

/** The region an execute-api host names, or undefined. */
export function regionOfHost(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname)?.[1];
}

/**
 * The headers to send with the request: its own plus `authorization`,
 * `x-amz-date` and (with temporary credentials) `x-amz-security-token`.
 * `host` is signed but not returned: fetch sets it itself, from the URL, to the
 * same value.
 */
export async function signedHeaders(request: RequestToSign, options: SigningOptions): Promise<Record<string, string>> {
  // No x-amz-content-sha256 header: API Gateway does not need it, and without it the
  // signature is exactly the one of AWS's published test vectors (see test/cli/sigv4.test.ts).
  const signer = new SignatureV4({ service: options.service, region: options.region, credentials: options.credentials, sha256: Sha256, applyChecksum: false });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      ...(request.body === undefined ? {} : { body: request.body }),
    },
    { signingDate: options.now },
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}
