/**
 * SecretsPort on AWS Secrets Manager.
 *
 * Idempotency comes from Secrets Manager's own rules: a version's ClientRequestToken is derived
 * from its value, so repeating a create or a put with the same value is ignored and never makes a
 * second version (API_CreateSecret / API_PutSecretValue, ClientRequestToken:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
 * Deleting skips the recovery window: a name scheduled for deletion cannot be created again
 * until it is gone, and a tenant's secret can always be derived again
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { NotReadyError, PermanentCloudError } from '../cloud/errors.ts';
import type { SecretSpec, SecretsPort, Tags } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import { awsClient } from './clients.ts';

/** How long the stack secret is kept in memory: a rotated value reaches every function within this. */
export const STACK_SECRET_TTL_MS = 5 * 60_000;

export interface SecretsManagerSecretsOptions {
  client?: SecretsManagerClient;
  region: string;
  /** The stack secret's ARN (STACK_SECRET_ARN); only the function that derives tenant secrets has it. */
  stackSecretArn?: string;
  now?: () => number;
}

/** A version id that is the same for the same value, and says nothing about it (a UUID-shaped SHA-256). */
export function versionToken(value: string): string {
  const hex = createHash('sha256').update('humangov-secret-version\0').update(value).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export class SecretsManagerSecrets implements SecretsPort {
  readonly #client: SecretsManagerClient;
  readonly #stackSecretArn: string | undefined;
  readonly #now: () => number;
  #cached: { value: string; until: number } | undefined;

  constructor(options: SecretsManagerSecretsOptions) {
    this.#client = options.client ?? awsClient(SecretsManagerClient, { region: options.region });
    this.#stackSecretArn = options.stackSecretArn;
    this.#now = options.now ?? Date.now;
  }

  async stackSecret(): Promise<string> {
    if (this.#cached && this.#now() < this.#cached.until) return this.#cached.value;
    const arn = this.#stackSecretArn;
    if (!arn) {
      throw new PermanentCloudError(
        "STACK_SECRET_ARN is not in this function's environment: only the tenant-access function reads the stack secret (serverless.yml, functions.tenantAccess.environment)",
      );
    }
    try {
      const { SecretString } = await this.#client.send(new GetSecretValueCommand({ SecretId: arn }));
      if (!SecretString) throw new PermanentCloudError(`the stack secret ${arn} holds no string value; redeploy the stack to generate one`);
      this.#cached = { value: SecretString, until: this.#now() + STACK_SECRET_TTL_MS };
      return SecretString;
    } catch (error) {
      throw translateAwsError(error, { action: 'secretsmanager:GetSecretValue', resource: `the stack secret ${arn}` });
    }
  }

  async ensureSecret(spec: SecretSpec): Promise<{ arn: string }> {
    const resource = `secret "${spec.name}"`;
    try {
      const created = await this.#client.send(
        new CreateSecretCommand({
          Name: spec.name,
          Description: spec.description,
          SecretString: spec.value,
          ClientRequestToken: versionToken(spec.value),
          Tags: tagList(spec.tags),
        }),
      );
      if (!created.ARN) throw new PermanentCloudError(`Secrets Manager returned no ARN for ${resource}`);
      return { arn: created.ARN };
    } catch (error) {
      if (error instanceof ResourceExistsException) return this.#converge(spec);
      // The name belongs to a secret scheduled for deletion (or one still being deleted).
      if (error instanceof InvalidRequestException) return this.#restore(spec, error);
      throw translateAwsError(error, { action: 'secretsmanager:CreateSecret', resource });
    }
  }

  async deleteSecret(name: string): Promise<void> {
    try {
      // With ForceDeleteWithoutRecovery a deleted or unknown secret is not an error, so retries are safe.
      await this.#client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw translateAwsError(error, { action: 'secretsmanager:DeleteSecret', resource: `secret "${name}"` });
    }
  }

  /** An existing secret: its value and tags brought to the spec. */
  async #converge(spec: SecretSpec): Promise<{ arn: string }> {
    const resource = `secret "${spec.name}"`;
    let arn: string | undefined;
    try {
      const described = await this.#client.send(new DescribeSecretCommand({ SecretId: spec.name }));
      arn = described.ARN;
      if (!arn) throw new PermanentCloudError(`Secrets Manager described ${resource} without an ARN`);
      const current = await this.#client.send(new GetSecretValueCommand({ SecretId: arn }));
      if (current.SecretString !== spec.value) {
        await this.#client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: spec.value, ClientRequestToken: versionToken(spec.value) }));
      }
      const tags = Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
      if (Object.entries(spec.tags).some(([key, value]) => tags[key] !== value)) {
        await this.#client.send(new TagResourceCommand({ SecretId: arn, Tags: tagList(spec.tags) }));
      }
      return { arn };
    } catch (error) {
      if (error instanceof ResourceNotFoundException)
        throw new NotReadyError(`${resource} was deleted while it was being updated; asking again`, { cause: error });
      throw translateAwsError(error, { action: 'secretsmanager:PutSecretValue', resource });
    }
  }

  /** CreateSecret said the name is taken by a deleted secret: restore it if it is only scheduled for deletion, else wait. */
  async #restore(spec: SecretSpec, refusal: InvalidRequestException): Promise<{ arn: string }> {
    const resource = `secret "${spec.name}"`;
    let deleted: boolean;
    try {
      deleted = (await this.#client.send(new DescribeSecretCommand({ SecretId: spec.name }))).DeletedDate !== undefined;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new NotReadyError(`${resource} is still being deleted (deletion is asynchronous); asking again shortly`, { cause: refusal });
      }
      throw translateAwsError(error, { action: 'secretsmanager:DescribeSecret', resource });
    }
    if (!deleted) throw translateAwsError(refusal, { action: 'secretsmanager:CreateSecret', resource });
    try {
      await this.#client.send(new RestoreSecretCommand({ SecretId: spec.name }));
    } catch (error) {
      // Forced deletion already under way: the name frees up shortly.
      if (error instanceof InvalidRequestException || error instanceof ResourceNotFoundException) {
        throw new NotReadyError(`${resource} is being deleted; asking again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action: 'secretsmanager:RestoreSecret', resource });
    }
    return this.#converge(spec);
  }
}
