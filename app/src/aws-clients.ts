import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from './config.ts';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
}

/**
 * Credentials come from the SDK's default chain (the task role on ECS, env vars locally)
 * unless given, as tests do.
 */
export function createAwsClients(config: AppConfig, credentials?: S3ClientConfig['credentials']): AwsClients {
  const dynamodb = new DynamoDBClient({
    region: config.awsRegion,
    ...(credentials ? { credentials } : {}),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const s3 = new S3Client({
    region: config.awsRegion,
    ...(credentials ? { credentials } : {}),
    ...(config.s3Endpoint
      ? {
          endpoint: config.s3Endpoint,
          // S3-compatible stand-ins serve buckets by path, not by subdomain, and do not
          // understand the SDK's default streaming checksum trailers.
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  });
  return { dynamodb, s3 };
}

export function documentClient(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
}
