import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretsManagerSecrets } from '../../aws/secrets.ts';
import { LocalSecretsManager } from './local-secrets-manager.ts';
import { ensureLocalStackSecret } from './stack-secret.ts';

let home: string;
let manager: LocalSecretsManager;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'humangov-secrets-'));
  manager = new LocalSecretsManager({ home, region: 'us-east-1', accountId: '000000000000' });
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const create = (Name: string, SecretString: string, ClientRequestToken?: string) =>
  manager.send(new CreateSecretCommand({ Name, SecretString, ClientRequestToken })) as Promise<{ ARN: string }>;

describe('the local Secrets Manager (documented API behaviour)', () => {
  it('names a secret by an ARN ending in its name, a hyphen and six random characters, readable by ARN or name', async () => {
    const { ARN } = await create('humangov/local/tenants/ca/csrf', 'value-1');

    expect(ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:humangov\/local\/tenants\/ca\/csrf-[A-Za-z0-9]{6}$/);
    expect(await manager.currentValue(ARN)).toBe('value-1');
    expect(await manager.currentValue('humangov/local/tenants/ca/csrf')).toBe('value-1');
  });

  it('refuses a second CreateSecret of a name (ResourceExistsException), unless it repeats the same version and value', async () => {
    await create('s', 'v', '11111111-1111-1111-1111-111111111111');

    await expect(create('s', 'v', '11111111-1111-1111-1111-111111111111')).resolves.toMatchObject({ Name: 's' });
    await expect(create('s', 'other', '11111111-1111-1111-1111-111111111111')).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(create('s', 'v', '22222222-2222-2222-2222-222222222222')).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('makes a new current version on PutSecretValue, and ignores a repeated one', async () => {
    await create('s', 'v1');

    await manager.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: '33333333-3333-3333-3333-333333333333' }));
    await manager.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: '33333333-3333-3333-3333-333333333333' }));

    expect(await manager.currentValue('s')).toBe('v2');
    await expect(
      manager.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v3', ClientRequestToken: '33333333-3333-3333-3333-333333333333' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    await expect(manager.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(manager.send(new DescribeSecretCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps a secret deleted with a recovery window unreadable and its name taken; a forced delete frees the name and tolerates a repeat', async () => {
    await create('s', 'v');

    await manager.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: 7 }));
    await expect(manager.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(create('s', 'v')).rejects.toBeInstanceOf(InvalidRequestException);
    expect(await manager.send(new DescribeSecretCommand({ SecretId: 's' }))).toHaveProperty('DeletedDate');

    await manager.send(new DeleteSecretCommand({ SecretId: 's', ForceDeleteWithoutRecovery: true }));
    await manager.send(new DeleteSecretCommand({ SecretId: 's', ForceDeleteWithoutRecovery: true }));
    await expect(create('s', 'again')).resolves.toMatchObject({ Name: 's' });
  });

  it('keeps the values in a file only its owner can read', async () => {
    await create('s', 'v');

    expect((await stat(manager.path)).mode & 0o777).toBe(0o600);
  });
});

describe('SecretsPort on the local Secrets Manager', () => {
  const spec = { name: 'humangov/local/tenants/ca/csrf', value: 'k'.repeat(64), description: 'CSRF key of ca', tags: { 'humangov:tenant': 'ca' } };
  const port = () => new SecretsManagerSecrets({ client: manager.asClient(), region: 'us-east-1' });

  it('ensures a secret idempotently: the same ARN and value, whatever the number of runs', async () => {
    const first = await port().ensureSecret(spec);
    const second = await port().ensureSecret(spec);

    expect(second).toEqual(first);
    expect(await manager.currentValue(first.arn)).toBe(spec.value);
  });

  it('brings an existing secret to a new value and its tags', async () => {
    const { arn } = await port().ensureSecret(spec);

    await port().ensureSecret({ ...spec, value: 'n'.repeat(64), tags: { ...spec.tags, extra: 'yes' } });

    expect(await manager.currentValue(arn)).toBe('n'.repeat(64));
    expect(await manager.send(new DescribeSecretCommand({ SecretId: arn }))).toMatchObject({ Tags: expect.arrayContaining([{ Key: 'extra', Value: 'yes' }]) });
  });

  it('restores a secret someone scheduled for deletion', async () => {
    const { arn } = await port().ensureSecret(spec);
    await manager.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 30 }));

    await expect(port().ensureSecret(spec)).resolves.toEqual({ arn });
    expect(await manager.currentValue(arn)).toBe(spec.value);
  });

  it('deletes for good, twice without error, and ensures it again afterwards under a new ARN', async () => {
    const { arn } = await port().ensureSecret(spec);

    await port().deleteSecret(spec.name);
    await port().deleteSecret(spec.name);
    const again = await port().ensureSecret(spec);

    await expect(manager.currentValue(arn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(again.arn).not.toBe(arn);
  });
});

describe('ensureLocalStackSecret', () => {
  it('makes a 64-character stack secret once per home', async () => {
    const arn = await ensureLocalStackSecret(manager, home, 'local');

    expect(await ensureLocalStackSecret(manager, home, 'local')).toBe(arn);
    expect(await manager.currentValue(arn)).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it("adopts an older home's CSRF seed, so tenants' keys stay the same", async () => {
    await mkdir(join(home, 'state'), { recursive: true });
    await writeFile(join(home, 'state', 'csrf-seed'), 'legacy-seed-0123456789abcdef0123456789abcdef\n');

    const arn = await ensureLocalStackSecret(manager, home, 'local');

    expect(await manager.currentValue(arn)).toBe('legacy-seed-0123456789abcdef0123456789abcdef');
  });
});
