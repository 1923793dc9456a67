/**
 * AWS Secrets Manager on this machine: the operations the control plane calls, answered from
 * `<home>/state/secrets.json` (mode 0600) with the service's documented behaviour and its own
 * exception classes, so the AWS adapter (src/aws/secrets.ts) runs unchanged on top of it, as the
 * DynamoDB adapters run on dynalite. API reference: https://docs.aws.amazon.com/secretsmanager/latest/apireference/
 *
 * - CreateSecret: a name in use is ResourceExistsException, unless the request repeats the
 *   version (same ClientRequestToken, same value), which is ignored (idempotent); a name
 *   scheduled for deletion is InvalidRequestException (API_CreateSecret.html).
 * - PutSecretValue: a new version becomes AWSCURRENT; the same token with the same value is
 *   ignored, with another value refused (API_PutSecretValue.html).
 * - GetSecretValue / DescribeSecret: by name or full ARN; unknown is ResourceNotFoundException;
 *   reading a secret scheduled for deletion is InvalidRequestException (API_GetSecretValue.html).
 * - DeleteSecret: a recovery window (7 to 30 days, default 30) marks it deleted; with
 *   ForceDeleteWithoutRecovery it is gone, and an unknown secret is not an error (API_DeleteSecret.html).
 *   Not emulated: AWS deletes asynchronously, so a forced delete may block the name briefly.
 * - RestoreSecret lifts the deletion mark (API_RestoreSecret.html); TagResource adds tags.
 * - An ARN ends in the name, a hyphen and six random characters (secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient, Tag } from '@aws-sdk/client-secrets-manager';
import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';

interface StoredVersion {
  id: string;
  value: string;
  created: string;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  tags: Record<string, string>;
  /** Oldest first; the last is AWSCURRENT. */
  versions: StoredVersion[];
  /** Set while the secret is scheduled for deletion (DescribeSecret's DeletedDate). */
  deletedDate?: string;
}

interface SecretsDoc {
  secrets: Record<string, StoredSecret>;
}

const $metadata = {};
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface LocalSecretsManagerOptions {
  home: string;
  region: string;
  accountId: string;
}

/** The part of SecretsManagerClient the adapter uses; `asClient()` hands this to it. */
export class LocalSecretsManager {
  readonly path: string;
  readonly #store: JsonStore<SecretsDoc>;
  readonly #arnPrefix: string;

  constructor(options: LocalSecretsManagerOptions) {
    this.path = join(localPaths(options.home).state, 'secrets.json');
    // The values are secrets: only this user may read the file.
    this.#store = new JsonStore(this.path, () => ({ secrets: {} }), { mode: 0o600 });
    const partition = options.region.startsWith('us-gov-') ? 'aws-us-gov' : options.region.startsWith('cn-') ? 'aws-cn' : 'aws';
    this.#arnPrefix = `arn:${partition}:secretsmanager:${options.region}:${options.accountId}:secret:`;
  }

  /** This emulator where the adapter wants a client: it answers `send` for the commands above. */
  asClient(): SecretsManagerClient {
    return this as unknown as SecretsManagerClient;
  }

  send(command: object): Promise<unknown> {
    return this.#store.update((doc) => this.#dispatch(doc, command));
  }

  /** The current value of a secret, by full ARN or name, as ECS reads a container's `secrets[].valueFrom`. */
  async currentValue(valueFrom: string): Promise<string> {
    const { SecretString } = (await this.send(new GetSecretValueCommand({ SecretId: valueFrom }))) as { SecretString: string };
    return SecretString;
  }

