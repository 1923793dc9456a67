import {
  ConditionalCheckFailedException,
  InternalServerError,
  LimitExceededException as DynamoDbLimitExceededException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IAMServiceException, LimitExceededException as IamLimitExceededException } from '@aws-sdk/client-iam';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { controlPlaneTable, hasErrorName, isTransientDynamoDbError, translateAwsError } from './errors.ts';

const context = { action: 'dynamodb:CreateTable', resource: 'table "humangov-prod-tenant-ca"' };
const meta = { $metadata: {} };

function serviceError(name: string, httpStatusCode: number): IAMServiceException {
  return new IAMServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message: `${name} happened`, $metadata: { httpStatusCode } });
}

describe('translateAwsError', () => {
  it.each([
    ['DynamoDB ThrottlingException', new ThrottlingException({ message: 'slow down', ...meta })],
    ['DynamoDB ProvisionedThroughputExceeded', new ProvisionedThroughputExceededException({ message: 'slow down', ...meta })],
    ['DynamoDB LimitExceeded (concurrent control-plane operations)', new DynamoDbLimitExceededException({ message: 'too many', ...meta })],
    ['IAM and ELB "Throttling"', serviceError('Throttling', 400)],
    ['"TooManyRequestsException"', serviceError('TooManyRequestsException', 429)],
    ['"RequestLimitExceeded"', serviceError('RequestLimitExceeded', 400)],
    ['S3 "SlowDown"', new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'slow', $metadata: { httpStatusCode: 503 } })],
    ['any 5xx', serviceError('InternalFailure', 500)],
    ['IAM ConcurrentModification', serviceError('ConcurrentModificationException', 409)],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a connect timeout', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
    ['an SDK TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('makes %s a TransientCloudError with the original as cause', (_, error) => {
    const translated = translateAwsError(error, context);

    expect(translated).toBeInstanceOf(TransientCloudError);
    expect((translated as Error).cause).toBe(error);
    expect((translated as Error).message).toContain('dynamodb:CreateTable on table "humangov-prod-tenant-ca"');
  });

  it('makes access denied a PermanentCloudError saying which grant to check on which resource', () => {
    const translated = translateAwsError(serviceError('AccessDeniedException', 400), context);

    expect(translated).toBeInstanceOf(PermanentCloudError);
    expect((translated as Error).message).toMatch(/dynamodb:CreateTable on table "humangov-prod-tenant-ca" was denied: grant "dynamodb:CreateTable"/);
  });

  it('makes a validation error a PermanentCloudError quoting what AWS said', () => {
    const translated = translateAwsError(serviceError('ValidationException', 400), context);

    expect(translated).toBeInstanceOf(PermanentCloudError);
    expect((translated as Error).message).toMatch(/rejected as invalid.*ValidationException happened/);
  });

  it('returns errors it does not know unchanged, including quota LimitExceeded outside DynamoDB', () => {
    const quota = new IamLimitExceededException({ message: 'Cannot exceed quota for RolesPerAccount', ...meta });
    const unknown = serviceError('SomethingNew', 400);

    expect(translateAwsError(quota, context)).toBe(quota);
    expect(translateAwsError(unknown, context)).toBe(unknown);
    expect(translateAwsError('not an error', context)).toBe('not an error');
  });

  it('passes the domain errors of adapters through', () => {
    const notReady = new NotReadyError('table is CREATING');

    expect(translateAwsError(notReady, context)).toBe(notReady);
  });
});

describe('hasErrorName', () => {
  it('matches the name of an error and nothing else', () => {
    expect(hasErrorName(serviceError('BucketNotEmpty', 409), 'BucketNotEmpty')).toBe(true);
    expect(hasErrorName(serviceError('NoSuchBucket', 404), 'BucketNotEmpty')).toBe(false);
    expect(hasErrorName({ name: 'BucketNotEmpty' }, 'BucketNotEmpty')).toBe(false);
  });
});

describe('the control plane tables boundary', () => {
  const failing = (error: unknown) => ({ send: async () => Promise.reject(error) }) as unknown as DynamoDBDocumentClient;

  it.each([
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'slow down', ...meta })],
    ['ThrottlingException', new ThrottlingException({ message: 'slow down', ...meta })],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'account limit', ...meta })],
    ['InternalServerError', new InternalServerError({ message: 'oops', ...meta })],
  ])('turns %s, once the SDK gives up, into TransientCloudError naming the operation and table', async (_name, error) => {
    const table = controlPlaneTable(failing(error), 'humangov-prod-tenants');

    const thrown = await table.send(new UpdateCommand({ TableName: 'humangov-prod-tenants', Key: { tenantId: 'ca' } })).catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(TransientCloudError);
    expect((thrown as Error).message).toMatch(/^dynamodb:UpdateItem on table "humangov-prod-tenants" failed for now/);
    expect((thrown as Error).cause).toBe(error);
  });

  it('passes a failed condition through unchanged, for the repository to handle', async () => {
    const error = new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta });

    await expect(controlPlaneTable(failing(error), 't').send(new GetCommand({ TableName: 't', Key: { tenantId: 'ca' } }))).rejects.toBe(error);
  });

  it('counts any server fault or error the SDK marks retryable as transient, and nothing a client got wrong', () => {
    expect(isTransientDynamoDbError(Object.assign(new Error('x'), { $fault: 'server' }))).toBe(true);
    expect(isTransientDynamoDbError(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe(true);
    expect(isTransientDynamoDbError(new ConditionalCheckFailedException({ message: 'no', ...meta }))).toBe(false);
    expect(isTransientDynamoDbError(Object.assign(new Error('bad'), { name: 'ValidationException', $fault: 'client' }))).toBe(false);
  });
});
