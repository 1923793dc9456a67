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
import { PROD_AWS_ENV } from '../support/aws-config.ts';
import { eventually } from '../support/eventually.ts';
import { labelled } from '../support/labelled.ts';
import { packageFunction, type FunctionPackage, type InvocationResult } from '../support/lambda-bundle.ts';
import { apiEvent } from '../api/support.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The environment serverless.yml gives a workflow step, its AWS calls sent to a port where nothing listens. */
const STEP_ENV = {
  ...PROD_AWS_ENV,
  AWS_LAMBDA_FUNCTION_NAME: 'humangov-prod-tenantRecord',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
  TENANTS_TABLE: 'humangov-prod-tenants',
  DEPLOYMENTS_TABLE: 'humangov-prod-deployments',
};

/** What serverless.yml gives the functions that need more than a step does. */
const FUNCTION_ENV = {
  ONBOARD_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:humangov-prod-tenant-onboard',
  OFFBOARD_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:humangov-prod-tenant-offboard',
  // The SDK sends SQS calls to the queue URL's own host, not AWS_ENDPOINT_URL.
  STREAM_FAILURE_QUEUE_URL: 'http://127.0.0.1:9/123456789012/humangov-prod-stream-failures',
  STACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov-prod-stack-AbCdEf',
};

/** Each function's first event, by the kind of source that invokes it; a step's is empty, asking for no action. */
const FIRST_EVENTS: Record<string, unknown> = {
  // https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html: a batch of stream records.
  tenantStream: { Records: [] },
  // API Gateway's HTTP API payload 2.0 for the dashboard's page.
  api: apiEvent('GET', '/'),
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
  reconcile: {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-12-06T05:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/humangov-prod-reconcile'],
    detail: {},
  },
};

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT_ID = '53995c3f42cd8ad8';

describe('function bundles', () => {
  let record: FunctionPackage;
  beforeAll(async () => {
    record = await packageFunction('functions/steps/tenant-record.ts');
  });
  afterAll(() => record?.remove());

  it('bundle every handler without a warning, and each loads and answers its first event as Lambda invokes it', async () => {
    const functions = (parseDocument(await readFile(join(ROOT, 'serverless.yml'), 'utf8')).toJS() as { functions: Record<string, { handler: string }> })
      .functions;
    const warnings: string[] = [];
    const answers: Record<string, InvocationResult | undefined> = {};
    for (const [name, { handler }] of Object.entries(functions)) {
      const fn = await packageFunction(`${handler.replace(/\.[^.]+$/, '')}.ts`);
      try {
        warnings.push(...fn.warnings.map((text) => `${name}: ${text}`));
        [answers[name]] = await fn.invoke([FIRST_EVENTS[name] ?? {}], { ...STEP_ENV, AWS_LAMBDA_FUNCTION_NAME: `humangov-prod-${name}`, ...FUNCTION_ENV });
      } finally {
        await fn.remove();
      }
    }
    // An import esbuild drops is code missing in AWS.
    expect(warnings).toEqual([]);
    const steps = Object.keys(functions).filter((name) => functions[name]!.handler.startsWith('functions/steps/'));
    expect(steps.length).toBeGreaterThanOrEqual(7);
    for (const name of steps) {
      labelled(name, () =>
        expect(answers[name]).toEqual({
          ok: false,
          errorType: 'UnknownActionError',
          errorMessage: expect.stringContaining('expects an object with an "action" field'),
        }),
      );
    }
    expect(answers.tenantStream).toEqual({ ok: true, value: { batchItemFailures: [] } });
    expect(answers.api).toEqual({ ok: true, value: expect.objectContaining({ statusCode: 200, body: expect.stringContaining('<html') }) });
    // A pass starts with the stream's failure queue, where nothing answers here.
    expect(answers.reconcile).toEqual({ ok: false, errorType: 'TransientCloudError', errorMessage: expect.stringContaining('sqs:ReceiveMessage') });
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