  #dispatch(doc: SecretsDoc, command: object): unknown {
    if (command instanceof CreateSecretCommand) return this.#create(doc, command.input);
    if (command instanceof PutSecretValueCommand) return this.#put(doc, command.input);
    if (command instanceof GetSecretValueCommand) {
      const secret = live(find(doc, command.input.SecretId));
      const current = secret.versions.at(-1)!;
      return { ARN: secret.arn, Name: secret.name, SecretString: current.value, VersionId: current.id, VersionStages: ['AWSCURRENT'], $metadata };
    }
    if (command instanceof DescribeSecretCommand) {
      const secret = find(doc, command.input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        Tags: toTags(secret.tags),
        ...(secret.deletedDate ? { DeletedDate: new Date(secret.deletedDate) } : {}),
        $metadata,
      };
    }
    if (command instanceof DeleteSecretCommand) return this.#delete(doc, command.input);
    if (command instanceof RestoreSecretCommand) {
      const secret = find(doc, command.input.SecretId);
      delete secret.deletedDate;
      return { ARN: secret.arn, Name: secret.name, $metadata };
    }
    if (command instanceof TagResourceCommand) {
      const secret = find(doc, command.input.SecretId);
      for (const tag of command.input.Tags ?? []) if (tag.Key) secret.tags[tag.Key] = tag.Value ?? '';
      return { $metadata };
    }
    throw new InvalidRequestException({ message: `the local Secrets Manager does not implement ${command.constructor.name}`, $metadata });
  }

  #create(doc: SecretsDoc, input: CreateSecretCommand['input']): unknown {
    const name = input.Name ?? '';
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new InvalidParameterException({ message: `Invalid name: ${name} (1 to 512 of A-Z a-z 0-9 / _ + = . @ -)`, $metadata });
    }
    const existing = doc.secrets[name];
    const token = input.ClientRequestToken ?? randomUUID();
    if (existing) {
      if (existing.deletedDate) {
        throw new InvalidRequestException({
          message: "You can't create this secret because a secret with this name is already scheduled for deletion.",
          $metadata,
        });
      }
      const repeated = existing.versions.find((version) => version.id === token);
      if (repeated && repeated.value === input.SecretString) return { ARN: existing.arn, Name: name, VersionId: token, $metadata };
      throw new ResourceExistsException({ message: `The operation failed because the secret ${name} already exists.`, $metadata });
    }
    const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
    const secret: StoredSecret = {
      name,
      arn: `${this.#arnPrefix}${name}-${suffix}`,
      description: input.Description,
      tags: Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      versions: input.SecretString === undefined ? [] : [{ id: token, value: input.SecretString, created: new Date().toISOString() }],
    };
    doc.secrets[name] = secret;
    return { ARN: secret.arn, Name: name, VersionId: token, $metadata };
  }

  #put(doc: SecretsDoc, input: PutSecretValueCommand['input']): unknown {
    const secret = live(find(doc, input.SecretId));
    const token = input.ClientRequestToken ?? randomUUID();
    const repeated = secret.versions.find((version) => version.id === token);
    if (repeated) {
      if (repeated.value === input.SecretString) return { ARN: secret.arn, Name: secret.name, VersionId: token, $metadata };
      throw new ResourceExistsException({ message: `A version ${token} with another value already exists; versions cannot be changed.`, $metadata });
    }
    secret.versions.push({ id: token, value: input.SecretString ?? '', created: new Date().toISOString() });
    // AWSCURRENT and AWSPREVIOUS are all that is kept of older versions here.
    secret.versions = secret.versions.slice(-2);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: ['AWSCURRENT'], $metadata };
  }

  #delete(doc: SecretsDoc, input: DeleteSecretCommand['input']): unknown {
    if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
      throw new InvalidParameterException({ message: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.", $metadata });
    }
    const name = nameOf(doc, input.SecretId);
    if (input.ForceDeleteWithoutRecovery) {
      const secret = name ? doc.secrets[name] : undefined;
      if (name) delete doc.secrets[name];
      return { ARN: secret?.arn, Name: secret?.name ?? input.SecretId, DeletionDate: new Date(), $metadata };
    }
    const secret = find(doc, input.SecretId);
    const days = input.RecoveryWindowInDays ?? 30;
    if (days < 7 || days > 30) throw new InvalidParameterException({ message: 'RecoveryWindowInDays must be from 7 to 30.', $metadata });
    secret.deletedDate ??= new Date().toISOString();
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(Date.parse(secret.deletedDate) + days * 86_400_000), $metadata };
  }
}

function nameOf(doc: SecretsDoc, id: string | undefined): string | undefined {
  if (!id) return undefined;
  if (doc.secrets[id]) return id;
  return Object.values(doc.secrets).find((secret) => secret.arn === id)?.name;
}

function find(doc: SecretsDoc, id: string | undefined): StoredSecret {
  const name = nameOf(doc, id);
  if (!name) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata });
  return doc.secrets[name]!;
}

function live(secret: StoredSecret): StoredSecret {
  if (secret.deletedDate) {
    throw new InvalidRequestException({ message: "You can't perform this operation on the secret because it was marked for deletion.", $metadata });
  }
  if (secret.versions.length === 0)
    throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", $metadata });
  return secret;
}

const toTags = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
