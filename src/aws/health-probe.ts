/**
 * A GET through the load balancer as a user's browser would send it: to the ALB's address,
 * with the tenant's host in the Host header (fetch does not let a caller set Host, hence
 * node:http). Over https the tenant's host is also the TLS server name, so the certificate
 * is checked for the name users see.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpGetRequest {
  url: string;
  host: string;
  timeoutMs: number;
}

export type HttpGet = (request: HttpGetRequest) => Promise<{ status: number; body: string }>;

export const nodeHttpGet: HttpGet = (request) =>
  new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer from ${url.host} within ${request.timeoutMs} ms`)), request.timeoutMs);
    const options = { method: 'GET', headers: { Host: request.host, Accept: 'application/json' }, signal: abort.signal };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(abort.signal.aborted && abort.signal.reason instanceof Error ? new Error(abort.signal.reason.message, { cause: error }) : error);
    };
    const onResponse = (response: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    };
    const outgoing =
      url.protocol === 'https:' ? https.request(url, { ...options, servername: request.host }, onResponse) : http.request(url, options, onResponse);
    outgoing.on('error', fail);
    outgoing.end();
  });
