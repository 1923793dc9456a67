/**
 * The SecretsPort contract (src/cloud/ports.ts), one behavioural suite run against the fake the
 * workflow tests use and against the local provider (the AWS adapter on the local Secrets
 * Manager, which follows the service's documented behaviour). The AWS adapter's own calls are
 * pinned in src/aws/secrets.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SecretsPort } from '../src/cloud/ports.ts';
import { SecretsManagerSecrets } from '../src/aws/secrets.ts';
import { LocalSecretsManager } from '../src/local/secrets/local-secrets-manager.ts';
import { ensureLocalStackSecret } from '../src/local/secrets/stack-secret.ts';
import { FakeCloud } from './support/fake-cloud.ts';

interface Subject {
  port: SecretsPort;
  /** The value a task would receive for `arn`, or undefined when the secret is gone. */
  read(arn: string): Promise<string | undefined>;
  close(): Promise<void>;
}

const providers: [string, () => Promise<Subject>][] = [
  [
    'the fake',
    async () => {
      const cloud = new FakeCloud();
      return {
        port: cloud.secrets,
        read: async (arn) => [...cloud.secrets.items.values()].find((secret) => secret.arn === arn)?.value,
        close: async () => undefined,
      };
    },
  ],
  [
    'the local provider',
    async () => {
      const home = await mkdtemp(join(tmpdir(), 'humangov-secrets-contract-'));
      const manager = new LocalSecretsManager({ home, region: 'us-east-1', accountId: '000000000000' });
      const stackSecretArn = await ensureLocalStackSecret(manager, home, 'local');
      return {
        port: new SecretsManagerSecrets({ client: manager.asClient(), region: 'us-east-1', stackSecretArn }),
        read: (arn) => manager.currentValue(arn).catch(() => undefined),
        close: () => rm(home, { recursive: true, force: true }),
      };
    },
  ],
];

const spec = { name: 'humangov/local/tenants/ca/csrf', value: 'a'.repeat(64), description: 'CSRF key of ca', tags: { 'humangov:tenant': 'ca' } };

describe.each(providers)('SecretsPort: %s', (_name, make) => {
  let subject: Subject;
  afterEach(async () => {
    await subject?.close();
  });

  it('has a stack secret of at least 32 characters, the same on every read', async () => {
    subject = await make();

    const first = await subject.port.stackSecret();

    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await subject.port.stackSecret()).toBe(first);
  });

  it('ensures a secret idempotently and brings it to a new value under the same ARN', async () => {
    subject = await make();

    const { arn } = await subject.port.ensureSecret(spec);
    expect(await subject.port.ensureSecret(spec)).toEqual({ arn });
    expect(await subject.read(arn)).toBe(spec.value);

    expect(await subject.port.ensureSecret({ ...spec, value: 'b'.repeat(64) })).toEqual({ arn });
    expect(await subject.read(arn)).toBe('b'.repeat(64));
  });

  it('deletes a secret, takes a second delete as done, and ensures it again afterwards', async () => {
    subject = await make();
    const { arn } = await subject.port.ensureSecret(spec);

    await subject.port.deleteSecret(spec.name);
    await subject.port.deleteSecret(spec.name);
    expect(await subject.read(arn)).toBeUndefined();

    const again = await subject.port.ensureSecret(spec);
    expect(await subject.read(again.arn)).toBe(spec.value);
  });
});
