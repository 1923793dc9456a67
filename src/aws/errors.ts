/**
 * The one translation from AWS SDK errors to the provider's domain errors
 * (src/cloud/errors.ts), whose names the state machines' Retry and Catch rules match.
 *
 * Each adapter first handles, by `instanceof`, the service exceptions that are part of
 * its logic (not found, already exists); whatever is left comes here. Anything this
 * function does not recognise is returned unchanged, so the caller rethrows the
 * original error rather than a guess.
 */
import {
  InternalServerError,
  LimitExceededException as DynamoDbLimitExceededException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { HumanGovError } from '../kernel/errors.ts';

/** What a failed call was about, so the message says where to look. */
export interface AwsCallContext {
  /** The IAM action of the call, e.g. `dynamodb:CreateTable` (also what a missing grant would name). */
  action: string;
  /** The resource in words, e.g. `table "humangov-prod-tenant-ca"`. */
  resource: string;
}

// Codes several services use for the same condition. Most of them have no exception
// class to test against: IAM and ELBv2 answer "Throttling", ECS and Step Functions
// "ThrottlingException", S3 "SlowDown", and none of those models it, so the SDK raises the
// service's base exception with only `name` set. Hence these lists, read by hasErrorName.
const THROTTLING = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
];
/** Conflicts that clear by themselves: another request on the same resource is in flight. */
const CONFLICT = ['ConcurrentModificationException', 'OperationAborted', 'PriorRequestNotComplete', 'PriorRequestNotCompleteException'];
const TIMEOUT = ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError'];
const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH'];
const ACCESS_DENIED = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'KmsAccessDeniedException',
];
const INVALID = [
  'ValidationException',
  'ValidationError',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'InvalidInputException',
  'InvalidInput',
  'MalformedPolicyDocumentException',
  'MalformedPolicyDocument',
  'InvalidArgument',
  'InvalidRequest',
  'InvalidBucketName',
  'InvalidArn',
  'InvalidName',
  'InvalidExecutionInput',
  'InvalidConfigurationRequestException',
  'InvalidTargetException',
  'ClientException',
];

/**
 * True when the error carries one of `names`. Used only where the SDK has no exception
 * class for the condition (see the lists above, and S3's BucketNotEmpty); everywhere else
 * adapters test with `instanceof`.
 */
export function hasErrorName(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** The domain error for `error`, or `error` itself when it is not one this module understands. */
export function translateAwsError(error: unknown, context: AwsCallContext): unknown {
  if (error instanceof HumanGovError || !(error instanceof Error)) return error;
  const where = `${context.action} on ${context.resource}`;
  const said = `AWS said: ${error.name}: ${error.message}`;

  if (isTransient(error)) {
    return new TransientCloudError(`${where} failed for now (${error.name}); retrying later is expected to work. ${said}`, { cause: error });
  }
  if (hasErrorName(error, ...ACCESS_DENIED)) {
    return new PermanentCloudError(
      `${where} was denied: grant "${context.action}" on that resource to the control plane's function role ` +
        `(serverless.yml, iam statements) and check that no SCP or permission boundary blocks it. ${said}`,
      { cause: error },
    );
  }
  if (hasErrorName(error, ...INVALID)) {
    return new PermanentCloudError(
      `${where} was rejected as invalid: check the provider settings (the function's environment: subnets, ` +
        `security group, listener, roles) and the tenant's spec. ${said}`,
      { cause: error },
    );
  }
  return error;
}

function isTransient(error: Error): boolean {
  // DynamoDB's LimitExceededException means too many control-plane operations at once
  // (e.g. tables CREATING); elsewhere (IAM, ECS, Logs) LimitExceeded is a quota, not a throttle.
  if (error instanceof DynamoDbLimitExceededException) return true;
  if (hasErrorName(error, ...THROTTLING, ...CONFLICT, ...TIMEOUT)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.includes(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

/**
 * DynamoDB's answers that mean "try again", as the SDK raises them once its own retries are
 * spent: throttling (ProvisionedThroughputExceededException, ThrottlingException,
 * RequestLimitExceeded), InternalServerError and any other server fault or error the SDK
 * marks retryable, and the network failures every service shares.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
export function isTransientDynamoDbError(error: unknown): boolean {
  if (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof ThrottlingException ||
    error instanceof RequestLimitExceeded ||
    error instanceof InternalServerError
  ) {
    return true;
  }
  const fault = error as { $fault?: unknown; $retryable?: unknown };
  if (fault.$fault === 'server' || Boolean(fault.$retryable)) return true;
  return error instanceof Error && isTransient(error);
}

/** The item operations of the document client, as IAM names them. */
const DOCUMENT_ACTIONS: Record<string, string> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  ScanCommand: 'dynamodb:Scan',
  QueryCommand: 'dynamodb:Query',
};

/**
 * The control plane's own tables, read and written through `db`, with DynamoDB's transient
 * errors translated at this boundary into TransientCloudError, which every workflow step
 * retries with backoff: a throttle that outlasts the SDK's retries is retried by the
 * workflow, never taken for a failure of the tenant. Other errors (a failed condition, a
 * validation error) pass unchanged to the repository that handles them.
 */
export function controlPlaneTable(db: DynamoDBDocumentClient, table: string): Pick<DynamoDBDocumentClient, 'send'> {
  return {
    send: (async (...args: unknown[]) => {
      try {
        return await (db.send as (...args: unknown[]) => Promise<unknown>).apply(db, args);
      } catch (error) {
        if (!isTransientDynamoDbError(error) || !(error instanceof Error)) throw error;
        const command = args[0]?.constructor.name ?? 'command';
        const action = DOCUMENT_ACTIONS[command] ?? `dynamodb (${command})`;
        throw new TransientCloudError(
          `${action} on table "${table}" failed for now (${error.name}); retrying later is expected to work. AWS said: ${error.message}`,
          { cause: error },
        );
      }
    }) as DynamoDBDocumentClient['send'],
  };
}
