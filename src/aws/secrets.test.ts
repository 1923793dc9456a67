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
  SecretsManagerServiceException,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { SecretsManagerSecrets, STACK_SECRET_TTL_MS, versionToken } from './secrets.ts';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'us-east-1' });
const stackSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:StackSecret-q1w2e3';
const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov/prod/tenants/ca/csrf-AbCdEf';
const spec = { name: 'humangov/prod/tenants/ca/csrf', value: 'v'.repeat(64), description: 'CSRF key of ca', tags: { 'humangov:tenant': 'ca' } };
const meta = { $metadata: {} };

afterEach(() => {
  sm.reset();
});

describe('SecretsManagerSecrets.stackSecret', () => {
  it('reads the stack secret once and serves it from memory until the TTL runs out', async () => {
    let now = 0;
    const secrets = new SecretsManagerSecrets({ client, region: 'us-east-1', stackSecretArn, now: () => now });
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'first' }).resolvesOnce({ SecretString: 'rotated' });

    expect(await secrets.stackSecret()).toBe('first');
    now = STACK_SECRET_TTL_MS - 1;
    expect(await secrets.stackSecret()).toBe('first');
    now = STACK_SECRET_TTL_MS;
    expect(await secrets.stackSecret()).toBe('rotated');

    expect(sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: stackSecretArn }, { SecretId: stackSecretArn }]);
  });

  it('without STACK_SECRET_ARN, says which function should have it', async () => {
    const secrets = new SecretsManagerSecrets({ client, region: 'us-east-1' });

    await expect(secrets.stackSecret()).rejects.toThrow(PermanentCloudError);
    await expect(secrets.stackSecret()).rejects.toThrow(/STACK_SECRET_ARN .*tenant-access/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('names the missing grant when access is denied', async () => {
    const secrets = new SecretsManagerSecrets({ client, region: 'us-east-1', stackSecretArn });
    sm.on(GetSecretValueCommand).rejects(new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'no', ...meta }));

    await expect(secrets.stackSecret()).rejects.toThrow(/secretsmanager:GetSecretValue/);
  });
});

describe('SecretsManagerSecrets.ensureSecret', () => {
  const secrets = new SecretsManagerSecrets({ client, region: 'us-east-1' });

  it('creates the secret with its value, description and tags, under a version token derived from the value', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN: arn });

    await expect(secrets.ensureSecret(spec)).resolves.toEqual({ arn });

    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input).toEqual({
      Name: spec.name,
      Description: spec.description,
      SecretString: spec.value,
      ClientRequestToken: versionToken(spec.value),
      Tags: [{ Key: 'humangov:tenant', Value: 'ca' }],
    });
  });

  it('leaves an existing secret that already holds the value and tags alone', async () => {
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    sm.on(DescribeSecretCommand).resolves({ ARN: arn, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: spec.value });

    await expect(secrets.ensureSecret(spec)).resolves.toEqual({ arn });

    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('stores a new version, and the tags, when an existing secret holds another value', async () => {
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    sm.on(DescribeSecretCommand).resolves({ ARN: arn, Tags: [] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'old' });

    await secrets.ensureSecret(spec);

    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: arn,
      SecretString: spec.value,
      ClientRequestToken: versionToken(spec.value),
    });
    expect(sm.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ SecretId: arn, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
  });

  it('restores a secret scheduled for deletion, then brings it to the value', async () => {
    sm.on(CreateSecretCommand).rejects(new InvalidRequestException({ message: 'already scheduled for deletion', ...meta }));
    sm.on(DescribeSecretCommand)
      .resolvesOnce({ ARN: arn, DeletedDate: new Date() })
      .resolves({ ARN: arn, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: spec.value });

    await expect(secrets.ensureSecret(spec)).resolves.toEqual({ arn });

    expect(sm.commandCalls(RestoreSecretCommand)[0]?.args[0].input).toEqual({ SecretId: spec.name });
  });

  it('asks to be retried (NotReadyError) while a deleted secret with the name is still going away', async () => {
    sm.on(CreateSecretCommand).rejects(new InvalidRequestException({ message: 'already scheduled for deletion', ...meta }));
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: 'gone', ...meta }));

    await expect(secrets.ensureSecret(spec)).rejects.toBeInstanceOf(NotReadyError);
    expect(sm.commandCalls(RestoreSecretCommand)).toHaveLength(0);
  });

  it('fails for now (TransientCloudError) when Secrets Manager throttles', async () => {
    sm.on(CreateSecretCommand).rejects(
      new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta }),
    );

    await expect(secrets.ensureSecret(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('SecretsManagerSecrets.deleteSecret', () => {
  const secrets = new SecretsManagerSecrets({ client, region: 'us-east-1' });

  it('deletes without a recovery window, so the name is free for the next onboarding', async () => {
    await secrets.deleteSecret(spec.name);

    expect(sm.commandCalls(DeleteSecretCommand)[0]?.args[0].input).toEqual({ SecretId: spec.name, ForceDeleteWithoutRecovery: true });
  });

  it('treats a secret that is not there as deleted', async () => {
    sm.on(DeleteSecretCommand).rejects(new ResourceNotFoundException({ message: 'not found', ...meta }));

    await expect(secrets.deleteSecret(spec.name)).resolves.toBeUndefined();
  });
});

describe('versionToken', () => {
  it('is a UUID-shaped id, the same for the same value and different for another', () => {
    expect(versionToken('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(versionToken('a')).toBe(versionToken('a'));
    expect(versionToken('a')).not.toBe(versionToken('b'));
  });
});
