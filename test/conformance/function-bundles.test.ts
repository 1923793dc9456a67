/**
 * The functions as a deploy bundles them (serverless.yml's custom.esbuild, its plugins included),
 * unzipped as Lambda unzips them and invoked in a fresh Node process, as the runtime does: what
 * the sources do under the tests must also be what the bundles do in AWS.
 */
import { createSocket } from 'node:dgram';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseDocument } from 'yaml';
import { eventually } from '../support/eventually.ts';
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

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT_ID = '53995c3f42cd8ad8';

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

  it('load Tracer and the X-Ray SDK from a file of their own at the first invocation, and trace each AWS call', async () => {
    const files = (await readdir(record.dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.map((entry) => relative(record.dir, join(entry.parentPath, entry.name))).sort()).toEqual([
      'functions/steps/tenant-record.aws-lambda-powertools-tracer.mjs',
      'functions/steps/tenant-record.mjs',
    ]);
    expect(await readFile(record.bundle, 'utf8')).not.toContain('aws-xray-sdk');
    expect(await readFile(join(record.dir, 'functions/steps/tenant-record.aws-lambda-powertools-tracer.mjs'), 'utf8')).toContain('aws-xray-sdk');
    // In Lambda the handler loads the tracer before it builds anything; then the step runs and
    // reaches for DynamoDB, where nothing answers. The X-Ray SDK sends that call's subsegment to
    // the daemon Lambda names in AWS_XRAY_DAEMON_ADDRESS, under the trace in _X_AMZN_TRACE_ID
    // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
    // over UDP, each document after the header {"format": "json", "version": 1} and a newline
    // (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html).
    const daemon = createSocket('udp4');
    const received: string[] = [];
    daemon.on('message', (message) => received.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    try {
      const [call] = await record.invoke([{ action: 'acquireLock', tenantId: 'ca', executionId: 'exec-1' }], {
        ...STEP_ENV,
        _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${PARENT_ID};Sampled=1`,
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      });
      expect(call).toEqual({ ok: false, errorType: 'TransientCloudError', errorMessage: expect.stringContaining('dynamodb:UpdateItem') });
      const documents = await eventually(() => {
        const parsed = received.map((message) => {
          const [header, document] = message.split('\n');
          return { header: JSON.parse(header!) as unknown, document: JSON.parse(document!) as Record<string, unknown> };
        });
        expect(parsed).not.toEqual([]);
        return parsed;
      });
      expect(documents).toContainEqual({
        header: { format: 'json', version: 1 },
        document: expect.objectContaining({
          type: 'subsegment',
          name: 'DynamoDB',
          trace_id: TRACE_ID,
          parent_id: PARENT_ID,
          namespace: 'aws',
          aws: expect.objectContaining({ operation: 'UpdateItem', table_name: STEP_ENV.TENANTS_TABLE }),
          fault: true,
        }),
      });
    } finally {
      daemon.close();
    }
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
