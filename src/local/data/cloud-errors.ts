import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { PermanentCloudError, TransientCloudError } from '../../cloud/errors.ts';
import { HumanGovError } from '../../kernel/errors.ts';

/** Node's codes for "nobody answered at that address", i.e. the local server is not running (yet). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && UNREACHABLE.has(code)) return code;
  }
  return undefined;
}

/**
 * Translates what a local server answered into the port's errors, the way the
 * AWS provider does for AWS: throttling and 5xx are transient; so is a local
 * server that does not answer (it may be starting); any other refusal is
 * permanent and says what was being done. Errors already translated pass through.
 */
export function toCloudError(error: unknown, doing: string, endpoint: string): Error {
  if (error instanceof HumanGovError) return error;
  const code = networkCode(error);
  if (code) return new TransientCloudError(`${doing}: nothing answers at ${endpoint} (${code}); is "npm start" running?`, { cause: error });
  if (error instanceof DynamoDBServiceException || error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    if (error.$fault === 'server' || status >= 500 || error.$retryable?.throttling) {
      return new TransientCloudError(`${doing}: ${error.name}: ${error.message}`, { cause: error });
    }
    return new PermanentCloudError(`${doing}: ${error.name}: ${error.message}`, { cause: error });
  }
  return new PermanentCloudError(`${doing}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
