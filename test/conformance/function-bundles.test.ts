/**
 * The functions as a deploy bundles them (serverless.yml's custom.esbuild, its plugins included),
 * unzipped as Lambda unzips them and invoked in a fresh Node process, as the runtime does: what
 * the sources do under the tests must also be what the bundles do in AWS.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseDocument } from 'yaml';
import { packageFunction, type FunctionPackage } from '../support/lambda-bundle.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The environment serverless.yml gives a workflow step, pointed at a port where nothing listens. */
const STEP_ENV = {
  STAGE: 'prod',
  AWS_LAMBDA_FUNCTION_NAME: 'humangov-prod-tenantRecord',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
  TENANTS_TABLE: 'humangov-prod-tenants',
  DEPLOYMENTS_TABLE: 'humangov-prod-deployments',
  ACCOUNT_ID: '123456789012',
  IMAGE_REPOSITORY_URI: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
  CLUSTER_NAME: 'humangov-prod',
  SUBNET_IDS: 'subnet-a,subnet-b',
  TASK_SECURITY_GROUP_ID: 'sg-1',
  VPC_ID: 'vpc-1',
  LISTENER_ARN: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/humangov-prod/a/b',
  EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/exec',
  TASK_ROLE_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/humangov-prod-tenant-task-boundary',
  TENANT_DOMAIN: 'tenants.example.gov',
  ALB_DNS_NAME: 'alb.example.com',
};

describe('function bundles', () => {
  let record: FunctionPackage;
  beforeAll(async () => {
    record = await packageFunction('functions/steps/tenant-record.ts');
  });
  afterAll(() => record?.remove());

  it('bundle every handler without a warning (an import esbuild drops is code missing in AWS)', async () => {
    const functions = (parseDocument(await readFile(join(ROOT, 'serverless.yml'), 'utf8')).toJS() as { functions: Record<string, { handler: string }> })
      .functions;
    const warnings: string[] = [];
    for (const [name, { handler }] of Object.entries(functions)) {
      const fn = await packageFunction(`${handler.replace(/\.[^.]+$/, '')}.ts`);
      await fn.remove();
      warnings.push(...fn.warnings.map((text) => `${name}: ${text}`));
    }
    expect(warnings).toEqual([]);
  });

  it("say what is wrong with a step's input in English, as the sources do", async () => {
    const [missing] = await record.invoke([{ action: 'acquireLock', executionId: 'exec-1' }], STEP_ENV);
    expect(missing).toEqual({
      ok: false,
      errorType: 'StepInputError',
      errorMessage: expect.stringContaining('tenantId: Invalid input: expected string, received undefined'),
    });
  });

  it('load Tracer and the X-Ray SDK from a file of their own, at the first invocation, not with the handler', async () => {
    const files = (await readdir(record.dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.map((entry) => relative(record.dir, join(entry.parentPath, entry.name))).sort()).toEqual([
      'functions/steps/tenant-record.aws-lambda-powertools-tracer.mjs',
      'functions/steps/tenant-record.mjs',
    ]);
    expect(await readFile(record.bundle, 'utf8')).not.toContain('aws-xray-sdk');
    expect(await readFile(join(record.dir, 'functions/steps/tenant-record.aws-lambda-powertools-tracer.mjs'), 'utf8')).toContain('aws-xray-sdk');
    // In Lambda the handler loads the tracer before it builds anything; then the step runs and
    // reaches for DynamoDB, where nothing answers.
    const [call] = await record.invoke([{ action: 'acquireLock', tenantId: 'ca', executionId: 'exec-1' }], STEP_ENV);
    expect(call).toEqual({ ok: false, errorType: 'TransientCloudError', errorMessage: expect.stringContaining('dynamodb:UpdateItem') });
  });

  it("leave the dashboard's script and stylesheet out of the status API's import, in a file its first page request loads", async () => {
    const api = await packageFunction('functions/api.ts');
    try {
      const files = (await readdir(join(api.dir, 'functions'))).sort();
      expect(files).toEqual(['api.aws-lambda-powertools-tracer.mjs', 'api.mjs', 'api.src-api-dashboard-assets.mjs']);
      // A USWDS class name: the stylesheet is in the assets file only (test/dashboard/browser.test.ts serves the page from it).
      expect(await readFile(api.bundle, 'utf8')).not.toContain('usa-checkbox');
      expect(await readFile(join(api.dir, 'functions', 'api.src-api-dashboard-assets.mjs'), 'utf8')).toContain('usa-checkbox');
    } finally {
      await api.remove();
    }
  });
});
