import {
  LimitExceededException as DynamoDbLimitExceededException,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { IAMServiceException, LimitExceededException as IamLimitExceededException } from '@aws-sdk/client-iam';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { hasErrorName, translateAwsError } from './errors.ts';

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
