/**
 * Every SDK call the functions make is traced because every client they use is made in one
 * place, src/aws/clients.ts, which hands it to Powertools Tracer. A client made anywhere else in
 * the functions' code would call AWS untraced: this finds one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../../src/aws/clients.ts';
import { lazyHandler } from '../../functions/lib/step-handler.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** What the Lambda bundles are built from: the functions and the AWS provider. */
const FUNCTION_CODE = ['functions', 'src/aws'];
const FACTORY = 'src/aws/clients.ts';

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** `new SomethingClient(` outside the factory, as `file: line`. */
async function clientsMadeOutsideTheFactory(): Promise<string[]> {
  const found: string[] = [];
  for (const file of (await Promise.all(FUNCTION_CODE.map(sources))).flat()) {
    if (file === FACTORY) continue;
    const lines = (await readFile(join(ROOT, file), 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (/\bnew [A-Z][A-Za-z0-9]*Client\(/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('SDK clients of the functions', () => {
  const executionEnv = process.env.AWS_EXECUTION_ENV;
  afterEach(() => {
    if (executionEnv === undefined) delete process.env.AWS_EXECUTION_ENV;
    else process.env.AWS_EXECUTION_ENV = executionEnv;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });

  it(`are all made by ${FACTORY}`, async () => {
    expect(await clientsMadeOutsideTheFactory()).toEqual([]);
  });

  it('carry the X-Ray middleware when made in Lambda, and are left as made elsewhere', () => {
    const identify = (client: SFNClient) => client.middlewareStack.identify().join('\n');
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    const inLambda = new Tracer({ serviceName: 'test', captureHTTPsRequests: false });
    expect(identify(awsClient(SFNClient, { region: 'us-east-1' }, inLambda))).toContain('XRaySDKInstrumentation');
    delete process.env.AWS_EXECUTION_ENV;
    const outside = new Tracer({ serviceName: 'test', captureHTTPsRequests: false });
    expect(identify(awsClient(SFNClient, { region: 'us-east-1' }, outside))).not.toContain('XRaySDKInstrumentation');
  });

  it('are refused in Lambda before the tracer is loaded, and traced when a handler builds them', async () => {
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'humangov-test-tenantRecord';
    expect(() => awsClient(SFNClient, { region: 'us-east-1' })).toThrow(/SFNClient made before the tracer was loaded/);
    const handler = lazyHandler(() => {
      const client = awsClient(SFNClient, { region: 'us-east-1' });
      return async () => client.middlewareStack.identify().join('\n');
    });
    expect(await handler(undefined, undefined)).toContain('XRaySDKInstrumentation');
  });
});
